import type { Context } from 'aws-lambda';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { recordOutcomeStep } from '../../../functions/record-outcome/handler';
import { ENDPOINT, EXECUTION_ARN, PACKAGE_ARN, RELEASE_ID, existingDeployment, firstDeployment, freezeNow, lambdaContext, releaseState, sdkError, throttled, handlerWith } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sageMaker = mockClient(SageMakerClient);
const eventBridge = mockClient(EventBridgeClient);
let ledger: InMemoryReleaseLedger;
/** The step with this test's ledger; its other adapters are built as in Lambda. */
const handler = (event: unknown, context: Context) => handlerWith(recordOutcomeStep, { ledger })(event, context);

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.EVENT_BUS_NAME = 'ml-releases';
  process.env.EVENT_SOURCE = 'sagemaker-release-pipeline';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  freezeNow('2024-05-01T13:00:01.000Z');
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});
afterEach(() => {
  sageMaker.reset();
  eventBridge.reset();
  jest.restoreAllMocks();
});

const deployment = existingDeployment();
const OLD_MODEL = 'churn-model-v6-0000';
const claimed = { status: 'acquired', redeploy: false, leaseExpiresAt: '2024-05-01T14:00:00.000Z', target: ENDPOINT };

/** The endpoint as DescribeEndpoint + DescribeEndpointConfig show it: variant name → [model, weight]. */
function endpointServes(config: string, variants: Record<string, [string, number]>): void {
  sageMaker.on(DescribeEndpointCommand).resolves({
    EndpointName: ENDPOINT,
    EndpointStatus: 'InService',
    EndpointConfigName: config,
    ProductionVariants: Object.entries(variants).map(([VariantName, [, CurrentWeight]]) => ({ VariantName, CurrentWeight })),
  });
  sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: config }).resolves({
    EndpointConfigName: config,
    ProductionVariants: Object.entries(variants).map(([VariantName, [ModelName]]) => ({ VariantName, ModelName })),
  });
}
const servesNew = () => endpointServes('final-config', { [deployment.newVariantName]: [deployment.modelName, 1] });
const servesOld = () => endpointServes('live-config', { 'v6-old': [OLD_MODEL, 1] });

function sentEvent() {
  const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
  if (entry === undefined) throw new Error('no event was sent');
  return { ...entry, detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown> };
}

