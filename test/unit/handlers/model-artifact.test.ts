import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, SageMakerClient, type ContainerDefinition } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as stage } from '../../../functions/stage-model-artifact/handler';
import { handler as promote } from '../../../functions/promote-model-artifact/handler';
import { handler as restore } from '../../../functions/restore-model-artifact/handler';
import type { ModelArtifact } from '../../../functions/shared/domain/model-artifact';
import type { Deployment } from '../../../functions/shared/domain/state';
import { PACKAGE_ARN, RELEASE_ID, existingDeployment, freezeNow, lambdaContext, modelPackage, releaseState, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
beforeEach(() => freezeNow('2024-05-01T12:10:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  s3.reset();
  jest.restoreAllMocks();
});

const MME = 'shared-mme';
const PREFIX = 's3://platform-models/mme/';
const LIVE = `${PREFIX}churn-model.tar.gz`;
const CANDIDATE = `${PREFIX}churn-model/v7.tar.gz`;
const BACKUP = `${PREFIX}churn-model/previous-${RELEASE_ID}.tar.gz`;
const SOURCE = 's3://models/churn/7/model.tar.gz';
const notFound = () => sdkError('NotFound', 404, 'Not Found');
const s3Writes = () => [...s3.commandCalls(CopyObjectCommand), ...s3.commandCalls(DeleteObjectCommand)];
const copies = () => s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);

const mmeState = (extra: Record<string, unknown> = {}) => ({ ...releaseState({ 'deploy.multiModelGroup': MME }, MME), ...extra });

/** The shared endpoint: InService, one variant, its model a container of `container`. */
function sharedEndpoint(container: ContainerDefinition = { Mode: 'MultiModel', ModelDataUrl: PREFIX, Image: 'xgb:1' }, status: 'InService' | 'Updating' = 'InService'): void {
  sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: MME, EndpointStatus: status, EndpointConfigName: 'mme-config', ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1 }] });
  sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: 'mme-config', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'mme-model' }] });
  sageMaker.on(DescribeModelCommand).resolves({ ModelName: 'mme-model', PrimaryContainer: container });
}

