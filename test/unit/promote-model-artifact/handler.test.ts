import { handler as promote } from '../../../functions/promote-model-artifact/handler';
import { PACKAGE_ARN, RELEASE_ID, existingDeployment, lambdaContext } from '../helpers';
import { MME, LIVE, s3Writes, copies, mmeState, objects, mmeDeployment, s3, useArtifactMocks } from '../fixtures/model-artifact';

useArtifactMocks();
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
        TaggingDirective: 'REPLACE',
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
