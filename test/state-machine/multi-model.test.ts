/**
 * Multi-model releases on the packaged ASL: the artifact is placed under the shared endpoint's
 * model prefix, smoke-tested by TargetModel, promoted by copying it over the group's live artifact, or
 * undone by restoring the previous one. The shared endpoint itself is never changed.
 */
import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createHarness, approvalEvent, type Harness } from '../support/pipeline-harness';

const SMOKE = JSON.stringify([{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }]);
const PREFIX = 's3://sagemaker-mme/shared-mme/';
const LIVE_KEY = `${PREFIX}churn.tar.gz`;
const CANDIDATE_KEY = `${PREFIX}churn/v2.tar.gz`;
const mme = (extra: Record<string, string> = {}) => ({ 'deploy.multiModelGroup': 'shared-mme', 'smoke.payloads': SMOKE, ...extra });

describe('multi-model: artifact under the shared endpoint prefix, smoke test by TargetModel, restore on failure', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.restore());

  /** The shared endpoint exactly as the platform left it, and whether the pipeline ever tried to change any endpoint. */
  const endpointUntouched = () => {
    expect(h.aws.endpoints.get('shared-mme')).toMatchObject({ configName: 'shared-mme-live', status: 'InService' });
    const sent = h.aws.sageMaker.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(sent.filter((name) => /^(Create|Update|Delete)/.test(name))).toEqual([]);
  };
  const smokeCalls = () => h.aws.runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input);
  const backupKeys = () => [...h.aws.objects.keys()].filter((k) => /churn\/previous-[0-9a-f]{8}\.tar\.gz$/.test(k));

  it('promotes: the artifact sits at its versioned key and the live key, the event names the TargetModel to call', async () => {
    // Prepare
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    const previous = h.aws.objects.get(LIVE_KEY);

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['ChooseReleaseStyle', 'StageModelArtifact', 'MultiModelSmokeTest', 'MultiModelDidSmokeTestPass', 'PromoteModelArtifact', 'RecordPromotion', 'Released']));
    for (const state of ['PrepareDeployment', 'StartDeployment', 'StartCanary', 'RollBack', 'RestoreModelArtifact']) expect(run.path).not.toContain(state);
    expect(h.aws.objects.get(CANDIDATE_KEY)?.content).toBe(candidate);
    expect(h.aws.objects.get(LIVE_KEY)?.content).toBe(candidate);
    // What was live before is kept, so it can be put back by hand.
    expect(backupKeys().map((k) => h.aws.objects.get(k))).toEqual([previous]);
    expect(smokeCalls().length).toBeGreaterThan(0);
    for (const call of smokeCalls()) {
      expect(call).toMatchObject({ EndpointName: 'shared-mme', TargetModel: 'churn/v2.tar.gz' });
      expect(call).not.toHaveProperty('TargetVariant');
    }
    endpointUntouched();
    expect(h.aws.events).toHaveLength(1);
    expect(h.aws.events[0]).toMatchObject({
      detailType: 'Model Deployment Succeeded',
      detail: {
        outcome: 'PROMOTED',
        mode: 'multi-model',
        endpointName: 'shared-mme',
        targetModel: 'churn/v2.tar.gz',
        liveTargetModel: 'churn.tar.gz',
        endpoint: { endpointName: 'shared-mme', serving: 'new' },
        reason: expect.stringContaining('call it with TargetModel churn/v2.tar.gz'),
      },
    });
    const records = [...h.ledger.records.values()];
    expect(records).toEqual([expect.objectContaining({ status: 'PROMOTED', target: 'shared-mme', mode: 'multi-model', targetModel: 'churn/v2.tar.gz', servingModel: 'new' })]);
    expect(h.ledger.leases.size).toBe(0);
  });

  it('a failed smoke test restores the previous live artifact exactly and removes the candidate', async () => {
    // Prepare
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    h.aws.objects.set(LIVE_KEY, { ...(h.aws.objects.get(LIVE_KEY) ?? { content: '', etag: '' }), metadata: { 'release-id': '0ld0ld00', 'model-package-arn': live } });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() }, { body: '0.9', contentType: 'text/csv' });
    const before = structuredClone(h.aws.objects.get(LIVE_KEY));

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/smoke test failed: .*body "0.9", expected "0.5"/);
    expect(run.path).toEqual(expect.arrayContaining(['StageModelArtifact', 'MultiModelSmokeTest', 'RestoreModelArtifact', 'RecordRollback', 'ReleaseRolledBack']));
    expect(run.path).not.toContain('PromoteModelArtifact');
    expect(run.path).not.toContain('RollBack');
    expect(h.aws.objects.get(LIVE_KEY)).toEqual(before);
    expect(h.aws.objects.has(CANDIDATE_KEY)).toBe(false);
    endpointUntouched();
    expect(h.aws.events[0]).toMatchObject({
      detailType: 'Model Deployment Rolled Back',
      detail: { trigger: 'smoke-test', targetModel: null, liveTargetModel: 'churn.tar.gz', endpoint: { serving: 'previous' } },
    });
    expect([...h.ledger.records.values()]).toEqual([expect.objectContaining({ status: 'ROLLED_BACK', servingModel: 'previous', targetModel: null })]);
  });

  it('a first release to a group with no live artifact leaves none after a failed smoke test', async () => {
    // Prepare: the endpoint already hosts another group's model, which must stay as it is.
    const other = h.aws.addPackage('fraud', 4);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { fraud: other });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() }, { body: '0.5', contentType: 'text/csv', modelError: true });
    const objectsBefore = structuredClone([...h.aws.objects]);

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(h.aws.objects.has(LIVE_KEY)).toBe(false);
    expect(h.aws.objects.has(CANDIDATE_KEY)).toBe(false);
    expect(backupKeys()).toEqual([]);
    expect([...h.aws.objects]).toEqual(objectsBefore);
    expect(h.aws.events[0]?.detail).toMatchObject({ endpoint: { serving: 'none' } });
  });

  it('a first release to a group that passes creates its live artifact', async () => {
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX);
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    expect(h.aws.objects.get(LIVE_KEY)).toMatchObject({ content: candidate, metadata: { 'model-package-arn': candidate } });
    expect(backupKeys()).toEqual([]);
  });

  it('a promotion that fails is undone: the live artifact is left as it was, the candidate removed', async () => {
    // Prepare
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    const before = structuredClone(h.aws.objects.get(LIVE_KEY));
    h.aws.s3.on(CopyObjectCommand, { Key: 'shared-mme/churn.tar.gz' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.path).toEqual(expect.arrayContaining(['PromoteModelArtifact', 'RestoreModelArtifact', 'RecordRollback']));
    expect(run.cause).toMatch(/AwsRequestRejected: CopyObject failed: AccessDenied/);
    expect(h.aws.objects.get(LIVE_KEY)).toEqual(before);
    expect(h.aws.objects.has(CANDIDATE_KEY)).toBe(false);
    expect(h.aws.events[0]?.detail).toMatchObject({ trigger: 'error', endpoint: { serving: 'previous' } });
  });

  it('a smoke test that errors (not a model verdict) is undone by restoring, never by rolling the shared endpoint back', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    h.aws.runtime.on(InvokeEndpointCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }));

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    // The smoke test's Catch goes straight to the restore: no state in between tests the style.
    expect(run.path).toEqual(expect.arrayContaining(['MultiModelSmokeTest', 'RestoreModelArtifact', 'RecordRollback']));
    expect(run.path[run.path.indexOf('MultiModelSmokeTest') + 1]).toBe('RestoreModelArtifact');
    expect(run.path).not.toContain('RollBack');
    expect(h.aws.objects.get(LIVE_KEY)?.content).toBe(live);
    expect(h.aws.objects.has(CANDIDATE_KEY)).toBe(false);
    endpointUntouched();
  });

  it('refuses an endpoint that is not a multi-model endpoint, creating and copying nothing', async () => {
    // Prepare: a real-time endpoint of that name.
    const other = h.aws.addPackage('fraud', 4);
    h.aws.addLiveEndpoint('shared-mme', other);
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    const objectsBefore = [...h.aws.objects.keys()];

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ModeNotSupported');
    expect(run.cause).toMatch(/endpoint shared-mme is not a multi-model endpoint/);
    expect(run.path).toEqual(expect.arrayContaining(['StageModelArtifact', 'RecordFailure', 'ReleaseFailed']));
    expect([...h.aws.objects.keys()]).toEqual(objectsBefore);
    expect(h.aws.s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(h.aws.endpoints.get('shared-mme')?.configName).toBe('shared-mme-live');
    expect(h.ledger.leases.size).toBe(0);
  });

  it('refuses a shared endpoint that does not exist (the pipeline never creates one)', async () => {
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/multi-model endpoint shared-mme is absent/);
    expect(h.aws.endpoints.size).toBe(0);
    expect(h.aws.s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('deploy.mode multi-model without a group is still refused before anything is claimed', async () => {
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'deploy.mode': 'multi-model' } });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ModeNotSupported');
    expect(run.path).not.toContain('ClaimRelease');
  });

  it('a restore that fails ends RollbackFailed and alerts, naming the error', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() }, { body: '0.9', contentType: 'text/csv' });
    h.aws.s3.on(DeleteObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('RollbackFailed');
    expect(run.path).toEqual(expect.arrayContaining(['RestoreModelArtifact', 'RecordRollbackFailure', 'RollbackFailed']));
    expect(run.cause).toMatch(/then the rollback failed: AwsRequestRejected: DeleteObject failed: AccessDenied/);
    expect(h.aws.events[0]).toMatchObject({ detailType: 'Model Deployment Rollback Failed', detail: { endpoint: { serving: 'mixed' } } });
  });

  it('a dry run says which objects a release would write under the prefix, and writes nothing', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    const objectsBefore = structuredClone([...h.aws.objects]);

    const run = await h.run({ modelPackageArn: candidate, dryRun: true });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({
      mode: 'multi-model',
      style: 'multi-model-artifact',
      endpointName: 'shared-mme',
      endpoint: { exists: true, status: 'InService' },
      wouldCreate: [{ type: 'S3Object', targetModel: 'churn/v2.tar.gz', from: 's3://models/churn/2/model.tar.gz' }],
      wouldChange: [{ type: 'S3Object', targetModel: 'churn.tar.gz' }],
      problems: [],
    });
    expect([...h.aws.objects]).toEqual(objectsBefore);
    expect(h.aws.events).toEqual([]);
  });

  it('an operator rollback of a shared multi-model endpoint is refused by name (a config rollback cannot undo an artifact)', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: mme() });
    expect((await h.run(approvalEvent(candidate, 'churn'))).status).toBe('SUCCEEDED');
    const objectsBefore = structuredClone([...h.aws.objects]);

    const run = await h.run({ action: 'rollback', endpointName: 'shared-mme', reason: 'test' });

    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/placed a model artifact on a shared multi-model endpoint/);
    expect([...h.aws.objects]).toEqual(objectsBefore);
    endpointUntouched();
  });
});
