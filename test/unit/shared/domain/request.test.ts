import { readFileSync } from 'node:fs';
import { InvalidInput } from '../../../../functions/shared/errors';
import { normalizeRequest } from '../../../../functions/shared/domain/request';

import { AWS_SAMPLE_APPROVAL_EVENT_PATH as SAMPLE_PATH } from '../../../fixtures/aws-sample';
const NOW = new Date('2024-05-01T12:00:00.000Z');
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/7';

type SampleEvent = { id: string; time: string; detail: Record<string, unknown> } & Record<string, unknown>;

/** AWS's sample event, a fresh copy each time (its status is Rejected). */
function sampleEvent(): SampleEvent {
  return JSON.parse(readFileSync(SAMPLE_PATH, 'utf8')) as SampleEvent;
}
function approvedSample(): SampleEvent {
  const event = sampleEvent();
  event.detail.ModelApprovalStatus = 'Approved';
  return event;
}

function invalidInputMessage(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    return (error as Error).message;
  }
  throw new Error('expected InvalidInput, nothing was thrown');
}

describe('normalizeRequest: approval events', () => {
  it("normalises AWS's sample event once it says Approved", () => {
    // Act
    const request = normalizeRequest(approvedSample(), NOW);

    // Assess
    expect(request).toEqual({
      action: 'deploy',
      trigger: 'approval-event',
      modelPackageArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2',
      endpointName: null,
      overrides: {},
      force: false,
      dryRun: false,
      eventId: '844e2571-85d4-695f-b930-0153b71dcb42',
      requestedAt: '2021-02-24T17:00:14Z', // the approval's time, not now: it orders releases per endpoint
    });
  });

  it('turns the sample as-is (Rejected) into a revocation, so a later re-approval releases again', () => {
    expect(normalizeRequest(sampleEvent(), NOW)).toEqual({
      action: 'revoke',
      trigger: 'approval-event',
      modelPackageArn: sampleEvent().detail.ModelPackageArn,
      eventId: sampleEvent().id,
      requestedAt: sampleEvent().time,
    });
  });

  it.each(['PendingManualApproval', 'InProgress'])('refuses status %s', (status) => {
    const event = sampleEvent();
    event.detail.ModelApprovalStatus = status;
    expect(invalidInputMessage(() => normalizeRequest(event, NOW))).toContain('detail.ModelApprovalStatus');
  });

  it('refuses an event from another source, naming the field', () => {
    const event = { ...approvedSample(), source: 'aws.s3' };
    expect(invalidInputMessage(() => normalizeRequest(event, NOW))).toContain('source');
  });

  it('refuses an event whose package ARN is malformed', () => {
    const event = approvedSample();
    event.detail.ModelPackageArn = 'arn:aws:sagemaker:us-east-2:123456789012:model/not-a-package';
    expect(invalidInputMessage(() => normalizeRequest(event, NOW))).toContain('detail.ModelPackageArn');
  });

  it('treats anything with a detail key as an event, so a broken event is not reported as a broken manual run', () => {
    const message = invalidInputMessage(() => normalizeRequest({ detail: {} }, NOW));
    expect(message).toMatch(/^Not a usable SageMaker Model Package State Change event/);
  });
});

