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
export function driftFrom(live: EndpointView | null, expected: { configName: string; weights?: readonly VariantWeight[] }): string | null {
  if (live === null) return 'the endpoint was deleted';
  if (live.pendingConfigName !== undefined && live.pendingConfigName !== expected.configName) {
    return `an update of the endpoint to config ${live.pendingConfigName} is under way, not started by this release (it set ${expected.configName})`;
  }
  if (live.configName !== expected.configName) return `the endpoint runs config ${live.configName ?? 'none'}, not ${expected.configName} that this release set`;
  // Before the release has set a split of its own, only the config is the release's.
  if (expected.weights === undefined) return null;
  const asked = shares(expected.weights);
  const now = shares(live.desiredWeights ?? live.variants);
  const names = new Set([...asked.keys(), ...now.keys()]);
  const moved = [...names].some((name) => Math.abs((asked.get(name) ?? 0) - (now.get(name) ?? 0)) > 0.005);
  if (moved) return `the traffic split is ${describeSplit(live.desiredWeights ?? live.variants)}, not ${describeSplit(expected.weights)} that this release set`;
  return null;
}

/** Why a step about to move traffic or promote did not: REVOKED (the release rolls back) or DRIFTED (hands off). */
export interface ChangeStopped {
  verdict: 'revoked' | 'drifted';
  reason: string;
}

/**
 * The registry has the last word and the release does not fight its operators (README, "Ownership"): asked
 * right before a step changes traffic or promotes (StartCanary, ShiftTraffic, Promote), so a rejection or an
 * operator's change between two canary checks, or during the traffic shift, stops the release there.
 * Null when the step may go on. `change` names what was about to happen, e.g. "moving all traffic to the new variant".
 */
export function stopBeforeChange(approvalStatus: string, drift: string | null, change: string): ChangeStopped | null {
  if (drift !== null) return { verdict: 'drifted', reason: `someone else changed the endpoint before ${change}: ${drift}; the release stops changing it` };
  if (approvalStatus !== 'Approved') {
    return { verdict: 'revoked', reason: `the package is ${approvalStatus} in the model registry now, no longer Approved: the release stopped before ${change} and undoes what it changed` };
  }
  return null;
}

/** The endpoint is gone when a step was about to change it: someone else's doing, so hands off (DRIFTED). */
export function deletedBeforeChange(change: string): ChangeStopped {
  return { verdict: 'drifted', reason: `someone else changed the endpoint before ${change}: the endpoint was deleted; the release stops changing it` };
}
