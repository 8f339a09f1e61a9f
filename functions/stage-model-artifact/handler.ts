import { s3 } from '../shared/aws/s3';
import { readMultiModelFacts, readSmokeProblems } from '../shared/aws/release-facts';
import { sageMaker } from '../shared/aws/sagemaker';
import { InvalidInput } from '../shared/errors';
import { PACKAGE_ARN_METADATA, RELEASE_ID_METADATA, artifactKeys, packageArtifact, type ModelArtifact } from '../shared/domain/model-artifact';
import { judgeSharedEndpoint, refuseOnProblems, refusalFor } from '../shared/domain/preflight';
import { releaseState, type Deployment } from '../shared/domain/state';
import { awsEnv, s3LocationsEnv } from '../shared/runtime/env';
import * as z from '../shared/zod';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';

/**
 * State StageModelArtifact (style multi-model-artifact): checks that the shared endpoint exists, is
 * InService and really is a multi-model endpoint, then keeps a copy of the group's live artifact (for
 * RestoreModelArtifact) and copies the package's artifact to its versioned key under the endpoint's
 * prefix, where the smoke test reaches it by TargetModel. The endpoint itself is platform-owned and never
 * created or changed, and the live artifact is not touched here: every refusal changes nothing.
 */
export const stageModelArtifactStep = defineStep({
  step: 'StageModelArtifact',
  input: releaseState,
  /** MULTI_MODEL_LOCATIONS: the stage's multiModelLocations, the only prefixes this step may write under. */
  env: z.extend(awsEnv, { MULTI_MODEL_LOCATIONS: s3LocationsEnv }),
  aws: { sageMaker, s3 },
  run: async ({ package: pkg, plan }, { aws, env }): Promise<Deployment & { targetModel: string; artifact: ModelArtifact }> => {
    const endpointName = plan.endpointName;
    if (plan.style !== 'multi-model-artifact' || endpointName === null) {
      throw new InvalidInput(`StageModelArtifact releases style multi-model-artifact to a named endpoint, not style ${plan.style} to ${endpointName ?? 'no endpoint'}; the state machine routes it elsewhere`);
    }
    const sourceUrl = packageArtifact(pkg);

    const judged = judgeSharedEndpoint(endpointName, await readMultiModelFacts(aws, endpointName), env.MULTI_MODEL_LOCATIONS);
    if (!judged.releasable) throw refusalFor(judged.problems);
    refuseOnProblems((await readSmokeProblems(aws, plan)).problems);
    const { shared } = judged;

    const keys = artifactKeys(shared.prefix, pkg.groupName, pkg.version, plan.releaseId);
    const ownMetadata = { [RELEASE_ID_METADATA]: plan.releaseId, [PACKAGE_ARN_METADATA]: pkg.arn };
    // The live artifact first: if this release later has to undo its promotion, this copy is what it restores.
    const liveNow = await aws.s3.headObject(keys.liveKey);
    if (liveNow !== null) await aws.s3.copyObject(keys.liveKey, keys.backupKey);

    // A versioned key written by an earlier release of this version is reused, never overwritten: the
    // endpoint caches models by TargetModel, so new bytes under a loaded name would not be served anyway.
    const candidateNow = await aws.s3.headObject(keys.candidateKey);
    const candidateCreated = candidateNow === null || candidateNow.metadata[RELEASE_ID_METADATA] === plan.releaseId;
    if (candidateCreated && sourceUrl !== keys.candidateKey) await aws.s3.copyObject(sourceUrl, keys.candidateKey, ownMetadata);

    return {
      endpointName,
      style: 'multi-model-artifact',
      targetVariant: null,
      targetModel: keys.targetModel,
      firstDeployment: false,
      // The endpoint keeps running its config; nothing here changes it.
      previousConfigName: shared.configName,
      liveVariantName: shared.variantName,
      newVariantName: shared.variantName,
      newConfigName: shared.configName,
      modelName: shared.modelName,
      startedAt: new Date(Date.now()).toISOString(),
      artifact: {
        prefix: shared.prefix,
        sourceUrl,
        candidateKey: keys.candidateKey,
        liveKey: keys.liveKey,
        backupKey: liveNow !== null ? keys.backupKey : null,
        liveETag: liveNow?.etag ?? null,
        candidateCreated,
        targetModel: keys.targetModel,
        liveTargetModel: keys.liveTargetModel,
      },
    };
  },
});

export const handler = awsStepHandler(stageModelArtifactStep);
