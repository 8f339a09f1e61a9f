/**
 * Multi-model releases on the local account: the artifact is placed under the shared endpoint's model
 * prefix, smoke-tested by TargetModel, promoted by copying it over the group's live artifact, or undone by
 * restoring the previous one. The shared endpoint itself is never changed.
 */
import { approvalEvent, itemsOf, modelArchive, useMoto, useSimHarness } from '../support/sim-harness';

const SMOKE = [{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }];
const PREFIX = 's3://sagemaker-local-data/mme/shared-mme/';
const LIVE_KEY = `${PREFIX}churn.tar.gz`;
const CANDIDATE_KEY = `${PREFIX}churn/v2.tar.gz`;
const mme = (extra: Record<string, string> = {}) => ({ 'deploy.multiModelGroup': 'shared-mme', ...extra });

const moto = useMoto();
const h = useSimHarness(moto);

/** Every object under the prefix with what it holds, to compare before and after. */
async function objectsUnder(prefix = PREFIX): Promise<[string, unknown][]> {
  const keys = await h.listObjects(prefix);
  return Promise.all(keys.map(async (k) => [k, await h.object(k)] as [string, unknown]));
}

/** The pipeline's requests since the run began (the simulator's request log). */
const requests = () => h.account.sim.requestLog();

describe('multi-model: artifact under the shared endpoint prefix, smoke test by TargetModel, restore on failure', () => {
  /** The shared endpoint exactly as the platform left it, and whether the pipeline ever tried to change any endpoint. */
  const endpointUntouched = async () => {
    expect(await h.endpoint('shared-mme')).toMatchObject({ configName: 'shared-mme-config', status: 'InService' });
    const changes = requests().filter((r) => r.service === 'sagemaker' && /^(Create|Update|Delete)/.test(r.operation));
    expect(changes).toEqual([]);
  };
  const smokeCalls = () => requests().filter((r) => r.service === 'sagemaker-runtime' && r.operation === 'InvokeEndpoint');
  const backupKeys = async () => (await h.listObjects(`${PREFIX}churn/`)).filter((k) => /churn\/previous-[0-9a-f]{8}\.tar\.gz$/.test(k));

  it('promotes: the artifact sits at its versioned key and the live key, the event names the TargetModel to call', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    const previous = await h.object(LIVE_KEY);
    h.account.sim.resetRequestLog();

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['ChooseReleaseStyle', 'StageModelArtifact', 'MultiModelSmokeTest', 'MultiModelDidSmokeTestPass', 'PromoteModelArtifact', 'RecordPromotion', 'Released']));
    for (const state of ['PrepareDeployment', 'StartDeployment', 'StartCanary', 'RollBack', 'RestoreModelArtifact']) expect(run.path).not.toContain(state);
    expect((await h.object(CANDIDATE_KEY))?.body).toBe(candidate);
    expect((await h.object(LIVE_KEY))?.body).toBe(candidate);
    // What was live before is kept, so it can be put back by hand.
    const backups = await backupKeys();
    expect(await Promise.all(backups.map(async (k) => (await h.object(k))?.body))).toEqual([previous?.body]);
    expect(smokeCalls().length).toBeGreaterThan(0);
    for (const call of smokeCalls()) {
      expect(call).toMatchObject({ endpointName: 'shared-mme', targetModel: 'churn/v2.tar.gz' });
      expect(call).not.toHaveProperty('targetVariant');
    }
    await endpointUntouched();
    const events = await h.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
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
    const items = await h.ledgerItems();
    expect(itemsOf(items, 'records')).toEqual([expect.objectContaining({ status: 'PROMOTED', target: 'shared-mme', mode: 'multi-model', targetModel: 'churn/v2.tar.gz', servingModel: 'new' })]);
    expect(itemsOf(items, 'leases')).toHaveLength(0);
  });

  it('a failed smoke test restores the previous live artifact exactly and removes the candidate', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    await h.putObject(LIVE_KEY, live, { 'release-id': '0ld0ld00', 'model-package-arn': live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme(), behaviour: { body: '0.9' } });
    const before = await h.object(LIVE_KEY);
    h.account.sim.resetRequestLog();

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/smoke test failed: .*body "0.9", expected "0.5"/);
    expect(run.path).toEqual(expect.arrayContaining(['StageModelArtifact', 'MultiModelSmokeTest', 'RestoreModelArtifact', 'RecordRollback', 'ReleaseRolledBack']));
    expect(run.path).not.toContain('PromoteModelArtifact');
    expect(run.path).not.toContain('RollBack');
    expect(await h.object(LIVE_KEY)).toEqual(before);
    expect(await h.object(CANDIDATE_KEY)).toBeNull();
    await endpointUntouched();
    expect((await h.events())[0]).toMatchObject({
      detailType: 'Model Deployment Rolled Back',
      detail: { trigger: 'smoke-test', targetModel: null, liveTargetModel: 'churn.tar.gz', endpoint: { serving: 'previous' } },
    });
    expect(itemsOf(await h.ledgerItems(), 'records')).toEqual([expect.objectContaining({ status: 'ROLLED_BACK', servingModel: 'previous', targetModel: null })]);
  });

  it('a first release to a group with no live artifact leaves none after a failed smoke test', async () => {
    // Prepare: the endpoint already hosts another group's model, which must stay as it is.
    const other = await h.addPackage('fraud');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { fraud: other });
    await h.addPackage('churn');
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme(), behaviour: { errorRate: 1 } });
    const objectsBefore = await objectsUnder();

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(await h.object(LIVE_KEY)).toBeNull();
    expect(await h.object(CANDIDATE_KEY)).toBeNull();
    expect(await backupKeys()).toEqual([]);
    expect(await objectsUnder()).toEqual(objectsBefore);
    expect((await h.events())[0]?.detail).toMatchObject({ endpoint: { serving: 'none' } });
  });

  it('a first release to a group that passes creates its live artifact', async () => {
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX);
    await h.addPackage('churn');
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    expect(await h.object(LIVE_KEY)).toMatchObject({ body: candidate, metadata: { 'model-package-arn': candidate } });
    expect(await backupKeys()).toEqual([]);
  });

  it('a promotion that fails is undone: the live artifact is left as it was, the candidate removed', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    const before = await h.object(LIVE_KEY);
    // Only the copy onto the live key is refused (the backup and the staging copies go elsewhere).
    h.account.sim.injectFault({ service: 's3', operation: 'CopyObject', pathIncludes: 'shared-mme/churn.tar.gz', kind: 'denied', times: 'always' });

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.path).toEqual(expect.arrayContaining(['PromoteModelArtifact', 'RestoreModelArtifact', 'RecordRollback']));
    expect(run.cause).toMatch(/AwsRequestRejected: CopyObject failed: AccessDenied/);
    expect(await h.object(LIVE_KEY)).toEqual(before);
    expect(await h.object(CANDIDATE_KEY)).toBeNull();
    expect((await h.events())[0]?.detail).toMatchObject({ trigger: 'error', endpoint: { serving: 'previous' } });
  });

  it('a smoke test that errors (not a model verdict) is undone by restoring, never by rolling the shared endpoint back', async () => {
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    h.account.sim.injectFault({ service: 'sagemaker-runtime', operation: 'InvokeEndpoint', kind: '5xx', times: 'always' });
    h.account.sim.resetRequestLog();

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    // The smoke test's Catch goes straight to the restore: no state in between tests the style.
    expect(run.path).toEqual(expect.arrayContaining(['MultiModelSmokeTest', 'RestoreModelArtifact', 'RecordRollback']));
    expect(run.path[run.path.indexOf('MultiModelSmokeTest') + 1]).toBe('RestoreModelArtifact');
    expect(run.path).not.toContain('RollBack');
    expect((await h.object(LIVE_KEY))?.body).toBe(live);
    expect(await h.object(CANDIDATE_KEY)).toBeNull();
    await endpointUntouched();
  });

  it("refuses a shared endpoint whose model prefix is outside the stage's multiModelLocations, copying nothing", async () => {
    // Prepare: the platform's endpoint loads models from a bucket the stage does not name.
    const outside = 's3://sagemaker-us-east-1-123456789012/platform-mme/';
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', outside, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    const objectsBefore = await objectsUnder(outside);
    h.account.sim.resetRequestLog();

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('EndpointNotManaged');
    expect(run.cause).toMatch(/its model prefix s3:\/\/sagemaker-us-east-1-123456789012\/platform-mme\/ is outside the stage's multiModelLocations \(s3:\/\/sagemaker-local-data\/mme\/\)/);
    expect(await objectsUnder(outside)).toEqual(objectsBefore);
    expect(requests().filter((r) => r.service === 's3' && r.operation === 'CopyObject')).toHaveLength(0);
    await endpointUntouched();
    expect(itemsOf(await h.ledgerItems(), 'leases')).toHaveLength(0);
  });

  it('refuses an endpoint that is not a multi-model endpoint, creating and copying nothing', async () => {
    // Prepare: a real-time endpoint of that name.
    const other = await h.addPackage('fraud');
    await h.addLiveEndpoint('shared-mme', other);
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    const objectsBefore = await objectsUnder('s3://sagemaker-local-data/mme/');
    h.account.sim.resetRequestLog();

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ModeNotSupported');
    expect(run.cause).toMatch(/endpoint shared-mme is not a multi-model endpoint/);
    expect(run.path).toEqual(expect.arrayContaining(['StageModelArtifact', 'RecordFailure', 'ReleaseFailed']));
    expect(await objectsUnder('s3://sagemaker-local-data/mme/')).toEqual(objectsBefore);
    expect(requests().filter((r) => r.service === 's3' && r.operation === 'CopyObject')).toHaveLength(0);
    expect((await h.endpoint('shared-mme'))?.configName).toBe('shared-mme-live');
    expect(itemsOf(await h.ledgerItems(), 'leases')).toHaveLength(0);
  });

  it('refuses a shared endpoint that does not exist (the pipeline never creates one)', async () => {
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    h.account.sim.resetRequestLog();

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/multi-model endpoint shared-mme is absent/);
    expect(await h.endpoint('shared-mme')).toBeNull();
    expect(requests().filter((r) => r.service === 's3' && r.operation === 'CopyObject')).toHaveLength(0);
  });

  it('deploy.mode multi-model without a group is still refused before anything is claimed', async () => {
    const candidate = await h.addPackage('churn', { metadata: { 'deploy.mode': 'multi-model' } });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ModeNotSupported');
    expect(run.path).not.toContain('ClaimRelease');
  });

  it('a restore that fails ends RollbackFailed and alerts, naming the error', async () => {
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme(), behaviour: { body: '0.9' } });
    h.account.sim.injectFault({ service: 's3', operation: 'DeleteObject', kind: 'denied', times: 'always' });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('RollbackFailed');
    expect(run.path).toEqual(expect.arrayContaining(['RestoreModelArtifact', 'RecordRollbackFailure', 'RollbackFailed']));
    expect(run.cause).toMatch(/then the rollback failed: AwsRequestRejected: DeleteObject failed: AccessDenied/);
    expect((await h.events())[0]).toMatchObject({ detailType: 'Model Deployment Rollback Failed', detail: { endpoint: { serving: 'mixed' } } });
  });

  it('a dry run says which objects a release would write under the prefix, and writes nothing', async () => {
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    const objectsBefore = await objectsUnder();

    const run = await h.run({ modelPackageArn: candidate, dryRun: true });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({
      mode: 'multi-model',
      style: 'multi-model-artifact',
      endpointName: 'shared-mme',
      endpoint: { exists: true, status: 'InService' },
      wouldCreate: [{ type: 'S3Object', targetModel: 'churn/v2.tar.gz', from: modelArchive('churn', 2) }],
      wouldChange: [{ type: 'S3Object', targetModel: 'churn.tar.gz' }],
      problems: [],
    });
    expect(await objectsUnder()).toEqual(objectsBefore);
    expect(await h.events()).toEqual([]);
  });

  it('an operator rollback of a shared multi-model endpoint is refused by name (a config rollback cannot undo an artifact)', async () => {
    const live = await h.addPackage('churn');
    await h.addSharedMultiModelEndpoint('shared-mme', PREFIX, { churn: live });
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: mme() });
    expect((await h.run(approvalEvent(candidate, 'churn'))).status).toBe('SUCCEEDED');
    const objectsBefore = await objectsUnder();
    h.account.sim.resetRequestLog();

    const run = await h.run({ action: 'rollback', endpointName: 'shared-mme', reason: 'test' });

    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/placed a model artifact on a shared multi-model endpoint/);
    expect(await objectsUnder()).toEqual(objectsBefore);
    await endpointUntouched();
  });
});