describe('normalizeRequest: manual runs', () => {
  it('takes a run with every field', () => {
    // Prepare
    const input = {
      action: 'deploy',
      modelPackageArn: ARN,
      endpointName: 'churn-prod',
      overrides: { 'canary.percent': '5' },
      force: true,
      dryRun: true,
      requestedBy: 'alice@example.com',
    };

    // Act
    const request = normalizeRequest(input, NOW);

    // Assess
    expect(request).toEqual({
      action: 'deploy',
      trigger: 'manual',
      modelPackageArn: ARN,
      endpointName: 'churn-prod',
      overrides: { 'canary.percent': '5' },
      force: true,
      dryRun: true,
      eventId: null,
      requestedAt: NOW.toISOString(),
      requestedBy: 'alice@example.com',
    });
  });

  it('fills defaults for a run with only the ARN', () => {
    expect(normalizeRequest({ modelPackageArn: ARN }, NOW)).toMatchObject({ endpointName: null, overrides: {}, force: false, dryRun: false, trigger: 'manual' });
  });

  it('accepts a GovCloud ARN and an unversioned package ARN', () => {
    expect(normalizeRequest({ modelPackageArn: 'arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:model-package/churn-model/7' }, NOW)).toMatchObject({ modelPackageArn: expect.stringContaining('aws-us-gov') });
    expect(normalizeRequest({ modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/standalone' }, NOW)).toMatchObject({ modelPackageArn: expect.stringContaining('standalone') });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['an unknown field', 'endpoint', { modelPackageArn: ARN, endpoint: 'churn' }],
    ['a bad ARN', 'modelPackageArn', { modelPackageArn: 'churn-model/7' }],
    ['an ARN of another account shape', 'modelPackageArn', { modelPackageArn: 'arn:aws:sagemaker:us-east-1:1234:model-package/churn-model/7' }],
    ['a missing ARN', 'modelPackageArn', { endpointName: 'churn' }],
    ['a non-string override', 'overrides.canary.percent', { modelPackageArn: ARN, overrides: { 'canary.percent': 5 } }],
    ['overrides that are not an object', 'overrides', { modelPackageArn: ARN, overrides: 'canary.percent=5' }],
    ['a bad endpoint name', 'endpointName', { modelPackageArn: ARN, endpointName: 'churn_prod' }],
    ['a 64-character endpoint name', 'endpointName', { modelPackageArn: ARN, endpointName: `churn${'-'.repeat(58)}x` }],
    ['a string force', 'force', { modelPackageArn: ARN, force: 'true' }],
    ['a string dryRun', 'dryRun', { modelPackageArn: ARN, dryRun: 'yes' }],
  ])('refuses %s, naming %s', (_what, field, input) => {
    // Act
    const message = invalidInputMessage(() => normalizeRequest(input, NOW));

    // Assess
    expect(message).toMatch(/^Invalid manual deploy input: /);
    expect(message).toContain(field);
  });

  it('explains that override values must be strings', () => {
    const message = invalidInputMessage(() => normalizeRequest({ modelPackageArn: ARN, overrides: { 'canary.percent': 5 } }, NOW));
    expect(message).toContain('override values must be strings');
  });

  it('refuses an unknown action, naming it', () => {
    const message = invalidInputMessage(() => normalizeRequest({ action: 'undeploy', modelPackageArn: ARN }, NOW));
    expect(message).toContain('action: unknown action "undeploy"');
  });

  it.each([
    ['null', null],
    ['a string', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/7'],
    ['an array', [{ modelPackageArn: ARN }]],
    ['a number', 42],
  ])('refuses %s as input', (_what, input) => {
    expect(invalidInputMessage(() => normalizeRequest(input, NOW))).toMatch(/must be a JSON object/);
  });
});

describe('normalizeRequest: recovery', () => {
  const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:sagemaker-release-pipeline-dev-release:sim-1';
  const statusChange = (status: string) => ({
    version: '0',
    id: 'e1',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2024-05-01T12:29:00Z',
    region: 'us-east-1',
    resources: [EXECUTION],
    detail: { executionArn: EXECUTION, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sagemaker-release-pipeline-dev-release', status },
  });

  it.each(['ABORTED', 'TIMED_OUT', 'FAILED'])('turns the Step Functions event of an execution that ended %s into a recovery of that execution', (status) => {
    expect(normalizeRequest(statusChange(status), NOW)).toEqual({ action: 'recover', trigger: 'execution-status-change', executionArn: EXECUTION, endpointName: null, reason: null, requestedAt: NOW.toISOString() });
  });

  it('the end of a recovery, abort or sweep run starts no recovery (it is left to the sweep), so a failing recovery cannot start recoveries without end', () => {
    const ofRun = (input: unknown) => ({ ...statusChange('FAILED'), detail: { ...statusChange('FAILED').detail, input: JSON.stringify(input) } });
    for (const input of [statusChange('ABORTED'), { action: 'recover', endpointName: 'churn' }, { action: 'abort', endpointName: 'churn' }, { action: 'sweep' }]) {
      expect(normalizeRequest(ofRun(input), NOW)).toMatchObject({ action: 'recover', leftToSweep: expect.stringContaining("the sweep's") });
    }
    expect(normalizeRequest(ofRun({ modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/7' }), NOW)).not.toHaveProperty('leftToSweep');
  });

  it('refuses the event of an execution that succeeded or still runs: nothing to recover', () => {
    expect(invalidInputMessage(() => normalizeRequest(statusChange('SUCCEEDED'), NOW))).toMatch(/Not a usable Step Functions Execution Status Change event: detail.status/);
  });

  it('takes an adoption with who asks for it, and refuses one without, or with a requestedBy no tag can hold', () => {
    expect(normalizeRequest({ action: 'adopt', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice@example.com' }, NOW)).toEqual({
      action: 'adopt', trigger: 'manual', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice@example.com', reason: null, requestedAt: NOW.toISOString(),
    });
    expect(invalidInputMessage(() => normalizeRequest({ action: 'adopt', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model' }, NOW))).toMatch(/Invalid adopt input.*requestedBy/);
    expect(invalidInputMessage(() => normalizeRequest({ action: 'adopt', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice, bob' }, NOW))).toMatch(/requestedBy.*tag value/);
  });

  it('takes an operator recovery by endpoint or by execution, one of the two', () => {
    expect(normalizeRequest({ action: 'recover', endpointName: 'churn-endpoint' }, NOW)).toMatchObject({ action: 'recover', trigger: 'manual', endpointName: 'churn-endpoint', executionArn: null });
    expect(normalizeRequest({ action: 'recover', executionArn: EXECUTION }, NOW)).toMatchObject({ action: 'recover', trigger: 'manual', endpointName: null, executionArn: EXECUTION });
    expect(invalidInputMessage(() => normalizeRequest({ action: 'recover' }, NOW))).toMatch(/Invalid recover input/);
    expect(invalidInputMessage(() => normalizeRequest({ action: 'recover', executionArn: 'sim-1' }, NOW))).toMatch(/Invalid recover input/);
  });

  it('takes the sweep schedule\'s input, and nothing more', () => {
    expect(normalizeRequest({ action: 'sweep' }, NOW)).toEqual({ action: 'sweep', trigger: 'schedule', backfill: false, requestedAt: NOW.toISOString() });
    expect(normalizeRequest({ action: 'sweep', backfill: true }, NOW)).toMatchObject({ action: 'sweep', backfill: true });
    expect(invalidInputMessage(() => normalizeRequest({ action: 'sweep', backfill: 'yes' }, NOW))).toMatch(/Invalid sweep input/);
    expect(invalidInputMessage(() => normalizeRequest({ action: 'sweep', endpointName: 'churn-endpoint' }, NOW))).toMatch(/Invalid sweep input/);
  });

  it("takes an operator's abort by endpoint or by execution, with an optional reason", () => {
    expect(normalizeRequest({ action: 'abort', endpointName: 'churn-endpoint', reason: 'checkout latency' }, NOW)).toEqual({
      action: 'abort',
      trigger: 'manual',
      endpointName: 'churn-endpoint',
      executionArn: null,
      reason: 'checkout latency',
      requestedAt: NOW.toISOString(),
    });
    expect(normalizeRequest({ action: 'abort', executionArn: EXECUTION }, NOW)).toMatchObject({ action: 'abort', endpointName: null, executionArn: EXECUTION, reason: null });
    expect(invalidInputMessage(() => normalizeRequest({ action: 'abort' }, NOW))).toMatch(/Invalid abort input/);
    expect(invalidInputMessage(() => normalizeRequest({ action: 'abort', endpointName: 'churn-endpoint', force: true }, NOW))).toMatch(/Invalid abort input/);
  });
});
