import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

export const MOTO_VERSION = '5.2.1';
export const MOTO_INSTALL_COMMAND = `pip install 'moto[server]==${MOTO_VERSION}'`;

/** python3 or moto (with its server extras) is not installed. */
export class MotoNotInstalledError extends Error {
  constructor(detail: string) {
    super(`moto server is not available (${detail.trim()}). Install it with: ${MOTO_INSTALL_COMMAND}`);
    this.name = 'MotoNotInstalledError';
  }
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Wall ms to wait for the server to answer. */
  readyTimeoutMs?: number;
  /** Forward moto's own output to this process' stderr. */
  verbose?: boolean;
}

/**
 * Runs `python3 -m moto.server` behind a watchdog thread that exits the Python
 * process as soon as its stdin (a pipe held by this Node process) closes. That is
 * what guarantees no orphan even when Node dies by SIGKILL, where no exit hook runs.
 */
const WATCHDOG = [
  'import os, runpy, sys, threading',
  'def _watch():',
  '    while os.read(0, 1024): pass',
  '    os._exit(0)',
  'threading.Thread(target=_watch, daemon=True).start()',
  "sys.argv = ['moto.server'] + sys.argv[1:]",
  "runpy.run_module('moto.server', run_name='__main__', alter_sys=True)",
].join('\n');

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAllSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Kill children on every way out of this process; signals are re-raised so default behaviour is kept. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  // The monitor variant observes crashes without swallowing them.
  process.on('uncaughtExceptionMonitor', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      process.removeListener(signal, onSignal);
      // Only re-raise when we were the sole listener; otherwise the app handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  installExitHooks();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-c', WATCHDOG, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  live.add(child);

  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 20_000) output += chunk.toString();
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve();
    });
  });
  child.once('error', (err) => {
    spawnError = err;
    live.delete(child);
  });

  const stop = async (): Promise<void> => {
    if (exited || spawnError) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exitPromise;
    clearTimeout(timer);
  };

  // Wall time: Date.now may be a virtual clock running hundreds of times faster.
  const wallDeadline = performance.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) {
      const code = (spawnError as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new MotoNotInstalledError('python3 was not found on PATH');
      throw spawnError;
    }
    if (exited) {
      if (/No module named|ModuleNotFoundError|ImportError/.test(output)) {
        throw new MotoNotInstalledError(output.split('\n').filter((l) => /Error/.test(l)).pop() ?? 'import failed');
      }
      throw new Error(`moto server exited early (code ${exited.code}, signal ${exited.signal}):\n${output}`);
    }
    if (await answers(endpoint)) break;
    if (performance.now() > wallDeadline) {
      await stop();
      throw new Error(`moto server did not answer on ${endpoint} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return { endpoint, port, pid: child.pid ?? -1, stop };
}
