/**
 * A release whose execution is stopped is made whole by the recovery run its end starts (the packaged rule
 * on "Step Functions Execution Status Change"): back to the live model unless the new one had passed and
 * already took all traffic; the ledger says which, nothing stays in progress, one Recovered event goes out,
 * and the same package can be released again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../../local/moto';
import { parseScenario, SCENARIO_DIR } from '../../local/scenario';
import { runScenario, type SimulationResult } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

function stopped(name: string, during: string, afterSeconds: number, endpoint: string, then?: unknown) {
  const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
  return parseScenario({ ...base, name, interventions: [{ during, afterSeconds, do: 'stop-execution' }], expect: { outcome: 'RECOVERED', endpoint }, ...(then ? { then } : {}) }, `${name} (test)`);
}

function assertConverged(result: SimulationResult): void {
  expect(result.failures).toEqual([]);
  expect(result.executions[0]?.outcome).toBe('ABORTED');
  expect(result.ledger).toEqual([expect.objectContaining({ status: 'RECOVERED', recoveredBy: expect.stringContaining(':sim-2') })]);
  expect(result.events).toEqual(['Model Deployment Recovered']);
}

describe('recovery of a stopped release', () => {
  it.each([
    ['deploy', 120, 'unchanged'],
    ['bake', 120, 'unchanged'],
    ['shift', 0, 'unchanged'],
  ])('stopped in %s (+%i s): the endpoint goes back to the live model, wholly', async (during, after, endpoint) => {
    const result = await runScenario(stopped(`stop-in-${during}`, during, after, endpoint), { moto, loadModule });
    assertConverged(result);
    expect(result.ledger[0]?.servingModel).toBe('previous');
  });

  it('stopped after a passed bake and a finished shift: the promotion is finished, the new model serves wholly', async () => {
    const result = await runScenario(stopped('stop-after-shift', 'shift', 60, 'candidate'), { moto, loadModule });
    assertConverged(result);
    expect(result.ledger[0]?.servingModel).toBe('new');
    expect(result.ledger[0]?.reason).toMatch(/ABORTED in WaitFor(TrafficShift|Promotion).*the promotion finished/);
  });

  it('a forced redeploy of the same package goes through after a recovery (the claim, lease and ticket were freed)', async () => {
    const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
    const scenario = parseScenario(
      { ...base, name: 'stop-then-redeploy', interventions: [{ during: 'bake', afterSeconds: 120, do: 'stop-execution' }], then: { manual: { modelPackageArn: '$CANDIDATE_ARN', force: true } }, expect: { outcome: 'PROMOTED', endpoint: 'candidate' } },
      'stop-then-redeploy (test)',
    );
    const result = await runScenario(scenario, { moto, loadModule });
    expect(result.failures).toEqual([]);
    expect(result.executions.map((e) => e.outcome)).toEqual(['ABORTED', 'RECOVERED', 'PROMOTED']);
    expect(result.ledger.map((r) => r.status)).toEqual(['RECOVERED', 'PROMOTED']);
    expect(result.locks).toEqual({ leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] });
  });
});

describe('a release stopped while it waits in the queue', () => {
  it('is recovered with nothing to undo: its ticket and claim freed, the other release\'s lease left alone', async () => {
    const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
    const scenario = parseScenario(
      { ...base, name: 'stop-in-queue', busyForSeconds: 1800, interventions: [{ during: 'queue', afterSeconds: 120, do: 'stop-execution' }], expect: { outcome: 'RECOVERED', endpoint: 'unchanged' } },
      'stop-in-queue (test)',
    );
    const result = await runScenario(scenario, { moto, loadModule });
    expect(result.failures).toEqual([]);
    expect(result.executions[0]?.states).toContain('WaitInQueue');
    expect(result.executions[0]?.states).not.toContain('PrepareDeployment');
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'RECOVERED', servingModel: 'previous', reason: expect.stringContaining('the release had changed nothing yet') })]);
    expect(result.events).toEqual(['Model Deployment Recovered']);
    // Only the other release's lease and ticket are left (it holds them until they expire).
    expect(result.locks).toEqual({ leases: ['TARGET#churn-model LEASE'], tickets: [expect.stringMatching(/QUEUE#.*#b05f0000$/)], claimsInProgress: [], releasesInProgress: [] });
  });
});

describe('the sweep, for status-change events late or lost', () => {
  it('a stopped release whose event never arrived is found by the next sweep, which starts its recovery', async () => {
    const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
    const scenario = parseScenario(
      { ...base, name: 'lost-status-event', interventions: [{ during: 'bake', afterSeconds: 120, do: 'stop-execution', statusEvent: 'lost' }], then: 'sweep', expect: { outcome: 'RECOVERED', endpoint: 'unchanged' } },
      'lost-status-event (test)',
    );
    const result = await runScenario(scenario, { moto, loadModule });
    expect(result.failures).toEqual([]);
    // The stopped release (no recovery rule fired), the sweep, the recovery it started.
    expect(result.executions.map((e) => e.outcome)).toEqual(['ABORTED', null, 'RECOVERED']);
    expect(result.executions[1]?.states).toEqual(['NormalizeInput', 'RouteRequest', 'SweepReleases', 'Swept']);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'RECOVERED', servingModel: 'previous', recoveredBy: expect.stringMatching(/:sweep-[0-9a-f]{8}-[0-9a-f]{12}$/) })]);
    expect(result.events).toEqual(['Model Deployment Recovered']);
    expect(result.locks).toEqual({ leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] });
  });
});

describe('a release that runs past its TimeoutSeconds', () => {
  it('ends TIMED_OUT where it is; the recovery its end starts puts the endpoint back, wholly, and frees everything', async () => {
    const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
    const scenario = parseScenario({ ...base, name: 'timed-out-in-bake', executionTimeoutSeconds: 900, expect: { outcome: 'RECOVERED', endpoint: 'unchanged' } }, 'timed-out-in-bake (test)');
    const result = await runScenario(scenario, { moto, loadModule });
    expect(result.failures).toEqual([]);
    expect(result.executions[0]).toMatchObject({ outcome: 'TIMED_OUT', error: 'States.Timeout' });
    expect(result.executions[0]?.states.at(-1)).toMatch(/BakeCanary|CheckCanary/);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'RECOVERED', servingModel: 'previous', reason: expect.stringContaining('(TIMED_OUT in ') })]);
    expect(result.events).toEqual(['Model Deployment Recovered']);
    expect(result.locks).toEqual({ leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] });
  });
});

describe("an operator's abort", () => {
  function aborted(name: string, during: string, afterSeconds: number) {
    const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
    return parseScenario({ ...base, name, interventions: [{ during, afterSeconds, do: 'abort', reason: 'checkout latency' }], expect: { outcome: 'ABORTED', endpoint: 'unchanged' } }, `${name} (test)`);
  }

  it.each([
    ['bake', 120],
    ['shift', 60],
  ])('during %s (+%i s): the release is stopped and rolled back, even a passed one; ABORTED, one Aborted event, nothing locked', async (during, after) => {
    const result = await runScenario(aborted(`abort-in-${during}`, during, after), { moto, loadModule });
    expect(result.failures).toEqual([]);
    // The release's own execution is stopped; the abort run takes it over; the recovery its stop starts finds it taken.
    expect(result.executions.map((e) => e.outcome)).toEqual(['ABORTED', 'ABORTED', 'NOTHING_TO_RECOVER']);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'ABORTED', servingModel: 'previous', reason: expect.stringContaining('aborted by an operator (checkout latency)') })]);
    expect(result.events).toEqual(['Model Deployment Aborted']);
    expect(result.locks).toEqual({ leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] });
  });
});
