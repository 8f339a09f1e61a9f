import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, type ContainerDefinition } from '@aws-sdk/client-sagemaker';
import { handler as stage, stageModelArtifactStep } from '../../../functions/stage-model-artifact/handler';
import { awsStepHandler } from '../../../functions/shared/runtime/aws-step-handler';
import { PACKAGE_ARN, RELEASE_ID, lambdaContext, modelPackage, releaseState, sdkError, serviceDown, throttled } from '../helpers';
import { MME, PREFIX, LIVE, CANDIDATE, copies, mmeState, sharedEndpoint, objects, mmeDeployment, sageMaker, s3, useArtifactMocks } from '../fixtures/model-artifact';

useArtifactMocks();
describe('StageModelArtifact handler', () => {
  it('keeps a copy of the live artifact first, then copies the package artifact to its versioned key', async () => {
    // Prepare
    sharedEndpoint();
    objects({ [LIVE]: { 'release-id': 'earlier1' } });

    // Act
    const out = await stage(mmeState(), lambdaContext());

    // Assess
    expect(copies()).toEqual([
      { Bucket: 'platform-models', Key: 'mme/churn-model/previous-a1b2c3d4.tar.gz', CopySource: 'platform-models/mme/churn-model.tar.gz', MetadataDirective: 'COPY', TaggingDirective: 'REPLACE' },
      {
        Bucket: 'platform-models',
        Key: 'mme/churn-model/v7.tar.gz',
        CopySource: 'models/churn/7/model.tar.gz',
        MetadataDirective: 'REPLACE',
        TaggingDirective: 'REPLACE',
        Metadata: { 'release-id': RELEASE_ID, 'model-package-arn': PACKAGE_ARN },
      },
    ]);
    expect(out).toEqual({ ...mmeDeployment(), startedAt: '2024-05-01T12:10:00.000Z' });
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

  it("refuses an endpoint whose model prefix is outside the stage's multiModelLocations with EndpointNotManaged, changing nothing", async () => {
    // Prepare: the environment is validated once per container, so each stage's handler is its own.
    const withLocations = (locations: string[]) => awsStepHandler(stageModelArtifactStep, { environment: { ...process.env, MULTI_MODEL_LOCATIONS: JSON.stringify(locations) } });
    sharedEndpoint();
    objects({});

    // Act / Assess
    await expect(withLocations(['s3://platform-models/other/'])(mmeState(), lambdaContext())).rejects.toMatchObject({
      name: 'EndpointNotManaged',
      message: expect.stringContaining(`its model prefix ${PREFIX} is outside the stage's multiModelLocations (s3://platform-models/other/)`),
    });
    expect(s3.calls()).toHaveLength(0);
    await expect(withLocations([PREFIX])(mmeState(), lambdaContext())).resolves.toMatchObject({ endpointName: MME });
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