/** S3 as HeadObject sees it: key → user metadata (absent keys answer 404). */
function objects(present: Record<string, Record<string, string>>): void {
  s3.on(HeadObjectCommand).rejects(notFound());
  for (const [uri, metadata] of Object.entries(present)) {
    const [, Bucket, Key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
    s3.on(HeadObjectCommand, { Bucket, Key }).resolves({ ETag: `"etag-of-${Key}"`, Metadata: metadata });
  }
  s3.on(CopyObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
}

function artifact(overrides: Partial<ModelArtifact> = {}): ModelArtifact {
  return {
    prefix: PREFIX,
    sourceUrl: SOURCE,
    candidateKey: CANDIDATE,
    liveKey: LIVE,
    backupKey: BACKUP,
    liveETag: '"etag-of-mme/churn-model.tar.gz"',
    candidateCreated: true,
    targetModel: 'churn-model/v7.tar.gz',
    liveTargetModel: 'churn-model.tar.gz',
    ...overrides,
  };
}

function mmeDeployment(a: Partial<ModelArtifact> = {}): Deployment {
  return {
    endpointName: MME,
    style: 'multi-model-artifact',
    targetVariant: null,
    targetModel: 'churn-model/v7.tar.gz',
    firstDeployment: false,
    previousConfigName: 'mme-config',
    liveVariantName: 'AllTraffic',
    newVariantName: 'AllTraffic',
    newConfigName: 'mme-config',
    modelName: 'mme-model',
    startedAt: '2024-05-01T12:01:00.000Z',
    artifact: artifact(a),
  };
}

describe('StageModelArtifact handler', () => {
  it('keeps a copy of the live artifact first, then copies the package artifact to its versioned key', async () => {
    // Prepare
    sharedEndpoint();
    objects({ [LIVE]: { 'release-id': 'earlier1' } });

    // Act
    const out = await stage(mmeState(), lambdaContext());

    // Assess
    expect(copies()).toEqual([
      { Bucket: 'platform-models', Key: 'mme/churn-model/previous-a1b2c3d4.tar.gz', CopySource: 'platform-models/mme/churn-model.tar.gz', MetadataDirective: 'COPY' },
      {
        Bucket: 'platform-models',
        Key: 'mme/churn-model/v7.tar.gz',
        CopySource: 'models/churn/7/model.tar.gz',
        MetadataDirective: 'REPLACE',
        Metadata: { 'release-id': RELEASE_ID, 'model-package-arn': PACKAGE_ARN },
      },
    ]);
    expect(out).toEqual({
      endpointName: MME,
      style: 'multi-model-artifact',
      targetVariant: null,
      targetModel: 'churn-model/v7.tar.gz',
      firstDeployment: false,
      previousConfigName: 'mme-config',
      liveVariantName: 'AllTraffic',
      newVariantName: 'AllTraffic',
      newConfigName: 'mme-config',
      modelName: 'mme-model',
      startedAt: '2024-05-01T12:10:00.000Z',
      artifact: artifact(),
    });
  });

  it('records no backup when the group has no live artifact yet', async () => {
    sharedEndpoint({ Mode: 'MultiModel', ModelDataUrl: 's3://platform-models/mme' });
    objects({});

    const out = await stage(mmeState(), lambdaContext());

    expect(out.artifact).toMatchObject({ prefix: PREFIX, backupKey: null, liveETag: null, candidateCreated: true });
    expect(copies().map((c) => c.Key)).toEqual(['mme/churn-model/v7.tar.gz']);
  });

  it('reuses a versioned key an earlier release wrote (never overwritten, never deleted by this one)', async () => {
    sharedEndpoint();
    objects({ [CANDIDATE]: { 'release-id': 'earlier1' } });

    const out = await stage(mmeState(), lambdaContext());

    expect(out.artifact.candidateCreated).toBe(false);
    expect(copies()).toEqual([]);
  });

  it('on a retry, recognises the candidate it copied itself', async () => {
    sharedEndpoint();
    objects({ [CANDIDATE]: { 'release-id': RELEASE_ID } });

    const out = await stage(mmeState(), lambdaContext());

    expect(out.artifact.candidateCreated).toBe(true);
  });

  it.each<[string, ContainerDefinition]>([
    ['a single-model container', { Mode: 'SingleModel', ModelDataUrl: 's3://models/fraud/model.tar.gz' }],
    ['no mode at all', { ModelDataUrl: 's3://models/fraud/model.tar.gz' }],
    ['a multi-model container without an s3 prefix', { Mode: 'MultiModel' }],
  ])('refuses an endpoint whose model is %s with ModeNotSupported, copying nothing', async (_what, container) => {
    sharedEndpoint(container);
    objects({});

    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported', message: expect.stringContaining('endpoint shared-mme is not a multi-model endpoint') });
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses an endpoint with several variants', async () => {
    sharedEndpoint();
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ ProductionVariants: [{ VariantName: 'a', ModelName: 'm1' }, { VariantName: 'b', ModelName: 'm2' }] });

    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported', message: expect.stringContaining('has 2 variants') });
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses an endpoint that is absent or not InService with EndpointStateConflict, changing nothing', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, `Could not find endpoint "${MME}".`));
    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('is absent') });

    sageMaker.reset();
    sharedEndpoint(undefined, 'Updating');
    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('is Updating') });
    expect(s3.calls()).toHaveLength(0);
  });

  it.each([
    ['two containers', [{ image: 'a:1', modelDataUrl: 's3://models/a.tar.gz' }, { image: 'b:1', modelDataUrl: 's3://models/b.tar.gz' }]],
    ['no ModelDataUrl (the model is in the image)', [{ image: 'a:1', modelDataUrl: null }]],
    ['a ModelDataUrl that is a prefix', [{ image: 'a:1', modelDataUrl: 's3://models/churn/' }]],
  ])('refuses a package with %s before any AWS call', async (_what, containers) => {
    await expect(stage({ ...mmeState(), package: modelPackage({ containers }) }, lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported' });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses a plan of another style with InvalidInput and makes no AWS call', async () => {
    await expect(stage(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('not style variant-canary') });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('refuses malformed input with InvalidInput naming the field', async () => {
    await expect(stage({ ...mmeState(), plan: { releaseId: 1 } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('plan') });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('turns throttling and 5xx into retryable errors', async () => {
    sharedEndpoint();
    objects({});
    s3.on(CopyObjectCommand).rejects(throttled());
    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
    s3.on(CopyObjectCommand).rejects(serviceDown());
    await expect(stage(mmeState(), lambdaContext())).rejects.toMatchObject({ name: 'AwsUnavailable' });
  });
});

describe('PromoteModelArtifact handler', () => {
  it('copies the candidate over the live artifact, marked as this release', async () => {
    objects({ [LIVE]: { 'release-id': 'earlier1' } });

    const out = await promote(mmeState({ deployment: mmeDeployment() }), lambdaContext());

    expect(copies()).toEqual([
      {
        Bucket: 'platform-models',
        Key: 'mme/churn-model.tar.gz',
        CopySource: 'platform-models/mme/churn-model/v7.tar.gz',
        MetadataDirective: 'REPLACE',
        Metadata: { 'release-id': RELEASE_ID, 'model-package-arn': PACKAGE_ARN },
      },
    ]);
    expect(out).toEqual({ targetModel: 'churn-model/v7.tar.gz', liveTargetModel: 'churn-model.tar.gz', liveKey: LIVE, promotedAt: '2024-05-01T12:10:00.000Z' });
  });

  it('creates the live artifact of a group that had none', async () => {
    objects({});
    await promote(mmeState({ deployment: mmeDeployment({ backupKey: null, liveETag: null }) }), lambdaContext());
    expect(copies().map((c) => c.Key)).toEqual(['mme/churn-model.tar.gz']);
  });

  it('a retried promotion that finds its own copy there copies nothing', async () => {
    objects({ [LIVE]: { 'release-id': RELEASE_ID } });
    await promote(mmeState({ deployment: mmeDeployment({ liveETag: '"something-else"' }) }), lambdaContext());
    expect(s3Writes()).toHaveLength(0);
  });

  it('refuses to overwrite a live artifact someone changed since staging (EndpointStateConflict)', async () => {
    objects({ [LIVE]: {} });
    await expect(promote(mmeState({ deployment: mmeDeployment({ liveETag: '"staged-etag"' }) }), lambdaContext())).rejects.toMatchObject({
      name: 'EndpointStateConflict',
      message: expect.stringContaining('changed since this release staged'),
    });
    expect(s3Writes()).toHaveLength(0);
  });

  it('refuses a deployment that is not a staged artifact with InvalidInput, changing nothing', async () => {
    await expect(promote(mmeState({ deployment: existingDeployment() }), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(promote(mmeState({ deployment: { endpointName: MME } }), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('RestoreModelArtifact handler', () => {
  it('after a failed smoke test (live never replaced) only removes the candidate', async () => {
    objects({ [LIVE]: { 'release-id': 'earlier1' } });

    const out = await restore(mmeState({ deployment: mmeDeployment() }), lambdaContext());

    expect(copies()).toEqual([]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'platform-models', Key: 'mme/churn-model/v7.tar.gz' }]);
    expect(out).toMatchObject({ action: 'nothing-to-undo', candidateDeleted: CANDIDATE, serving: 'previous' });
  });

  it('puts the previous artifact back when this release had replaced it', async () => {
    objects({ [LIVE]: { 'release-id': RELEASE_ID } });

    const out = await restore(mmeState({ deployment: mmeDeployment() }), lambdaContext());

    expect(copies()).toEqual([{ Bucket: 'platform-models', Key: 'mme/churn-model.tar.gz', CopySource: 'platform-models/mme/churn-model/previous-a1b2c3d4.tar.gz', MetadataDirective: 'COPY' }]);
    expect(out).toMatchObject({ action: 'restored-previous', restoredFrom: BACKUP, serving: 'previous' });
  });

  it('deletes the live artifact of a group that had none only when this release created it', async () => {
    objects({ [LIVE]: { 'release-id': RELEASE_ID } });
    const out = await restore(mmeState({ deployment: mmeDeployment({ backupKey: null, liveETag: null }) }), lambdaContext());
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['mme/churn-model.tar.gz', 'mme/churn-model/v7.tar.gz']);
    expect(out).toMatchObject({ action: 'removed-new', serving: 'none' });
  });

  it('leaves a live artifact someone else wrote, and a candidate an earlier release wrote', async () => {
    objects({ [LIVE]: { 'release-id': 'other123' } });
    const out = await restore(mmeState({ deployment: mmeDeployment({ backupKey: null, liveETag: null, candidateCreated: false }) }), lambdaContext());
    expect(s3Writes()).toHaveLength(0);
    expect(out).toMatchObject({ action: 'nothing-to-undo', candidateDeleted: null });
  });

  it('refuses a deployment that is not a staged artifact with InvalidInput, changing nothing', async () => {
    await expect(restore(mmeState({ deployment: existingDeployment() }), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(s3.calls()).toHaveLength(0);
  });

  it('a failing copy back is an error (RecordRollbackFailure), throttling retryable', async () => {
    objects({ [LIVE]: { 'release-id': RELEASE_ID } });
    s3.on(CopyObjectCommand).rejects(sdkError('NoSuchKey', 404, 'The specified key does not exist.'));
    await expect(restore(mmeState({ deployment: mmeDeployment() }), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected' });
    s3.on(CopyObjectCommand).rejects(throttled());
    await expect(restore(mmeState({ deployment: mmeDeployment() }), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
  });
});
