import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidConfiguration, InvalidSettings } from '../shared/errors';
import { decideInferenceMode } from '../shared/domain/inference-mode';
import { GUARDRAIL_LIMITS } from '../shared/domain/guardrails';
import { packageArtifact } from '../shared/domain/model-artifact';
import { modelPackageSchema, type ModelPackage } from '../shared/domain/model-package';
import { releaseStyleFor, resourceNames, sageMakerName, type ReleasePlan } from '../shared/domain/release-plan';
import { resolveSettings } from '../shared/domain/settings';
import { stepHandler } from '../shared/runtime/step-handler';
import { jsonString } from '../shared/runtime/validation';

const defaultSettingsEnv = jsonString(z.record(z.string(), z.string()), 'a JSON object of setting key to string value');

export const planEnv = z.object({ DEFAULT_SETTINGS: defaultSettingsEnv });

export interface PlanInput {
  request: { endpointName: string | null; overrides: Record<string, string> };
  package: ModelPackage;
  defaults: Record<string, string>;
  releaseId: string;
}

/** Pure: settings, mode decision and resource names for one release. Used by the handler and `npm run plan`. */
export function planRelease({ request, package: pkg, defaults, releaseId }: PlanInput): ReleasePlan {
  const settings = resolveSettings({ defaults, metadata: pkg.metadata, overrides: request.overrides });
  const decision = decideInferenceMode(settings, { containerCount: pkg.containers.length });
  const mode = decision.mode;
  if (mode === 'async' && settings.async.outputPath === undefined) {
    throw new InvalidSettings('async.outputPath: an asynchronous endpoint needs an s3:// path for its results');
  }
  // A multi-model release goes to the shared endpoint its group names (platform-owned, never created here).
  const endpointName =
    mode === 'batch'
      ? null
      : mode === 'multi-model'
        ? (settings.deploy.multiModelGroup ?? null)
        : (request.endpointName ?? settings.endpoint.name ?? sageMakerName(pkg.groupName));
  if (mode === 'multi-model') {
    // Refused here, before anything is claimed, rather than at StageModelArtifact.
    packageArtifact(pkg);
    if (request.endpointName !== null && request.endpointName !== endpointName) {
      throw new InvalidSettings(`endpointName ${request.endpointName}: a multi-model release goes to the shared endpoint deploy.multiModelGroup names (${endpointName ?? 'none'})`);
    }
  }
  const style = releaseStyleFor(mode, settings);
  if (style === 'native-guardrails' && settings.canary.bakeMinutes * 60 > GUARDRAIL_LIMITS.maxWaitIntervalSeconds) {
    throw new InvalidSettings(`canary.bakeMinutes ${settings.canary.bakeMinutes}: SageMaker deployment guardrails bake at most ${GUARDRAIL_LIMITS.maxWaitIntervalSeconds / 60} minutes`);
  }
  return {
    releaseId,
    endpointName,
    mode,
    style,
    decision,
    settings,
    names: resourceNames(pkg.groupName, pkg.version, endpointName, releaseId),
  };
}

/** State PlanRelease: settings (defaults < package metadata < overrides), the inference mode and why, resource names. */
export const handler = stepHandler({
  step: 'PlanRelease',
  input: z.object({
    request: z.object({ endpointName: z.string().nullable(), overrides: z.record(z.string(), z.string()) }),
    package: modelPackageSchema,
  }),
  env: planEnv,
  run: async ({ request, package: pkg }, { env }) => {
    if (Object.keys(env.DEFAULT_SETTINGS).length === 0) throw new InvalidConfiguration('DEFAULT_SETTINGS is empty');
    return planRelease({ request, package: pkg, defaults: env.DEFAULT_SETTINGS, releaseId: randomBytes(4).toString('hex') });
  },
});
