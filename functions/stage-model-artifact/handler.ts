import { z } from 'zod';
import { describeEndpoint, describeEndpointConfig, describeModel } from '../shared/aws/endpoints';
import { copyObject, headObject } from '../shared/aws/model-artifacts';
import { EndpointStateConflict, InvalidInput, ModeNotSupported } from '../shared/errors';
import { PACKAGE_ARN_METADATA, RELEASE_ID_METADATA, artifactKeys, modelPrefix, packageArtifact, type ModelArtifact } from '../shared/domain/model-artifact';
import { releaseState, type Deployment } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State StageModelArtifact (style multi-model-artifact): checks that the shared endpoint exists, is
 * InService and really is a multi-model endpoint, then keeps a copy of the group's live artifact (for
 * RestoreModelArtifact) and copies the package's artifact to its versioned key under the endpoint's
 * prefix, where the smoke test reaches it by TargetModel. The endpoint itself is platform-owned and never
 * created or changed, and the live artifact is not touched here: every refusal changes nothing.
 */
export const handler = stepHandler({
  step: 'StageModelArtifact',
  input: releaseState,
  env: z.object({}),
  run: async ({ package: pkg, plan }): Promise<Deployment & { targetModel: string; artifact: ModelArtifact }> => {
    const endpointName = plan.endpointName;
    if (plan.style !== 'multi-model-artifact' || endpointName === null) {
      throw new InvalidInput(`StageModelArtifact releases style multi-model-artifact to a named endpoint, not style ${plan.style} to ${endpointName ?? 'no endpoint'}; the state machine routes it elsewhere`);
    }
    const sourceUrl = packageArtifact(pkg);

    const live = await describeEndpoint(endpointName);
    if (live === null || live.status !== 'InService' || live.configName === null) {
      throw new EndpointStateConflict(
        `multi-model endpoint ${endpointName} is ${live?.status ?? 'absent'}, not InService; the pipeline releases onto an existing shared endpoint and never creates or changes one, so nothing was changed`,
      );
    }
    const config = await describeEndpointConfig(live.configName);
    const variants = config.ProductionVariants ?? [];
    const variant = variants[0];
    if (variants.length !== 1 || variant?.ModelName === undefined) {
      throw new ModeNotSupported(`endpoint ${endpointName} is not a multi-model endpoint this pipeline can release to: its config ${live.configName} has ${variants.length} variants, not one`);
    }
    const model = await describeModel(variant.ModelName);
    const containers = model.PrimaryContainer ? [model.PrimaryContainer] : (model.Containers ?? []);
    const container = containers.length === 1 ? containers[0] : undefined;
    const prefix = modelPrefix(container?.ModelDataUrl);
    if (container?.Mode !== 'MultiModel' || prefix === null) {
      throw new ModeNotSupported(
        `endpoint ${endpointName} is not a multi-model endpoint: its model ${variant.ModelName} has ${containers.length} container(s), mode ${container?.Mode ?? 'SingleModel'}, ModelDataUrl ${container?.ModelDataUrl ?? 'none'}; release to it with deploy.mode realtime instead`,
      );
    }

    const keys = artifactKeys(prefix, pkg.groupName, pkg.version, plan.releaseId);
    const ownMetadata = { [RELEASE_ID_METADATA]: plan.releaseId, [PACKAGE_ARN_METADATA]: pkg.arn };
    // The live artifact first: if this release later has to undo its promotion, this copy is what it restores.
    const liveNow = await headObject(keys.liveKey);
    if (liveNow !== null) await copyObject(keys.liveKey, keys.backupKey);

    // A versioned key written by an earlier release of this version is reused, never overwritten: the
    // endpoint caches models by TargetModel, so new bytes under a loaded name would not be served anyway.
    const candidateNow = await headObject(keys.candidateKey);
    const candidateCreated = candidateNow === null || candidateNow.metadata[RELEASE_ID_METADATA] === plan.releaseId;
    if (candidateCreated && sourceUrl !== keys.candidateKey) await copyObject(sourceUrl, keys.candidateKey, ownMetadata);

    return {
      endpointName,
      style: 'multi-model-artifact',
      targetVariant: null,
      targetModel: keys.targetModel,
      firstDeployment: false,
      // The endpoint keeps running its config; nothing here changes it.
      previousConfigName: live.configName,
      liveVariantName: variant.VariantName ?? null,
      newVariantName: variant.VariantName ?? '',
      newConfigName: live.configName,
      modelName: variant.ModelName,
      startedAt: new Date(Date.now()).toISOString(),
      artifact: {
        prefix,
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
