/**
 * A small, representative slice of the fault-injection matrix (`npm run simulate -- --faults` runs all of it):
 * a fault once must not change how a release ends; a persistent one must leave the endpoint wholly on one
 * model, the ledger saying which, and a failure event sent. One moto for the file.
 */
import { runFaultMatrix, type FaultCase, type FaultMatrixResult } from '../../local/fault-matrix';
import { startMoto, type MotoServer } from '../../local/moto';
import { loadFreshModule as loadModule } from '../support/fresh-module';

const ONCE = [
  ['sagemaker.UpdateEndpoint', 'timeout', 'once'],
  ['dynamodb.PutItem', 'throttle', 'once'],
  ['cloudwatch.DescribeAlarms', 'throttle', 'once'],
  ['eventbridge.PutEvents', 'throttle', 'once'],
] as const;
const ALWAYS = [
  ['sagemaker.UpdateEndpoint', '5xx', 'always'],
  ['cloudwatch.DescribeAlarms', '5xx', 'always'],
] as const;
const CASES = [...ONCE, ...ALWAYS];

let moto: MotoServer;
let matrix: FaultMatrixResult;

beforeAll(async () => {
  moto = await startMoto();
  matrix = await runFaultMatrix({
    moto,
    loadModule,
    scenarios: ['realtime-canary-promote'],
    // Generous: jest runs test files side by side, and a busy moto slower than the timeout would look like a
    // fault (the retried call went through the first time). A hung call still costs only this much.
    requestTimeoutMs: 3000,
    only: (c) => CASES.some(([operation, kind, persistence]) => c.operation === operation && c.kind === kind && c.persistence === persistence),
  });
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

const find = (operation: string, kind: FaultCase['kind'], persistence: FaultCase['persistence']) =>
  matrix.cases.find((c) => `${c.service}.${c.operation}` === operation && c.kind === kind && c.persistence === persistence);

describe('fault injection', () => {
  it('runs exactly the chosen cases', () => {
    expect(matrix.cases.map((c) => [`${c.service}.${c.operation}`, c.kind, c.persistence])).toEqual(expect.arrayContaining(CASES.map((c) => [...c])));
    expect(matrix.total).toBe(CASES.length);
  });

  it('discovers the calls the pipeline makes and runs the baseline as it should', () => {
    const [baseline] = matrix.baselines;
    expect(baseline?.outcome).toBe('PROMOTED');
    expect(baseline?.serving).toBe('new');
    expect(baseline?.operations.map((o) => `${o.service}.${o.operation}`)).toEqual(
      expect.arrayContaining(['sagemaker.UpdateEndpoint', 'dynamodb.PutItem', 'cloudwatch.DescribeAlarms', 'eventbridge.PutEvents', 'sagemaker-runtime.InvokeEndpoint']),
    );
    // The runner's own seeding (CreateEndpoint of the live model, the approval) is not the pipeline's.
    expect(baseline?.operations.map((o) => o.operation)).not.toContain('CreateModelPackage');
  });

  it.each(ONCE)('%s %s %s: the release ends exactly as without the fault', (operation, kind, persistence) => {
    const c = find(operation, kind, persistence);
    expect(c?.faultHits).toBeGreaterThan(0);
    expect({ survived: c?.survived, reason: c?.reason }).toEqual({ survived: true, reason: 'same outcome as without the fault' });
    expect(c?.outcome).toBe('PROMOTED');
    expect(c?.events).toEqual(['Model Deployment Succeeded']);
  });

  it.each(ALWAYS)('%s %s %s: wholly the old model, the ledger says so, a failure event went out', (operation, kind, persistence) => {
    const c = find(operation, kind, persistence);
    expect(c?.faultHits).toBeGreaterThan(1);
    expect({ survived: c?.survived, reason: c?.reason }).toEqual({ survived: true, reason: expect.stringContaining('ROLLED_BACK:') as unknown });
    expect(c?.serving).toBe('previous');
    expect(c?.ledgerServing).toBe('previous');
    expect(c?.events).toEqual(['Model Deployment Rolled Back']);
  });

  it('a timed-out call fails fast and is retried: the hung request costs one SDK timeout, not the task', () => {
    const c = find('sagemaker.UpdateEndpoint', 'timeout', 'once');
    expect(c?.faultHits).toBe(1);
    expect(c?.error).toBeNull();
  });
});
