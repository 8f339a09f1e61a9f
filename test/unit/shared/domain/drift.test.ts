import { driftFrom } from '../../../../functions/shared/domain/drift';
import type { EndpointView } from '../../../../functions/shared/domain/views';

const expected = { configName: 'canary-config', weights: [{ name: 'live', weight: 90 }, { name: 'v2', weight: 10 }] };
const endpoint = (overrides: Partial<EndpointView> = {}): EndpointView => ({ name: 'churn', status: 'InService', configName: 'canary-config', failureReason: null, variants: [{ name: 'live', weight: 0.9 }, { name: 'v2', weight: 0.1 }], ...overrides });

describe('driftFrom: what the release set, or what someone changed', () => {
  it("finds none while the endpoint runs the release's config and split, in any units, even while its own weight change applies", () => {
    expect(driftFrom(endpoint(), expected)).toBeNull();
    expect(driftFrom(endpoint({ status: 'Updating', variants: [{ name: 'live', weight: 1 }, { name: 'v2', weight: 0 }], desiredWeights: [{ name: 'live', weight: 9 }, { name: 'v2', weight: 1 }] }), expected)).toBeNull();
  });

  it("finds an operator's drain of the canary", () => {
    expect(driftFrom(endpoint({ variants: [{ name: 'live', weight: 1 }, { name: 'v2', weight: 0 }] }), expected)).toBe('the traffic split is live 100%, v2 0%, not live 90%, v2 10% that this release set');
  });

  it("finds an operator's hotfix (another config), applied or under way, and a deleted endpoint", () => {
    expect(driftFrom(endpoint({ configName: 'hotfix' }), expected)).toBe('the endpoint runs config hotfix, not canary-config that this release set');
    expect(driftFrom(endpoint({ status: 'Updating', pendingConfigName: 'hotfix' }), expected)).toMatch(/^an update of the endpoint to config hotfix is under way/);
    expect(driftFrom(null, expected)).toBe('the endpoint was deleted');
  });
});
