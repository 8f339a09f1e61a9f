import { PolicyViolation } from '../errors';
import * as z from '../zod';
import type { ReleaseSettings } from './settings';

/**
 * Bounds the platform sets on the safety settings (stage params, README "Platform limits"). A package's
 * metadata or a manual run's overrides may tighten a gate, never loosen one past these: a package that
 * switches off its own gates (an error-rate SLO of 100 %, a one-minute bake, no minimum traffic) would
 * otherwise be promoted while failing.
 */
export interface PlatformLimits {
  /** The highest `slo.errorRatePercent` a release may have. */
  maxErrorRatePercent: number;
  /** The highest `slo.latencyP99Ms`. */
  maxLatencyP99Ms: number;
  /** The shortest `canary.bakeMinutes`. */
  minBakeMinutes: number;
  /** The fewest `canary.minInvocations`. */
  minInvocations: number;
  /** The largest `canary.percent`. */
  maxCanaryPercent: number;
  /** Whether `canary.insufficientTraffic` may be `promote` (promoting a canary nobody called). */
  allowInsufficientTrafficPromote: boolean;
  /** Whether a release without smoke payloads is refused instead of skipping its smoke test. */
  requireSmokeTest: boolean;
}

/**
 * The defaults, and why: a gate above 5 % errors is no gate; SageMaker answers a real-time call within 60 s,
 * so no p99 above that can pass; the SLO alarms need 3 one-minute datapoints and CloudWatch publishes them
 * about 2 minutes late, so a bake under 5 minutes judges nothing; a canary with 0 errors in fewer than 20
 * calls may still fail 15 % of them (the rule of three); a canary is at most half the traffic; too little
 * traffic rolls back unless the platform allows promoting it; a smoke test is not required (as before).
 */
export const DEFAULT_PLATFORM_LIMITS: PlatformLimits = {
  maxErrorRatePercent: 5,
  maxLatencyP99Ms: 60_000,
  minBakeMinutes: 5,
  minInvocations: 20,
  maxCanaryPercent: 50,
  allowInsufficientTrafficPromote: false,
  requireSmokeTest: false,
};

const numeric = z.pipe(z.string().check(z.regex(/^\d+(\.\d+)?$/, 'must be a number')), z.transform(Number));
const flag = z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'));

/** PLATFORM_LIMITS as serverless.yml renders it from the stage params (every value a string). */
export const platformLimitsSchema = z.strictObject({
  maxErrorRatePercent: numeric,
  maxLatencyP99Ms: numeric,
  minBakeMinutes: numeric,
  minInvocations: numeric,
  maxCanaryPercent: numeric,
  allowInsufficientTrafficPromote: flag,
  requireSmokeTest: flag,
});

/** Where a setting's value came from, to say who must change it. */
export type SettingSource = 'stage default' | 'package metadata' | 'manual override';

export interface LimitViolation {
  key: string;
  value: string;
  bound: string;
}

/** What the release does that the limits bound: a bake against the SLOs (not multi-model or batch), a smoke test. */
export interface LimitedRelease {
  baked: boolean;
  hasSmokePayloads: boolean;
}

/** Every setting outside the limits (an empty list when all are within them). */
export function limitViolations(settings: ReleaseSettings, limits: PlatformLimits, { baked, hasSmokePayloads }: LimitedRelease): LimitViolation[] {
  const found: LimitViolation[] = [];
  if (limits.requireSmokeTest && !hasSmokePayloads) {
    found.push({ key: 'smoke.payloads', value: 'none', bound: 'smoke payloads (smoke.payloadsUrl, smoke.payloads or a SamplePayloadUrl; stage param requireSmokeTest is true)' });
  }
  if (!baked) return found;
  const above = (key: string, value: number, max: number, param: string) => {
    if (value > max) found.push({ key, value: String(value), bound: `at most ${max} (stage param ${param})` });
  };
  const below = (key: string, value: number, min: number, param: string) => {
    if (value < min) found.push({ key, value: String(value), bound: `at least ${min} (stage param ${param})` });
  };
  above('slo.errorRatePercent', settings.slo.errorRatePercent, limits.maxErrorRatePercent, 'maxSloErrorRatePercent');
  above('slo.latencyP99Ms', settings.slo.latencyP99Ms, limits.maxLatencyP99Ms, 'maxSloLatencyP99Ms');
  below('canary.bakeMinutes', settings.canary.bakeMinutes, limits.minBakeMinutes, 'minBakeMinutes');
  below('canary.minInvocations', settings.canary.minInvocations, limits.minInvocations, 'minCanaryInvocations');
  above('canary.percent', settings.canary.percent, limits.maxCanaryPercent, 'maxCanaryPercent');
  if (settings.canary.insufficientTraffic === 'promote' && !limits.allowInsufficientTrafficPromote) {
    found.push({ key: 'canary.insufficientTraffic', value: 'promote', bound: '"rollback" (stage param allowInsufficientTrafficPromote is false)' });
  }
  return found;
}

/**
 * Refuses a release whose settings loosen a platform limit, naming each key, its value, where it was set
 * and the bound; before anything is claimed or changed.
 */
export function assertWithinLimits(settings: ReleaseSettings, limits: PlatformLimits, release: LimitedRelease, sourceOf: (key: string) => SettingSource): void {
  const violations = limitViolations(settings, limits, release);
  if (violations.length === 0) return;
  const said = violations.map((v) => `${v.key} ${v.value} (${sourceOf(v.key)}) must be ${v.bound}`);
  throw new PolicyViolation(`the release loosens the platform's limits: ${said.join('; ')}; a package may tighten these gates, never loosen them`);
}
