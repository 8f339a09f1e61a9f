import { s3 } from '../shared/aws/s3';
import { InvalidInput } from '../shared/errors';
import { RELEASE_ID_METADATA } from '../shared/domain/model-artifact';
import { deploymentSlice, releaseState, type RESTORE_ACTIONS } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

export type RestoreAction = (typeof RESTORE_ACTIONS)[number];

/**
 * State RestoreModelArtifact (a failed smoke test, or any error after staging): puts the group's live
 * artifact back exactly as it was and removes the candidate this release created. It decides from what
 * S3 holds now (is the live artifact the one this release wrote?), so it is safe to retry and after a
 * failure at any call. The copy of the previous artifact is kept.
 */
export const restoreModelArtifactStep = defineStep({
  step: 'RestoreModelArtifact',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { s3 },
  run: async ({ plan, deployment }, { aws }) => {
    const artifact = deployment.artifact;
    if (deployment.style !== 'multi-model-artifact' || artifact === undefined) {
      throw new InvalidInput(`RestoreModelArtifact restores a staged multi-model artifact; deployment style ${deployment.style} has none`);
    }
    const live = await aws.s3.headObject(artifact.liveKey);
    let action: RestoreAction = 'nothing-to-undo';
    if (live !== null && live.metadata[RELEASE_ID_METADATA] === plan.releaseId) {
      if (artifact.backupKey !== null) {
        await aws.s3.copyObject(artifact.backupKey, artifact.liveKey);
        action = 'restored-previous';
      } else {
        await aws.s3.deleteObject(artifact.liveKey);
        action = 'removed-new';
      }
    }
    if (artifact.candidateCreated) await aws.s3.deleteObject(artifact.candidateKey);
    return {
      action,
      liveKey: artifact.liveKey,
      restoredFrom: action === 'restored-previous' ? artifact.backupKey : null,
      candidateDeleted: artifact.candidateCreated ? artifact.candidateKey : null,
      serving: artifact.backupKey !== null ? ('previous' as const) : ('none' as const),
      requestedAt: new Date(Date.now()).toISOString(),
    };
  },
});

export const handler = awsStepHandler(restoreModelArtifactStep);
