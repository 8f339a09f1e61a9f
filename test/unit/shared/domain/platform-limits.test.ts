import { DEFAULT_PLATFORM_LIMITS, limitViolations, platformLimitsSchema } from '../../../../functions/shared/domain/platform-limits';
import { planRelease } from '../../../../functions/shared/domain/release-plan';
import { MANAGED_BY, STAGE_DEFAULTS, modelPackage, settingsWith } from '../../helpers';

const gated = { baked: true, hasSmokePayloads: true };
const plan = (metadata: Record<string, string>, overrides: Record<string, string> = {}, limits = DEFAULT_PLATFORM_LIMITS) => () =>
  planRelease({ request: { endpointName: 'churn-prod', overrides }, package: modelPackage({ metadata }), defaults: STAGE_DEFAULTS, releaseId: 'feedbeef', managedBy: MANAGED_BY, limits });

describe('platform limits', () => {
  it('the stage defaults are within the default limits (a release that sets nothing is not refused)', () => {
    expect(limitViolations(settingsWith(), DEFAULT_PLATFORM_LIMITS, gated)).toEqual([]);
  });

  it('refuses a package that switches its own gates off, naming each key, its value, where it was set and the bound', () => {
    const loosened = plan({ 'slo.errorRatePercent': '100', 'canary.bakeMinutes': '1', 'canary.minInvocations': '0' });
    expect(loosened).toThrow(
      expect.objectContaining({
        name: 'PolicyViolation',
        message:
          'the release loosens the platform\'s limits: slo.errorRatePercent 100 (package metadata) must be at most 5 (stage param maxSloErrorRatePercent); canary.bakeMinutes 1 (package metadata) must be at least 5 (stage param minBakeMinutes); canary.minInvocations 0 (package metadata) must be at least 20 (stage param minCanaryInvocations); a package may tighten these gates, never loosen them',
      }),
    );
  });

  it('lets a package tighten every gate', () => {
    expect(plan({ 'slo.errorRatePercent': '0.5', 'slo.latencyP99Ms': '200', 'canary.bakeMinutes': '30', 'canary.minInvocations': '500', 'canary.percent': '5' })).not.toThrow();
  });

  it('holds a manual run to the same limits, and says the override set it', () => {
    expect(plan({}, { 'canary.percent': '40' }, { ...DEFAULT_PLATFORM_LIMITS, maxCanaryPercent: 25 })).toThrow(/canary\.percent 40 \(manual override\) must be at most 25 \(stage param maxCanaryPercent\)/);
  });

  it('refuses promoting a canary without traffic unless the platform allows it', () => {
    expect(plan({ 'canary.insufficientTraffic': 'promote' })).toThrow(/canary\.insufficientTraffic promote \(package metadata\) must be "rollback"/);
    expect(plan({ 'canary.insufficientTraffic': 'promote' }, {}, { ...DEFAULT_PLATFORM_LIMITS, allowInsufficientTrafficPromote: true })).not.toThrow();
  });

  it('refuses a release without smoke payloads where the platform requires a smoke test; by default it is skipped, not refused', () => {
    const required = { ...DEFAULT_PLATFORM_LIMITS, requireSmokeTest: true };
    expect(plan({})).not.toThrow();
    expect(plan({}, {}, required)).toThrow(/smoke\.payloads none \(stage default\) must be smoke payloads/);
    expect(plan({ 'smoke.payloads': '[{"contentType":"text/csv","body":"1,2"}]' }, {}, required)).not.toThrow();
    expect(plan({}, { 'smoke.payloads': '[]' }, required)).toThrow(/smoke\.payloads none \(manual override\)/);
  });

  it('does not hold a multi-model release to bake limits it has no bake for', () => {
    const settings = settingsWith({ 'canary.bakeMinutes': '1' });
    expect(limitViolations(settings, DEFAULT_PLATFORM_LIMITS, { baked: false, hasSmokePayloads: true })).toEqual([]);
    expect(limitViolations(settings, DEFAULT_PLATFORM_LIMITS, gated).map((v) => v.key)).toEqual(['canary.bakeMinutes']);
  });

  it('reads the limits as serverless.yml renders them, and refuses a malformed one', () => {
    const rendered = { maxErrorRatePercent: '5', maxLatencyP99Ms: '60000', minBakeMinutes: '5', minInvocations: '20', maxCanaryPercent: '50', allowInsufficientTrafficPromote: 'false', requireSmokeTest: 'false' };
    expect(platformLimitsSchema.parse(rendered)).toEqual(DEFAULT_PLATFORM_LIMITS);
    expect(platformLimitsSchema.safeParse({ ...rendered, minBakeMinutes: 'five' }).success).toBe(false);
    expect(platformLimitsSchema.safeParse({ ...rendered, requireSmokeTest: 'yes' }).success).toBe(false);
  });
});
