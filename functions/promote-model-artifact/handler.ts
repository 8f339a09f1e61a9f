import { z } from 'zod';
import { copyObject, headObject } from '../shared/aws/model-artifacts';
import { EndpointStateConflict, InvalidInput } from '../shared/errors';
import { PACKAGE_ARN_METADATA, RELEASE_ID_METADATA } from '../shared/domain/model-artifact';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State PromoteModelArtifact (after a passing smoke test): the candidate becomes the group's live artifact
 * (`<group>.tar.gz`). The copy is marked with this release's id, so RestoreModelArtifact can tell its own
 * promotion from anyone else's. A live artifact changed by someone else since staging is not overwritten.
 *
 * The endpoint caches loaded models by TargetModel: instances that already hold the old `<group>.tar.gz`
 * may keep serving it until they unload it. The versioned TargetModel is the name that always means this model.
 */
export const handler = stepHandler({
  step: 'PromoteModelArtifact',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ package: pkg, plan, deployment }) => {
    const artifact = deployment.artifact;
    if (deployment.style !== 'multi-model-artifact' || artifact === undefined) {
      throw new InvalidInput(`PromoteModelArtifact promotes a staged multi-model artifact; deployment style ${deployment.style} has none`);
    }
    const live = await headObject(artifact.liveKey);
    const ours = live?.metadata[RELEASE_ID_METADATA] === plan.releaseId;
    // A retried promotion finds its own copy there: done already.
    if (!ours) {
      if ((live?.etag ?? null) !== artifact.liveETag) {
        throw new EndpointStateConflict(
          `the live artifact ${artifact.liveKey} changed since this release staged (${artifact.liveETag ?? 'absent'} then, ${live?.etag ?? 'absent'} now); it was not overwritten`,
        );
      }
      await copyObject(artifact.candidateKey, artifact.liveKey, { [RELEASE_ID_METADATA]: plan.releaseId, [PACKAGE_ARN_METADATA]: pkg.arn });
    }
    return {
      targetModel: artifact.targetModel,
      liveTargetModel: artifact.liveTargetModel,
      liveKey: artifact.liveKey,
      promotedAt: new Date(Date.now()).toISOString(),
    };
  },
});
