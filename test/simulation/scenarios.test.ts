/**
 * Every built-in scenario, end to end: packaged state machine, bundled handlers, moto + our SageMaker
 * simulator. One moto for the file (reset between scenarios) keeps the suite quick.
 */
import { startMoto, type MotoServer } from '../../local/moto';
import { builtInScenarios, findScenario } from '../../local/scenario';
import { runScenario, type SimulationResult } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';

const scenarios = builtInScenarios();

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

describe('simulation scenarios (npm run simulate)', () => {
  it('has the scenarios the README lists', () => {
    expect(scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'realtime-first-deploy',
        'realtime-canary-promote',
        'realtime-canary-alarm-rollback',
        'realtime-smoke-fail',
        'endpoint-failed',
        'invalid-package',
        'loosened-gates',
        'foreign-endpoint-takeover',
        'duplicate-event',
        'serverless-promote',
        'serverless-alarm-revert',
        'async-promote',
        'batch-only',
        'realtime-native-rollback',
        'nightly-batch',
        'nightly-batch-partial-failure',
        'manual-run',
        'dry-run',
        'manual-rollback',
        'multi-model-promote',
        'multi-model-smoke-fail',
      ]),
    );
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s ends with its expected outcome', async (_name, scenario) => {
    const result: SimulationResult = await runScenario(scenario, { moto, loadModule });

    expect(result.failures).toEqual([]);
    expect(result.outcome).toBe(scenario.expect.outcome);
    // No state comes near Step Functions' 256 KB limit (smoke payloads stay in S3 or the settings, never copied).
    expect(result.largestStateBytes).toBeLessThan(64 * 1024);
    // The promise of every release: the endpoint serves wholly one model afterwards.
    const served = new Set(result.endpoint?.variants.filter((v) => v.weight > 0).map((v) => v.modelPackageArn));
    if (result.endpoint) expect(served.size).toBe(1);
    if (result.outcome === 'PROMOTED' && result.endpoint) expect([...served]).toEqual([result.candidateArn]);
    if (result.outcome === 'ROLLED_BACK' && result.endpoint) expect([...served]).not.toContain(result.candidateArn);
    // Every release says how it ended on the bus; a nightly run says it once per job; a dry run says nothing.
    if (result.outcome === 'PREVIEWED') expect(result.events).toEqual([]);
    else if (result.outcome === 'SCORED' || result.outcome === 'SCORING_FAILED') {
      expect(result.events).toHaveLength(scenario.batchJobs?.length ?? 0);
      expect(result.events.every((e) => e.startsWith('Batch Scoring'))).toBe(true);
    } else {
      // One event per run that settled a release; a rolled-back run's FAILED end starts a recovery run that
      // finds the release finished and says nothing.
      expect(result.events.length).toBe(result.executions.filter((e) => e.outcome !== 'NOTHING_TO_RECOVER').length);
      expect(result.ledger.filter((r) => r.status === 'IN_PROGRESS')).toEqual([]);
    }
  });
});

describe('time to safety', () => {
  it('a canary judged bad serves no request from 90 s after the verdict: its traffic is drained before the old config is restored', async () => {
    // Act
    const result = await runScenario(findScenario('realtime-canary-alarm-rollback'), { moto, loadModule });

    // Assess
    const verdict = result.timeline.find((e) => e.title === 'CheckCanary' && e.detail.startsWith('alarm'));
    const rollbacks = result.timeline.filter((e) => e.title === 'RollBack').map((e) => e.detail);
    expect(verdict).toBeDefined();
    expect(rollbacks[0]).toMatch(/^draining/);
    expect(rollbacks).toContainEqual(expect.stringMatching(/^restoring/));
    const candidate = result.metricRows.find((r) => r.modelPackageArn === result.candidateArn)?.variant;
    expect(candidate).toBeDefined();
    // Whole minutes from the one that holds verdict + 90 s.
    const from = Math.floor(((verdict?.at ?? 0) + 90) / 60);
    const later = result.metricRows.filter((r) => r.minute >= from);
    expect(later.filter((r) => r.variant === candidate).reduce((n, r) => n + r.invocations, 0)).toBe(0);
    expect(later.filter((r) => r.variant !== candidate).some((r) => r.invocations > 0)).toBe(true);
    expect(result.metricRows.filter((r) => r.variant === candidate && r.minute < from).some((r) => r.invocations > 0)).toBe(true);
  });
});
