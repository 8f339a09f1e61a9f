import { decideRecovery, newModelPassed, type DeadReleaseState } from '../../../../functions/shared/domain/recovery';
import { existingDeployment, firstDeployment } from '../../helpers';

const deployment = existingDeployment();
const names = { model: 'm', variant: deployment.newVariantName, canaryConfig: deployment.newConfigName, finalConfig: 'final-config', errorRateAlarm: 'e', latencyAlarm: 'l' };
const plan = { style: 'variant-canary' as const, names };
const view = (status: string, configName: string, weights: Record<string, number>) => ({
  name: deployment.endpointName,
  status,
  configName,
  variants: Object.entries(weights).map(([name, weight]) => ({ name, weight })),
});
const canary = (live: number, candidate: number, status = 'InService') => view(status, deployment.newConfigName, { 'v6-old': live, [deployment.newVariantName]: candidate });
const healthy: DeadReleaseState = { plan, deployment, smoke: { passed: true }, canaryCheck: { verdict: 'healthy' } };

describe('decideRecovery: finish only a passed model that already serves alone, undo everything else', () => {
  it('leaves alone an endpoint the release had found changed by someone else, even on an abort', () => {
    const drifted: DeadReleaseState = { plan, deployment, smoke: { passed: true }, canaryCheck: { verdict: 'drifted' } };
    expect(decideRecovery(drifted, view('InService', 'hotfix', { live: 1 })).action).toBe('record-drifted');
    expect(decideRecovery(drifted, view('InService', 'hotfix', { live: 1 }), { abort: true }).action).toBe('record-drifted');
  });

  it('undoes a release that died before its verdict, whatever the endpoint shows', () => {
    const baking: DeadReleaseState = { plan, deployment, smoke: { passed: true }, canaryCheck: { verdict: 'baking' } };
    expect(decideRecovery(baking, canary(0.9, 0.1)).action).toBe('roll-back');
    // Even all traffic on the candidate does not make an unjudged model the one to keep.
    expect(decideRecovery(baking, canary(0, 1)).action).toBe('roll-back');
  });

  it('finishes the promotion of a healthy canary whose traffic was already all shifted', () => {
    const decision = decideRecovery(healthy, canary(0, 1));
    expect(decision).toEqual({ action: 'finish-promotion', found: expect.stringContaining(`on ${deployment.newConfigName}: v6-old 0%, ${deployment.newVariantName} 100%`) });
  });

  it('undoes a healthy canary that still shares traffic with the live model (the shift never happened)', () => {
    expect(decideRecovery(healthy, canary(0.9, 0.1)).action).toBe('roll-back');
  });

  it('only records a promotion the endpoint already finished (InService on the final config)', () => {
    expect(decideRecovery(healthy, view('InService', 'final-config', { [deployment.newVariantName]: 1 })).action).toBe('record-promoted');
  });

  it("an operator's abort goes back to the previous model even from a passed, fully shifted canary; it still waits while SageMaker is busy", () => {
    expect(decideRecovery(healthy, canary(0, 1), { abort: true })).toEqual({ action: 'roll-back', found: expect.stringMatching(/; aborted, so it goes back to the previous model$/) });
    expect(decideRecovery(healthy, view('InService', 'final-config', { [deployment.newVariantName]: 1 }), { abort: true }).action).toBe('roll-back');
    expect(decideRecovery(healthy, canary(0.9, 0.1), { abort: true }).action).toBe('roll-back');
    expect(decideRecovery(healthy, canary(0, 1, 'Updating'), { abort: true }).action).toBe('wait');
  });

  it('waits while SageMaker is changing the endpoint', () => {
    expect(decideRecovery(healthy, canary(0, 1, 'Updating')).action).toBe('wait');
    expect(decideRecovery({ plan, deployment }, canary(0.9, 0.1, 'Updating')).action).toBe('wait');
  });

  it('rolls back when nothing was deployed yet (the undo loop then has nothing to undo)', () => {
    expect(decideRecovery({ plan }, null)).toEqual({ action: 'roll-back', found: 'the release had changed nothing yet' });
  });

  it('a first deployment that passed its smoke test is kept; one that had not is deleted', () => {
    const first = firstDeployment();
    const alone = view('InService', first.newConfigName, { [first.newVariantName]: 1 });
    expect(decideRecovery({ plan, deployment: first, smoke: { passed: true } }, alone).action).toBe('record-promoted');
    expect(decideRecovery({ plan, deployment: first }, alone).action).toBe('roll-back');
  });

  it('multi-model: a promoted artifact stands; one only staged is restored', () => {
    const mme = existingDeployment({ style: 'multi-model-artifact', targetModel: 'churn-model/v7.tar.gz' });
    expect(decideRecovery({ plan, deployment: mme, smoke: { passed: true }, promotion: { finalConfigName: 'x' } }, null).action).toBe('record-promoted');
    expect(decideRecovery({ plan, deployment: mme, smoke: { passed: true } }, null).action).toBe('restore-artifact');
  });

  it('judges each style by its own gate', () => {
    const guarded = existingDeployment({ style: 'native-guardrails' });
    expect(newModelPassed({ deployment: guarded, smoke: { passed: true } })).toBe(true);
    expect(newModelPassed({ deployment, smoke: { passed: true } })).toBe(false);
    expect(newModelPassed({ deployment, canaryCheck: { verdict: 'alarm' } })).toBe(false);
  });
});
