import { decideEndpointChange, isGuarded } from '../../../../functions/shared/domain/endpoint-change';
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
