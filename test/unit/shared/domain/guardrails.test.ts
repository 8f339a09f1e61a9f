import { GUARDRAIL_LIMITS, deploymentWaitSeconds, guardrailsConfig } from '../../../../functions/shared/domain/guardrails';
import type { ReleasePlan } from '../../../../functions/shared/domain/release-plan';
import { releasePlan } from '../../helpers';

const NATIVE = { 'deploy.strategy': 'native' };

/** A plan whose bake is `bakeMinutes`, past what the settings parser would let through, to reach the clamps. */
function planBaking(bakeMinutes: number): ReleasePlan {
  const plan = releasePlan(NATIVE);
  return { ...plan, settings: { ...plan.settings, canary: { ...plan.settings.canary, bakeMinutes } } };
}

describe('guardrailsConfig', () => {
  it('is a SageMaker blue/green canary of canary.percent of capacity that bakes canary.bakeMinutes', () => {
    // Prepare
    const plan = releasePlan({ ...NATIVE, 'canary.percent': '20', 'canary.bakeMinutes': '15' });

    // Act
    const config = guardrailsConfig(plan, ['a-error-rate', 'a-latency']);

    // Assess
    expect(config.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration).toEqual({
      Type: 'CANARY',
      CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 },
      WaitIntervalInSeconds: 900,
    });
    expect(config.BlueGreenUpdatePolicy?.TerminationWaitInSeconds).toBe(300);
  });

  it('rolls back on every alarm it is given, in order', () => {
    const config = guardrailsConfig(releasePlan(NATIVE), ['churn-error-rate', 'churn-latency-p99', 'churn-business-kpi']);
    expect(config.AutoRollbackConfiguration).toEqual({
      Alarms: [{ AlarmName: 'churn-error-rate' }, { AlarmName: 'churn-latency-p99' }, { AlarmName: 'churn-business-kpi' }],
    });
  });

  it('gives the whole deployment the bake plus an hour', () => {
    expect(guardrailsConfig(releasePlan({ ...NATIVE, 'canary.bakeMinutes': '10' }), []).BlueGreenUpdatePolicy?.MaximumExecutionTimeoutInSeconds).toBe(600 + 3600);
    expect(guardrailsConfig(releasePlan({ ...NATIVE, 'canary.bakeMinutes': '60' }), []).BlueGreenUpdatePolicy?.MaximumExecutionTimeoutInSeconds).toBe(3600 + 3600);
  });

  it.each([
    ['caps a very long bake at SageMaker’s maximum', 1440, GUARDRAIL_LIMITS.maxExecutionSeconds],
    ['caps a bake just past the maximum', 181, GUARDRAIL_LIMITS.maxExecutionSeconds],
    ['keeps a bake just under the maximum', 179, 179 * 60 + 3600],
  ])('%s', (_what, bakeMinutes, expected) => {
    expect(guardrailsConfig(planBaking(bakeMinutes), []).BlueGreenUpdatePolicy?.MaximumExecutionTimeoutInSeconds).toBe(expected);
  });

  it.each([0, 1, 5, 60, 1440])('keeps the execution timeout within 600..14400 s for a %i-minute bake', (bakeMinutes) => {
    const timeout = guardrailsConfig(planBaking(bakeMinutes), []).BlueGreenUpdatePolicy?.MaximumExecutionTimeoutInSeconds ?? -1;
    expect(timeout).toBeGreaterThanOrEqual(GUARDRAIL_LIMITS.minExecutionSeconds);
    expect(timeout).toBeLessThanOrEqual(GUARDRAIL_LIMITS.maxExecutionSeconds);
  });

  it('has an empty alarm list when given none', () => {
    expect(guardrailsConfig(releasePlan(NATIVE), []).AutoRollbackConfiguration).toEqual({ Alarms: [] });
  });
});

describe('deploymentWaitSeconds', () => {
  it('is the endpoint bound alone for an unguarded deployment', () => {
    expect(deploymentWaitSeconds(releasePlan({ 'canary.bakeMinutes': '30' }), 3600, false)).toBe(3600);
  });

  it('adds SageMaker’s bake and the old fleet’s termination wait under guardrails', () => {
    expect(deploymentWaitSeconds(releasePlan({ ...NATIVE, 'canary.bakeMinutes': '30' }), 3600, true)).toBe(3600 + 30 * 60 + 300);
  });
});
