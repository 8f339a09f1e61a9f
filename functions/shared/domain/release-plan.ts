import { InvalidSettings } from '../errors';
import * as z from '../zod';
import { GUARDRAIL_LIMITS } from './guardrails';
import { decideInferenceMode, type ModeDecision } from './inference-mode';
import { packageArtifact } from './model-artifact';
import type { ModelPackage } from './model-package';
import { alarmNamePrefix, resourceNames, sageMakerName, type ResourceNames } from './names';
import { assertWithinLimits, DEFAULT_PLATFORM_LIMITS, type PlatformLimits, type SettingSource } from './platform-limits';
import { isUnderLocations, outsideLocationsMessage } from './s3-locations';
import { smokeSourceFor, type SmokeSource } from './smoke-payloads';
import { INFERENCE_MODES, resolveSettings, type InferenceMode, type ReleaseSettings } from './settings';

/**
 * How the model goes live; each mode gets the safest way SageMaker allows for it (README, "How each mode
 * is released"). The release state machine routes on this once, right after the claim, to one section per style.
 */
export const RELEASE_STYLES = ['variant-canary', 'native-guardrails', 'async-guardrails', 'all-at-once', 'multi-model-artifact', 'batch-register'] as const;
export type ReleaseStyle = (typeof RELEASE_STYLES)[number];

/** The styles that change an endpoint's config (the others place an artifact or register a batch model). */
export type EndpointStyle = Extract<ReleaseStyle, 'variant-canary' | 'native-guardrails' | 'async-guardrails' | 'all-at-once'>;
export const ENDPOINT_STYLES: ReadonlySet<string> = new Set<EndpointStyle>(['variant-canary', 'native-guardrails', 'async-guardrails', 'all-at-once']);

/** SageMaker's own blue/green deployment with auto-rollback does the canary for these styles. */
export function usesGuardrails(style: ReleaseStyle): boolean {
  return style === 'native-guardrails' || style === 'async-guardrails';
}

export interface ReleasePlan {
  releaseId: string;
  endpointName: string | null;
  mode: InferenceMode;
  style: ReleaseStyle;
  decision: ModeDecision;
  settings: ReleaseSettings;
  /**
   * Where the smoke test reads its payloads (read, and checked, before anything is created). Absent in
   * plans written before it existed (a release in flight across an upgrade): see smokeSourceOfPlan.
   */
  smoke?: SmokeSource;
  names: ResourceNames;
}

export function releaseStyleFor(mode: InferenceMode, settings: ReleaseSettings): ReleaseStyle {
  switch (mode) {
    case 'realtime':
      return settings.deploy.strategy === 'native' ? 'native-guardrails' : 'variant-canary';
    case 'async':
      return 'async-guardrails';
    case 'serverless':
      return 'all-at-once';
    case 'batch':
      return 'batch-register';
    case 'multi-model':
      return 'multi-model-artifact';
  }
}

export interface PlanInput {
  request: { endpointName: string | null; overrides: Record<string, string> };
  package: ModelPackage;
  /** Stage defaults (serverless.yml params), the lowest settings layer. */
  defaults: Record<string, string>;
  releaseId: string;
  /** This deployment's MANAGED_BY value (service and stage): the prefix of the alarms a release creates. */
  managedBy: string;
  /** The release execution's TimeoutSeconds (stage param releaseTimeoutSeconds); the bake must fit in it. */
  releaseTimeoutSeconds?: number;
  /** The platform's bounds on the safety settings (stage params); DEFAULT_PLATFORM_LIMITS when not given. */
  limits?: PlatformLimits;
  /** The stage's dataLocations (s3:// prefixes): async results must go under one. Not checked when absent. */
  dataLocations?: readonly string[];
}

/** The layer a key's value came from: the highest that names it. */
function settingSource(layers: Pick<PlanInput, 'request' | 'package'>, key: string): SettingSource {
  if (layers.request.overrides[key] !== undefined) return 'manual override';
  if (layers.package.metadata[key] !== undefined) return 'package metadata';
  return 'stage default';
}

