/**
 * Same scenario, same seed, same run: the discrete clock lets virtual time pass only when nothing runs, so
 * what a run does and when (timeline, metrics, alarms, ledger, calls) does not depend on how busy the
 * machine is. Each scenario runs once as it comes and once beside processes that keep every core busy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { startMoto, type MotoServer } from '../../local/moto';
import { findScenario } from '../../local/scenario';
import { runScenario, type SimulationResult } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

/** Busy loops, one per core, until stopped. */
function loadTheMachine(): () => Promise<void> {
  const hogs: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return async () => {
    await Promise.all(hogs.map((hog) => new Promise<void>((resolve) => (hog.exitCode !== null || hog.signalCode !== null ? resolve() : (hog.once('exit', () => resolve()), hog.kill('SIGKILL'))))));
  };
}

/** Everything a run reports but its wall time. */
function withoutWallTime(result: SimulationResult): Omit<SimulationResult, 'wallSeconds'> {
  const { wallSeconds: _wall, ...rest } = result;
  return rest;
}

describe('reproducible runs', () => {
  // Three executions racing for one approval (turn order), and a bake judged on traffic, metrics and alarms.
  it.each(['duplicate-event', 'realtime-canary-alarm-rollback'])('%s: an idle and a loaded machine give the same run', async (name) => {
    // Prepare
    const scenario = findScenario(name);

    // Act
    const idle = await runScenario(scenario, { moto, loadModule });
    const stopLoad = loadTheMachine();
    let loaded: SimulationResult;
    try {
      loaded = await runScenario(scenario, { moto, loadModule });
    } finally {
      await stopLoad();
    }

    // Assess
    expect(idle.passed).toBe(true);
    expect(idle.metricRows.length).toBeGreaterThan(0);
    expect(withoutWallTime(loaded)).toEqual(withoutWallTime(idle));
  });
});
