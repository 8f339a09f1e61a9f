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
/** One case of each other family: a lost answer, a stop, a Lambda timeout after its work. */
const OTHERS = [
  ['lost-response', 'sagemaker.UpdateEndpoint', 'lost #1'],
  ['lost-response', 'eventbridge.PutEvents', 'lost #1'],
  ['stop-execution', 'stop in bake', '+120 s'],
  ['lambda-timeout', 'ShiftTraffic Lambda', '#1 times out'],
] as const;

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
    only: (c) =>
      (c.family === 'aws-fault' && CASES.some(([operation, kind, persistence]) => c.operation === operation && c.kind === kind && c.persistence === persistence)) ||
      OTHERS.some(([family, row, column]) => c.family === family && c.operation === row && c.column === column),
  });
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

const find = (operation: string, kind: FaultCase['kind'], persistence: FaultCase['persistence']) =>
  matrix.cases.find((c) => c.family === 'aws-fault' && `${c.service}.${c.operation}` === operation && c.kind === kind && c.persistence === persistence);
const findOther = (row: string, column: string) => matrix.cases.find((c) => c.row === row && c.column === column);

describe('fault injection', () => {
  it('runs exactly the chosen cases', () => {
    expect(matrix.cases.map((c) => [`${c.service}.${c.operation}`, c.kind, c.persistence])).toEqual(expect.arrayContaining(CASES.map((c) => [...c])));
    expect(matrix.total).toBe(CASES.length + OTHERS.length);
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

  it("a lost UpdateEndpoint answer: the retry recognises its own update under way (PendingDeploymentSummary) and the release is promoted as without it", () => {
    const c = findOther('sagemaker.UpdateEndpoint', 'lost #1');
    expect(c?.faultHits).toBe(1);
    expect({ survived: c?.survived, reason: c?.reason, events: c?.events }).toEqual({ survived: true, reason: 'same outcome as without the fault', events: ['Model Deployment Succeeded'] });
  });

  it('a lost PutEvents answer: the copy sent again carries the same eventId, so the outcome is announced once to a consumer that drops copies', () => {
    const c = findOther('eventbridge.PutEvents', 'lost #1');
    expect(c?.survived).toBe(true);
    expect(c?.events).toEqual(['Model Deployment Succeeded']);
    expect(c?.eventCopies).toBe(1);
  });

  it('stopped mid-bake: wholly the old model, the ledger RECOVERED saying so, nothing locked, one Recovered event', () => {
    const c = findOther('stop in bake', '+120 s');
    expect({ survived: c?.survived, reason: c?.reason }).toEqual({ survived: true, reason: expect.stringContaining('RECOVERED: the endpoint serves the previous model, the ledger says so, nothing locked') as unknown });
    expect(c?.events).toEqual(['Model Deployment Recovered']);
  });

  it("ShiftTraffic's Lambda times out after its weight change: the retried step recognises it and the release ends as without the fault", () => {
    const c = findOther('ShiftTraffic Lambda', '#1 times out');
    expect(c?.faultHits).toBe(1);
    expect({ survived: c?.survived, reason: c?.reason }).toEqual({ survived: true, reason: 'same outcome as without the fault' });
  });

  it('a timed-out call fails fast and is retried: the hung request costs one SDK timeout, not the task', () => {
    const c = find('sagemaker.UpdateEndpoint', 'timeout', 'once');
    expect(c?.faultHits).toBe(1);
    expect(c?.error).toBeNull();
  });
});