/**
 * The longest bake a release may have: half its execution's time bound, the other half left for the
 * endpoint changes around it (deploy, shift, promote, or a rollback) and the queue.
 */
export function maxBakeMinutes(releaseTimeoutSeconds: number): number {
  return Math.floor(releaseTimeoutSeconds / 2 / 60);
}

/** Settings, mode decision and resource names for one release. Used by PlanRelease and `npm run plan`. */
export function planRelease({ request, package: pkg, defaults, releaseId, managedBy, releaseTimeoutSeconds, limits = DEFAULT_PLATFORM_LIMITS, dataLocations }: PlanInput): ReleasePlan {
  const settings = resolveSettings({ defaults, metadata: pkg.metadata, overrides: request.overrides });
  const decision = decideInferenceMode(settings, { containerCount: pkg.containers.length });
  const mode = decision.mode;
  if (mode === 'async' && settings.async.outputPath === undefined) {
    throw new InvalidSettings('async.outputPath: an asynchronous endpoint needs an s3:// path for its results');
  }
  if (mode === 'async' && dataLocations !== undefined) {
    for (const [key, uri] of [['async.outputPath', settings.async.outputPath], ['async.failurePath', settings.async.failurePath]] as const) {
      if (uri !== undefined && !isUnderLocations(uri, dataLocations)) throw new InvalidSettings(outsideLocationsMessage(key, uri, 'dataLocations', dataLocations));
    }
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
  if (usesGuardrails(style) && settings.canary.bakeMinutes * 60 > GUARDRAIL_LIMITS.maxWaitIntervalSeconds) {
    throw new InvalidSettings(`canary.bakeMinutes ${settings.canary.bakeMinutes}: SageMaker deployment guardrails bake at most ${GUARDRAIL_LIMITS.maxWaitIntervalSeconds / 60} minutes`);
  }
  if (releaseTimeoutSeconds !== undefined && mode !== 'batch' && settings.canary.bakeMinutes > maxBakeMinutes(releaseTimeoutSeconds)) {
    throw new InvalidSettings(
      `canary.bakeMinutes ${settings.canary.bakeMinutes}: a release execution times out after ${releaseTimeoutSeconds} s (stage param releaseTimeoutSeconds), which leaves room for a bake of at most ${maxBakeMinutes(releaseTimeoutSeconds)} minutes beside the endpoint changes; bake less, or raise releaseTimeoutSeconds and leaseSeconds`,
    );
  }
  const smoke = mode === 'batch' ? ({ from: 'none' } as const) : smokeSourceFor(settings, pkg);
  // A batch-only release has no gate to loosen; a multi-model one has its smoke test but no bake.
  if (mode !== 'batch') {
    const hasSmokePayloads = smoke.from !== 'none' && !(smoke.from === 'smoke.payloads' && smoke.count === 0);
    assertWithinLimits(settings, limits, { baked: mode !== 'multi-model', hasSmokePayloads }, (key) => settingSource({ request, package: pkg }, key));
  }
  return { releaseId, endpointName, mode, style, decision, settings, smoke, names: resourceNames(pkg.groupName, pkg.version, endpointName, releaseId, managedBy) };
}

/** The slice of execution state later steps read; validated by each of them. */
export const releasePlanSchema = z.object({
  releaseId: z.string(),
  endpointName: z.nullable(z.string()),
  mode: z.enum(INFERENCE_MODES),
  style: z.enum(RELEASE_STYLES),
  decision: z.custom<ModeDecision>((v) => typeof v === 'object' && v !== null && 'rule' in v && 'mode' in v, 'must be a mode decision record'),
  settings: z.custom<ReleaseSettings>((v) => typeof v === 'object' && v !== null, 'must be the resolved settings'),
  smoke: z.optional(z.custom<SmokeSource>((v) => typeof v === 'object' && v !== null && 'from' in v, 'must be a smoke payload source')),
  names: z.object({
    model: z.string(),
    variant: z.string(),
    canaryConfig: z.string(),
    finalConfig: z.string(),
    errorRateAlarm: z.string(),
    latencyAlarm: z.string(),
  }),
});

export { alarmNamePrefix, resourceNames, sageMakerName, type ResourceNames };
