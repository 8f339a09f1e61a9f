import { z } from 'zod';
import { copyObject, deleteObject, headObject } from '../shared/aws/model-artifacts';
import { InvalidInput } from '../shared/errors';
import { RELEASE_ID_METADATA } from '../shared/domain/model-artifact';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

export type RestoreAction =
  | 'nothing-to-undo' // the live artifact was never replaced by this release
  | 'restored-previous' // the copy kept at staging is the live artifact again
  | 'removed-new'; // the group had no live artifact before this release; the one it promoted is deleted

/**
 * State RestoreModelArtifact (a failed smoke test, or any error after staging): puts the group's live
 * artifact back exactly as it was and removes the candidate this release created. It decides from what
 * S3 holds now (is the live artifact the one this release wrote?), so it is safe to retry and after a
 * failure at any call. The copy of the previous artifact is kept.
 */
export const handler = stepHandler({
  step: 'RestoreModelArtifact',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }) => {
    const artifact = deployment.artifact;
    if (deployment.style !== 'multi-model-artifact' || artifact === undefined) {
      throw new InvalidInput(`RestoreModelArtifact restores a staged multi-model artifact; deployment style ${deployment.style} has none`);
    }
    const live = await headObject(artifact.liveKey);
    let action: RestoreAction = 'nothing-to-undo';
    if (live !== null && live.metadata[RELEASE_ID_METADATA] === plan.releaseId) {
      if (artifact.backupKey !== null) {
        await copyObject(artifact.backupKey, artifact.liveKey);
        action = 'restored-previous';
      } else {
        await deleteObject(artifact.liveKey);
        action = 'removed-new';
      }
    }
    if (artifact.candidateCreated) await deleteObject(artifact.candidateKey);
    return {
      action,
      liveKey: artifact.liveKey,
      restoredFrom: action === 'restored-previous' ? artifact.backupKey : null,
      candidateDeleted: artifact.candidateCreated ? artifact.candidateKey : null,
      /** What the group's live TargetModel holds now: the artifact from before this release, or none. */
      serving: artifact.backupKey !== null ? ('previous' as const) : ('none' as const),
      requestedAt: new Date(Date.now()).toISOString(),
    };
  },
});
