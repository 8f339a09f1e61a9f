import type { EndpointView, VariantWeight } from './views';

/** Each variant's share of traffic (weights are relative: 9/1 and 90/10 are the same split). */
function shares(weights: readonly VariantWeight[]): Map<string, number> {
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  return new Map(weights.map((w) => [w.name, total > 0 ? w.weight / total : 0]));
}

function describeSplit(weights: readonly VariantWeight[]): string {
  return [...shares(weights)].map(([name, share]) => `${name} ${Math.round(share * 100)}%`).join(', ');
}

/**
 * Whether someone else changed the endpoint while the release watches it (README, "No fighting"): it must
 * still run the config the release put there, with the split it set (its own weight change may still be
 * applying). Null when it does; otherwise what was found, for the DRIFTED record. The release then stops
 * changing the endpoint: it never rolls back over an operator's hotfix, nor re-promotes a canary an operator
 * drained.
 */
export function driftFrom(live: EndpointView | null, expected: { configName: string; weights: readonly VariantWeight[] }): string | null {
  if (live === null) return 'the endpoint was deleted';
  if (live.pendingConfigName !== undefined && live.pendingConfigName !== expected.configName) {
    return `an update of the endpoint to config ${live.pendingConfigName} is under way, not started by this release (it set ${expected.configName})`;
  }
  if (live.configName !== expected.configName) return `the endpoint runs config ${live.configName ?? 'none'}, not ${expected.configName} that this release set`;
  const asked = shares(expected.weights);
  const now = shares(live.desiredWeights ?? live.variants);
  const names = new Set([...asked.keys(), ...now.keys()]);
  const moved = [...names].some((name) => Math.abs((asked.get(name) ?? 0) - (now.get(name) ?? 0)) > 0.005);
  if (moved) return `the traffic split is ${describeSplit(live.desiredWeights ?? live.variants)}, not ${describeSplit(expected.weights)} that this release set`;
  return null;
}
