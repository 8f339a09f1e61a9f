import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { VirtualClock } from '../../local/clock';
import { MotoNotInstalledError, startMoto } from '../../local/moto';

jest.setTimeout(30_000);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('VirtualClock', () => {
  test('runs speed times faster, converts and jumps', async () => {
    const clock = new VirtualClock({ speed: 600, startMs: 1_000_000 });
    expect(clock.wallMsFor(60)).toBe(100);
    const t0 = clock.now();
    await new Promise((r) => setTimeout(r, 100));
    const elapsed = clock.now() - t0;
    // Only lower bounds: a loaded machine may take longer than asked, never shorter.
    expect(elapsed).toBeGreaterThanOrEqual(55_000);
    clock.advance(3600);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(3_600_000);
    const before = clock.now();
    await clock.sleepVirtual(30);
    expect(clock.now() - before).toBeGreaterThanOrEqual(30_000);
  });

  test('install patches only Date.now, and uninstall restores it', () => {
    const clock = new VirtualClock({ speed: 1, startMs: Date.UTC(2031, 0, 1) });
    const realNow = Date.now;
    clock.install();
    try {
      expect(new Date(Date.now()).getUTCFullYear()).toBe(2031);
      expect(new Date().getUTCFullYear()).not.toBe(2031);
    } finally {
      clock.uninstall();
    }
    expect(Date.now).toBe(realNow);
  });
});

describe('startMoto', () => {
  test('starts, answers, and leaves no process after stop()', async () => {
    const moto = await startMoto();
    expect((await fetch(`${moto.endpoint}/moto-api/data.json`)).ok).toBe(true);
    expect(alive(moto.pid)).toBe(true);
    await moto.stop();
    expect(await waitGone(moto.pid)).toBe(true);
  });

  test('moto dies with its parent even on SIGKILL', async () => {
    const script = `require(${JSON.stringify(join(__dirname, '../../local/moto.ts'))}).startMoto().then(m => console.log('PID ' + m.pid))`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'], cwd: join(__dirname, '../..') });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.on('exit', () => reject(new Error(`parent exited early: ${out}`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitGone(pid)).toBe(true);
  });

  test('missing python3 is a MotoNotInstalledError naming the install command', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startMoto()).rejects.toThrow(MotoNotInstalledError);
      await expect(startMoto()).rejects.toThrow("pip install 'moto[server]==5.2.1'");
    } finally {
      process.env.PATH = path;
    }
  });
});
