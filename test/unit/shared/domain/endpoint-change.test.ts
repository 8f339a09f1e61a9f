import { decideEndpointChange, isGuarded, isOwnPendingUpdate, isOwnWeightChange } from '../../../../functions/shared/domain/endpoint-change';
import type { EndpointView } from '../../../../functions/shared/domain/views';
import { existingDeployment, firstDeployment } from '../../helpers';

const endpoint = (status: string, configName: string): EndpointView => ({ name: 'churn-endpoint', status, configName, failureReason: null, variants: [{ name: 'v6-old', weight: 1 }] });

describe('decideEndpointChange', () => {
  const existing = existingDeployment();
  const first = firstDeployment();

  it('creates the endpoint of a first deployment, and sends nothing when its retry finds it created', () => {
    expect(decideEndpointChange(null, first)).toEqual({ action: 'create' });
    expect(decideEndpointChange(endpoint('Creating', first.newConfigName), first)).toEqual({ action: 'none' });
  });

  it('refuses a first deployment onto an endpoint that appeared meanwhile', () => {
    expect(() => decideEndpointChange(endpoint('InService', 'someone-elses'), first)).toThrow(
      expect.objectContaining({ name: 'EndpointStateConflict', message: expect.stringMatching(/appeared while this release was preparing \(config someone-elses\); nothing was changed/) }),
    );
  });

  it('updates an endpoint InService on the previous config, plainly for a variant canary', () => {
    expect(decideEndpointChange(endpoint('InService', 'live-config'), existing)).toEqual({ action: 'update', guarded: false });
  });

  it('hands the update to guardrails for the guardrail styles', () => {
    for (const style of ['native-guardrails', 'async-guardrails'] as const) {
      expect(decideEndpointChange(endpoint('InService', 'live-config'), { ...existing, style })).toEqual({ action: 'update', guarded: true });
    }
  });

  it('sends nothing when its own update is already applied (a retried step)', () => {
    expect(decideEndpointChange(endpoint('Updating', existing.newConfigName), existing)).toEqual({ action: 'none' });
  });

  it('sends nothing when its own update is under way, the old config still named (a retry after a lost answer)', () => {
    const updating = { ...endpoint('Updating', 'live-config'), pendingConfigName: existing.newConfigName };
    expect(decideEndpointChange(updating, existing)).toEqual({ action: 'none' });
  });

  it.each([
    ['deleted', null, /was deleted while this release was preparing; nothing was changed/],
    ['moved to another config', endpoint('InService', 'hand-made'), /is InService on hand-made, not InService on live-config: changed outside this pipeline/],
    ['mid-update outside the pipeline', endpoint('Updating', 'live-config'), /is Updating on live-config, not InService on live-config/],
  ])('refuses an endpoint %s since PrepareDeployment', (_what, live, message) => {
    expect(() => decideEndpointChange(live, existing)).toThrow(expect.objectContaining({ name: 'EndpointStateConflict', message: expect.stringMatching(message) }));
  });
});

describe('isGuarded', () => {
  it('is true for the guardrail styles except on a first deployment (nothing to roll back to)', () => {
    expect(isGuarded({ style: 'native-guardrails', firstDeployment: false })).toBe(true);
    expect(isGuarded({ style: 'async-guardrails', firstDeployment: false })).toBe(true);
    expect(isGuarded({ style: 'native-guardrails', firstDeployment: true })).toBe(false);
    expect(isGuarded({ style: 'variant-canary', firstDeployment: false })).toBe(false);
    expect(isGuarded({ style: 'all-at-once', firstDeployment: false })).toBe(false);
  });
});

describe('recognising our own change after a lost answer', () => {
  const updating = (pendingConfigName?: string): EndpointView => ({ ...endpoint('Updating', 'live-config'), ...(pendingConfigName ? { pendingConfigName } : {}) });

  it('an update moving to the config asked for is ours; one moving elsewhere, or none, is not', () => {
    expect(isOwnPendingUpdate(updating('churn-v7-canary'), 'churn-v7-canary')).toBe(true);
    expect(isOwnPendingUpdate(updating('hand-edit'), 'churn-v7-canary')).toBe(false);
    expect(isOwnPendingUpdate(endpoint('InService', 'live-config'), 'churn-v7-canary')).toBe(false);
    expect(isOwnPendingUpdate(null, 'churn-v7-canary')).toBe(false);
  });

  it('a weight change applying exactly the weights asked for is ours; other weights, or a config update, are not', () => {
    const weights = [
      { name: 'v6-old', weight: 0 },
      { name: 'v7', weight: 1 },
    ];
    const applying: EndpointView = { ...endpoint('Updating', 'canary-config'), desiredWeights: weights };
    expect(isOwnWeightChange(applying, weights)).toBe(true);
    expect(isOwnWeightChange({ ...applying, desiredWeights: [{ name: 'v6-old', weight: 1 }, { name: 'v7', weight: 0 }] }, weights)).toBe(false);
    expect(isOwnWeightChange({ ...applying, pendingConfigName: 'other' }, weights)).toBe(false);
    expect(isOwnWeightChange({ ...applying, status: 'InService' }, weights)).toBe(false);
  });
});
