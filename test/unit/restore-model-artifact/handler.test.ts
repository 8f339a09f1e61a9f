import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { handler as restore } from '../../../functions/restore-model-artifact/handler';
import { RELEASE_ID, existingDeployment, lambdaContext, sdkError, throttled } from '../helpers';
import { LIVE, CANDIDATE, BACKUP, s3Writes, copies, mmeState, objects, mmeDeployment, s3, useArtifactMocks } from '../fixtures/model-artifact';

useArtifactMocks();
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

    expect(copies()).toEqual([{ Bucket: 'platform-models', Key: 'mme/churn-model.tar.gz', CopySource: 'platform-models/mme/churn-model/previous-a1b2c3d4.tar.gz', MetadataDirective: 'COPY', TaggingDirective: 'REPLACE' }]);
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