describe('RecordOutcome handler', () => {
  it('records a promotion: ledger finished with what the endpoint serves, success event sent', async () => {
    // Prepare
    servesNew();
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'healthy', reason: 'no alarm fired during the bake; 500 canary invocations' } };

    // Act
    const out = await handler({ outcome: 'PROMOTED', state }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ outcome: 'PROMOTED', error: null, detailType: 'Model Deployment Succeeded', endpoint: { serving: 'new', configName: 'final-config' } });
    expect(ledger.finished).toHaveLength(1);
    expect(ledger.finished[0]).toMatchObject({
      releaseId: RELEASE_ID,
      modelPackageArn: PACKAGE_ARN,
      target: ENDPOINT,
      status: 'PROMOTED',
      previousConfigName: 'live-config',
      newConfigName: 'final-config',
      servingModel: 'new',
      executionArn: EXECUTION_ARN,
      reason: 'no alarm fired during the bake; 500 canary invocations',
      finishedAt: '2024-05-01T13:00:01.000Z',
      timings: { totalSeconds: 3600, sinceDeploymentSeconds: 3541 },
    });
    const event = sentEvent();
    expect(event).toMatchObject({ EventBusName: 'ml-releases', Source: 'sagemaker-release-pipeline', DetailType: 'Model Deployment Succeeded', Resources: [PACKAGE_ARN, EXECUTION_ARN] });
    expect(event.detail).toMatchObject({ outcome: 'PROMOTED', trigger: 'promoted', releaseId: RELEASE_ID, endpointName: ENDPOINT, modelPackageVersion: 7, mode: 'realtime' });
    expect(event.detail.decision).toEqual(state.plan.decision);
  });

  it('sends the outcome event once when the step runs again after it was sent (a Lambda timeout after the call), and names it with a stable eventId', async () => {
    // Prepare
    servesNew();
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'healthy', reason: 'no alarm fired during the bake; 500 canary invocations' } };

    // Act
    await handler({ outcome: 'PROMOTED', state }, lambdaContext());
    const again = await handler({ outcome: 'PROMOTED', state }, lambdaContext());

    // Assess
    expect(again).toMatchObject({ outcome: 'PROMOTED' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(sentEvent().detail.eventId).toBe(`${RELEASE_ID}.promoted`);
    expect(ledger.finished).toHaveLength(2);
    expect(ledger.finished[1]).toMatchObject({ status: 'PROMOTED', eventId: `${RELEASE_ID}.promoted`, announcedAt: '2024-05-01T13:00:01.000Z' });
  });

  it('sends the event again, with the same eventId, when the first attempt could not mark it sent', async () => {
    // Prepare
    servesNew();
    ledger.markAnnounced = async () => {
      throw Object.assign(new Error('UpdateItem failed: AccessDeniedException'), { name: 'AwsRequestRejected' });
    };
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'healthy', reason: 'no alarm fired during the bake' } };

    // Act
    await handler({ outcome: 'PROMOTED', state }, lambdaContext());
    await handler({ outcome: 'PROMOTED', state }, lambdaContext());

    // Assess: at least once, and a consumer can tell the copy by its eventId
    const ids = eventBridge.commandCalls(PutEventsCommand).map((call) => (JSON.parse(call.args[0].input.Entries?.[0]?.Detail ?? '{}') as { eventId?: string }).eventId);
    expect(ids).toEqual([`${RELEASE_ID}.promoted`, `${RELEASE_ID}.promoted`]);
  });

  it('announces the outcome once even when the ledger cannot be written, then fails with LedgerWriteFailed (not retried)', async () => {
    // Prepare
    servesOld();
    ledger.finish = async () => {
      throw Object.assign(new Error('DynamoDB PutItem failed: AccessDeniedException'), { name: 'AwsRequestRejected' });
    };
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'alarm', reason: 'alarm churn-latency-p99 is in ALARM' } };

    // Act / Assess
    await expect(handler({ outcome: 'ROLLED_BACK', state }, lambdaContext())).rejects.toMatchObject({ name: 'LedgerWriteFailed', message: expect.stringMatching(/announced but not recorded/) });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(sentEvent().detail).toMatchObject({ outcome: 'ROLLED_BACK', recorded: false, ledgerError: expect.stringContaining('AccessDenied') });
  });

  it('still records and announces the outcome when the endpoint cannot be read, saying it could not verify', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ServiceUnavailable', 503, 'The service is unavailable'));
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'alarm', reason: 'alarm churn-latency-p99 is in ALARM' } };

    // Act
    const out = await handler({ outcome: 'ROLLED_BACK', state }, lambdaContext());

    // Assess
    // No rollback check in this state, so the last check cannot vouch for either model.
    expect(out).toMatchObject({ outcome: 'ROLLED_BACK', endpoint: { serving: 'unknown' } });
    expect(out.cause).toMatch(/the final read of the endpoint failed/);
    expect(ledger.finished[0]).toMatchObject({ status: 'ROLLED_BACK', servingModel: 'unknown' });
    expect(sentEvent().DetailType).toBe('Model Deployment Rolled Back');
  });

  it('records and announces who approved the package and who started the run', async () => {
    servesNew();
    const base = releaseState();
    const state = { ...base, request: { ...base.request, trigger: 'manual', requestedBy: 'bob@example.com' }, package: { ...base.package, approvedBy: 'arn:aws:sts::123456789012:assumed-role/ml-approver/alice' }, claim: claimed, deployment, canaryCheck: { verdict: 'healthy', reason: 'ok' } };
    await handler({ outcome: 'PROMOTED', state }, lambdaContext());
    const who = { approvedBy: 'arn:aws:sts::123456789012:assumed-role/ml-approver/alice', requestedBy: 'bob@example.com' };
    expect(ledger.finished[0]).toMatchObject(who);
    expect(sentEvent().detail).toMatchObject(who);
  });

  it("makes a promoted model the group's model for nightly scoring, and a rolled-back one never", async () => {
    servesNew();
    await handler({ outcome: 'PROMOTED', state: { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'healthy', reason: 'ok' } } }, lambdaContext());
    expect(ledger.batchModels.get('churn-model')).toMatchObject({ modelPackageArn: PACKAGE_ARN, modelName: 'churn-model-v7-batch', releaseId: RELEASE_ID });

    ledger.batchModels.clear();
    servesOld();
    await handler({ outcome: 'ROLLED_BACK', state: { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'alarm', reason: 'alarm' } } }, lambdaContext());
    expect(ledger.batchModels.size).toBe(0);
  });

  it('records a release an operator took over mid-bake as DRIFTED, with what the endpoint serves, and never escalates it', async () => {
    servesNew();
    ledger.claims.set(PACKAGE_ARN, { releaseId: RELEASE_ID, status: 'IN_PROGRESS' });
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'drifted', reason: 'someone else changed the endpoint during the bake: the endpoint runs config hotfix' } };

    const out = await handler({ outcome: 'DRIFTED', state }, lambdaContext());

    expect(out).toMatchObject({ outcome: 'DRIFTED', error: 'ReleaseDrifted', detailType: 'Model Deployment Drifted' });
    expect(ledger.finished[0]).toMatchObject({ status: 'DRIFTED', reason: expect.stringContaining('runs config hotfix') });
    expect(ledger.leases.size).toBe(0);
    expect(ledger.batchModels.size).toBe(0);
    expect(sentEvent().detail).toMatchObject({ outcome: 'DRIFTED', trigger: 'drift' });
  });

  it('records a rollback made because the registry rejected the package as REVOKED: the run succeeds, and a re-approval releases it again', async () => {
    servesOld();
    ledger.claims.set(PACKAGE_ARN, { releaseId: RELEASE_ID, status: 'IN_PROGRESS' });
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'revoked', reason: 'the package is Rejected in the model registry now, no longer Approved: its traffic is taken away and the endpoint rolled back' } };

    const out = await handler({ outcome: 'ROLLED_BACK', state }, lambdaContext());

    expect(out).toMatchObject({ outcome: 'REVOKED', error: null, detailType: 'Model Deployment Revoked' });
    expect(ledger.finished[0]).toMatchObject({ status: 'REVOKED', servingModel: 'previous' });
    expect(ledger.claims.get(PACKAGE_ARN)?.status).toBe('REVOKED');
    expect(sentEvent().detail).toMatchObject({ outcome: 'REVOKED', trigger: 'registry', reason: expect.stringContaining('Rejected in the model registry') });
  });

  it('records a rollback that left the endpoint on the old model as ROLLED_BACK', async () => {
    // Prepare
    servesOld();
    const state = { ...releaseState(), claim: claimed, deployment, canaryCheck: { verdict: 'alarm', reason: 'alarm churn-latency-p99 is in ALARM' } };

    // Act
    const out = await handler({ outcome: 'ROLLED_BACK', state }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ outcome: 'ROLLED_BACK', error: 'ReleaseRolledBack', cause: 'canary alarm: alarm churn-latency-p99 is in ALARM', detailType: 'Model Deployment Rolled Back' });
    expect(ledger.finished[0]).toMatchObject({ status: 'ROLLED_BACK', servingModel: 'previous' });
    expect(sentEvent().DetailType).toBe('Model Deployment Rolled Back');
  });

  it('escalates a "rolled back" endpoint that still serves the new model to ROLLBACK_FAILED', async () => {
    // Prepare
    servesNew();
    const state = { ...releaseState(), claim: claimed, deployment, smoke: { passed: false, reason: '1 of 1 smoke payloads failed' } };

    // Act
    const out = await handler({ outcome: 'ROLLED_BACK', state }, lambdaContext());

    // Assess
    expect(out.outcome).toBe('ROLLBACK_FAILED');
    expect(out.error).toBe('RollbackFailed');
    expect(out.cause).toContain('the endpoint still serves the new model');
    expect(ledger.finished[0]?.status).toBe('ROLLBACK_FAILED');
    expect(sentEvent().DetailType).toBe('Model Deployment Rollback Failed');
  });

  it('escalates an endpoint left serving both models', async () => {
    endpointServes(deployment.newConfigName, { 'v6-old': [OLD_MODEL, 90], [deployment.newVariantName]: [deployment.modelName, 10] });
    const out = await handler({ outcome: 'ROLLED_BACK', state: { ...releaseState(), claim: claimed, deployment } }, lambdaContext());
    expect(out).toMatchObject({ outcome: 'ROLLBACK_FAILED', endpoint: { serving: 'mixed' } });
  });

  it('does not report a promotion that left the endpoint serving both models as a success', async () => {
    endpointServes(deployment.newConfigName, { 'v6-old': [OLD_MODEL, 50], [deployment.newVariantName]: [deployment.modelName, 50] });
    const out = await handler({ outcome: 'PROMOTED', state: { ...releaseState(), claim: claimed, deployment } }, lambdaContext());
    expect(out.outcome).not.toBe('PROMOTED');
    expect(out.error).not.toBeNull();
    expect(ledger.finished[0]?.status).not.toBe('PROMOTED');
  });

  it('ignores variants at weight 0 when saying what the endpoint serves', async () => {
    endpointServes(deployment.newConfigName, { 'v6-old': [OLD_MODEL, 1], [deployment.newVariantName]: [deployment.modelName, 0] });
    const out = await handler({ outcome: 'ROLLED_BACK', state: { ...releaseState(), claim: claimed, deployment } }, lambdaContext());
    expect(out).toMatchObject({ outcome: 'ROLLED_BACK', endpoint: { serving: 'previous' } });
  });

  it('a first deployment rolled back by deleting the endpoint serves none, and stays ROLLED_BACK', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`));
    const out = await handler({ outcome: 'ROLLED_BACK', state: { ...releaseState(), claim: claimed, deployment: firstDeployment() } }, lambdaContext());
    expect(out).toMatchObject({ outcome: 'ROLLED_BACK', endpoint: { serving: 'none', status: 'absent' } });
    expect(sageMaker.commandCalls(DescribeEndpointConfigCommand)).toHaveLength(0);
  });

  it('records a duplicate as SKIPPED without touching the ledger (the claim is not ours)', async () => {
    // Prepare
    const state = { ...releaseState(), claim: { status: 'duplicate', existingReleaseId: 'first000', existingStatus: 'PROMOTED', target: ENDPOINT } };
    ledger.claims.set(PACKAGE_ARN, { releaseId: 'first000', status: 'PROMOTED' });

    // Act
    const out = await handler({ outcome: 'SKIPPED', state }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ outcome: 'SKIPPED', error: null, detailType: 'Model Deployment Skipped', endpoint: null });
    expect(ledger.finished).toHaveLength(0);
    expect(ledger.claims.get(PACKAGE_ARN)).toEqual({ releaseId: 'first000', status: 'PROMOTED' });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(sentEvent().detail.reason).toContain('release first000 (PROMOTED)');
  });

  it('records a stale approval as SKIPPED with StaleApproval, naming the newer version, touching no claim of another release', async () => {
    // Prepare: version 8 was promoted on the endpoint; version 7's approval came late.
    const state = { ...releaseState(), claim: { status: 'stale', newerReleaseId: 'newer008', newerVersion: 8, newerStatus: 'PROMOTED', target: ENDPOINT } };
    ledger.claims.set(PACKAGE_ARN.replace(/\/7$/, '/8'), { releaseId: 'newer008', status: 'PROMOTED' });

    // Act
    const out = await handler({ outcome: 'SKIPPED', state }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ outcome: 'SKIPPED', error: null, detailType: 'Model Deployment Skipped' });
    expect(ledger.finished).toHaveLength(0);
    expect(ledger.claims.get(PACKAGE_ARN)).toBeUndefined();
    expect(sentEvent().detail).toMatchObject({
      trigger: 'stale-approval',
      reason: 'StaleApproval: version 7 is not newer than version 8 of the group, which was promoted on churn-endpoint (release newer008); an older version never replaces a newer one: use a manual run with "force": true to release it anyway',
    });
  });

  it('records a failure before the claim without touching the ledger, quoting the Lambda error message', async () => {
    // Prepare
    const { plan: _p, ...beforePlan } = releaseState();
    const error = { Error: 'InvalidSettings', Cause: JSON.stringify({ errorType: 'InvalidSettings', errorMessage: 'canary.bakeMinute: unknown setting' }) };

    // Act
    const out = await handler({ outcome: 'FAILED', state: { ...beforePlan, error } }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ outcome: 'FAILED', error: 'InvalidSettings', cause: 'InvalidSettings: canary.bakeMinute: unknown setting', detailType: 'Model Deployment Failed' });
    expect(ledger.finished).toHaveLength(0);
    expect(sentEvent().detail).toMatchObject({ outcome: 'FAILED', trigger: 'error', releaseId: null });
  });

  it('finishes the ledger for a release that gave up in the queue (it owns the package claim), saying what the untouched endpoint serves', async () => {
    // Prepare
    servesOld();
    const queued = { status: 'queued', queuePosition: 1, holder: 'older000', target: ENDPOINT, waitingSince: '2024-05-01T12:00:00.000Z' };
    const error = { Error: 'EndpointBusy', Cause: JSON.stringify({ errorMessage: 'churn-endpoint has been busy' }) };

    // Act
    await handler({ outcome: 'FAILED', state: { ...releaseState(), claim: queued, error } }, lambdaContext());

    // Assess
    expect(ledger.finished).toHaveLength(1);
    expect(ledger.finished[0]).toMatchObject({ status: 'FAILED', target: ENDPOINT, reason: 'EndpointBusy: churn-endpoint has been busy', servingModel: 'previous' });
  });

  it('fails with AwsUnavailable when EventBridge did not take the event', async () => {
    servesNew();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(handler({ outcome: 'PROMOTED', state: { ...releaseState(), claim: claimed, deployment } }, lambdaContext())).rejects.toMatchObject({
      name: 'AwsUnavailable',
      message: 'PutEvents failed: InternalFailure: try again',
    });
  });

  it('reports a throttled PutEvents as AwsThrottled', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttled());
    await expect(handler({ outcome: 'FAILED', state: releaseState() }, lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
  });

  it('refuses an unknown outcome, writing nothing', async () => {
    await expect(handler({ outcome: 'DONE', state: releaseState() }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('outcome') });
    expect(eventBridge.calls()).toHaveLength(0);
    expect(ledger.finished).toHaveLength(0);
  });

  describe('multi-model releases (the shared endpoint never changes; its variants are not judged)', () => {
    const ARTIFACT = {
      prefix: 's3://platform-models/mme/',
      sourceUrl: 's3://models/churn/7/model.tar.gz',
      candidateKey: 's3://platform-models/mme/churn-model/v7.tar.gz',
      liveKey: 's3://platform-models/mme/churn-model.tar.gz',
      backupKey: 's3://platform-models/mme/churn-model/previous-a1b2c3d4.tar.gz',
      liveETag: '"e"',
      candidateCreated: true,
      targetModel: 'churn-model/v7.tar.gz',
      liveTargetModel: 'churn-model.tar.gz',
    };
    const mme = existingDeployment({
      endpointName: 'shared-mme',
      style: 'multi-model-artifact',
      targetVariant: null,
      targetModel: 'churn-model/v7.tar.gz',
      previousConfigName: 'mme-config',
      newConfigName: 'mme-config',
      liveVariantName: 'AllTraffic',
      newVariantName: 'AllTraffic',
      modelName: 'mme-model',
      artifact: ARTIFACT,
    });
    const mmeServes = () => {
      sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'shared-mme', EndpointStatus: 'InService', EndpointConfigName: 'mme-config', ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1 }] });
    };
    const mmeState = (extra: Record<string, unknown>) => ({ ...releaseState({ 'deploy.multiModelGroup': 'shared-mme' }, 'shared-mme'), claim: { ...claimed, target: 'shared-mme' }, deployment: mme, ...extra });

    it('a promotion publishes the versioned TargetModel to call, in the event and the ledger', async () => {
      mmeServes();

      const out = await handler({ outcome: 'PROMOTED', state: mmeState({ smoke: { passed: true, reason: '1 of 1 smoke payloads passed' } }) }, lambdaContext());

      expect(out).toMatchObject({ outcome: 'PROMOTED', error: null, endpoint: { endpointName: 'shared-mme', serving: 'new', configName: 'mme-config' } });
      expect(ledger.finished[0]).toMatchObject({ status: 'PROMOTED', target: 'shared-mme', servingModel: 'new', targetModel: 'churn-model/v7.tar.gz', reason: '1 of 1 smoke payloads passed; call it with TargetModel churn-model/v7.tar.gz' });
      expect(sentEvent().detail).toMatchObject({ mode: 'multi-model', targetModel: 'churn-model/v7.tar.gz', liveTargetModel: 'churn-model.tar.gz', endpoint: { serving: 'new' } });
      // Only DescribeEndpoint: the variants' models are not looked at.
      expect(sageMaker.commandCalls(DescribeEndpointConfigCommand)).toHaveLength(0);
    });

    it('a restore reports the previous artifact (or none for a group that had none), with no TargetModel to call', async () => {
      mmeServes();
      await handler({ outcome: 'ROLLED_BACK', state: mmeState({ smoke: { passed: false, reason: 'payload 0 failed' } }) }, lambdaContext());
      expect(ledger.finished[0]).toMatchObject({ status: 'ROLLED_BACK', servingModel: 'previous', targetModel: null });
      expect(sentEvent().detail).toMatchObject({ trigger: 'smoke-test', targetModel: null, endpoint: { serving: 'previous' } });

      const first = { ...mme, artifact: { ...ARTIFACT, backupKey: null } };
      const out = await handler({ outcome: 'ROLLED_BACK', state: mmeState({ deployment: first, smoke: { passed: false, reason: 'payload 0 failed' } }) }, lambdaContext());
      expect(out.endpoint).toMatchObject({ serving: 'none' });
    });

    it('a failed restore is escalated as ROLLBACK_FAILED, naming the error', async () => {
      mmeServes();
      const rollbackError = { Error: 'AwsRequestRejected', Cause: JSON.stringify({ errorMessage: 'CopyObject failed: AccessDenied: Access Denied' }) };
      const out = await handler({ outcome: 'ROLLBACK_FAILED', state: mmeState({ smoke: { passed: false, reason: 'payload 0 failed' }, rollbackError }) }, lambdaContext());
      expect(out).toMatchObject({ outcome: 'ROLLBACK_FAILED', error: 'RollbackFailed', endpoint: { serving: 'mixed' } });
      expect(out.cause).toContain('then the rollback failed: AwsRequestRejected: CopyObject failed: AccessDenied');
    });
  });
});
