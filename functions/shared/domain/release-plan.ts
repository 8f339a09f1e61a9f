import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModeDecision } from './inference-mode';
import type { InferenceMode, ReleaseSettings } from './settings';

/** How the endpoint is changed; each mode gets the safest style SageMaker allows for it (README, "Modes"). */
export type ReleaseStyle = 'variant-canary' | 'native-guardrails' | 'all-at-once' | 'batch-register' | 'multi-model-artifact';

export interface ResourceNames {
  model: string;
  variant: string;
  /** Config with the live variant plus the new one at weight 0 (variant canary only). */
  canaryConfig: string;
  /** Config with only the new variant: what the endpoint runs once promoted. */
  finalConfig: string;
  errorRateAlarm: string;
  latencyAlarm: string;
}

export interface ReleasePlan {
  releaseId: string;
  endpointName: string | null;
  mode: InferenceMode;
  style: ReleaseStyle;
  decision: ModeDecision;
  settings: ReleaseSettings;
  names: ResourceNames;
}

/** SageMaker names: at most 63 of [a-zA-Z0-9-], no leading/trailing or doubled-up hyphen trouble. */
export function sageMakerName(...parts: string[]): string {
  const cleaned = parts
    .map((p) => p.replace(/[^a-zA-Z0-9-]/g, '-'))
    .join('-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (cleaned.length <= 63) return cleaned;
  // Keep the distinguishing tail (version, release id) and a hash of what was cut, so names stay unique.
  const hash = createHash('sha256').update(cleaned).digest('hex').slice(0, 6);
  const tail = parts.slice(1).join('-').replace(/[^a-zA-Z0-9-]/g, '-');
  const headRoom = 63 - tail.length - hash.length - 2;
  const head = (parts[0] ?? '').replace(/[^a-zA-Z0-9-]/g, '-').slice(0, Math.max(1, headRoom)).replace(/-+$/, '');
  return `${head}-${hash}-${tail}`.slice(0, 63).replace(/^-+|-+$/g, '');
}

export function releaseStyleFor(mode: InferenceMode, settings: ReleaseSettings): ReleaseStyle {
  switch (mode) {
    case 'realtime':
      return settings.deploy.strategy === 'native' ? 'native-guardrails' : 'variant-canary';
    case 'async':
      return 'native-guardrails';
    case 'serverless':
      return 'all-at-once';
    case 'batch':
      return 'batch-register';
    case 'multi-model':
      return 'multi-model-artifact';
  }
}

export function resourceNames(groupName: string, version: number, endpointName: string | null, releaseId: string): ResourceNames {
  const variant = sageMakerName(`v${version}`, releaseId);
  const endpoint = endpointName ?? groupName;
  return {
    model: sageMakerName(groupName, `v${version}`, releaseId),
    variant,
    canaryConfig: sageMakerName(endpoint, releaseId, 'canary'),
    finalConfig: sageMakerName(endpoint, releaseId),
    errorRateAlarm: sageMakerName(endpoint, variant, 'error-rate'),
    latencyAlarm: sageMakerName(endpoint, variant, 'latency-p99'),
  };
}

/** The slice of execution state later steps read; validated by each of them. */
export const releasePlanSchema = z.object({
  releaseId: z.string(),
  endpointName: z.string().nullable(),
  mode: z.enum(['realtime', 'serverless', 'async', 'batch', 'multi-model']),
  style: z.enum(['variant-canary', 'native-guardrails', 'all-at-once', 'batch-register', 'multi-model-artifact']),
  decision: z.custom<ModeDecision>((v) => typeof v === 'object' && v !== null && 'rule' in v && 'mode' in v, 'must be a mode decision record'),
  settings: z.custom<ReleaseSettings>((v) => typeof v === 'object' && v !== null),
  names: z.object({
    model: z.string(),
    variant: z.string(),
    canaryConfig: z.string(),
    finalConfig: z.string(),
    errorRateAlarm: z.string(),
    latencyAlarm: z.string(),
  }),
});
