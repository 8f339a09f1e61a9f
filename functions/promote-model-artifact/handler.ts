import { s3 } from '../shared/aws/s3';
import { EndpointStateConflict, InvalidInput } from '../shared/errors';
import { PACKAGE_ARN_METADATA, RELEASE_ID_METADATA } from '../shared/domain/model-artifact';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State PromoteModelArtifact (after a passing smoke test): the candidate becomes the group's live artifact
 * (`<group>.tar.gz`). The copy is marked with this release's id, so RestoreModelArtifact can tell its own
 * promotion from anyone else's. A live artifact changed by someone else since staging is not overwritten.
 *
 * The endpoint caches loaded models by TargetModel: instances that already hold the old `<group>.tar.gz`
 * may keep serving it until they unload it. The versioned TargetModel is the name that always means this model.
 */
export const promoteModelArtifactStep = defineStep({
  step: 'PromoteModelArtifact',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { s3 },
  run: async ({ package: pkg, plan, deployment }, { aws }) => {
    const artifact = deployment.artifact;
    if (deployment.style !== 'multi-model-artifact' || artifact === undefined) {
      throw new InvalidInput(`PromoteModelArtifact promotes a staged multi-model artifact; deployment style ${deployment.style} has none`);
    }
    const live = await aws.s3.headObject(artifact.liveKey);
    const ours = live?.metadata[RELEASE_ID_METADATA] === plan.releaseId;
    // A retried promotion finds its own copy there: done already.
    if (!ours) {
      if ((live?.etag ?? null) !== artifact.liveETag) {
        throw new EndpointStateConflict(
          `the live artifact ${artifact.liveKey} changed since this release staged (${artifact.liveETag ?? 'absent'} then, ${live?.etag ?? 'absent'} now); it was not overwritten`,
        );
      }
      await aws.s3.copyObject(artifact.candidateKey, artifact.liveKey, { [RELEASE_ID_METADATA]: plan.releaseId, [PACKAGE_ARN_METADATA]: pkg.arn });
    }
    return { targetModel: artifact.targetModel, liveTargetModel: artifact.liveTargetModel, liveKey: artifact.liveKey, promotedAt: new Date(Date.now()).toISOString() };
  },
});

export const handler = awsStepHandler(promoteModelArtifactStep);
