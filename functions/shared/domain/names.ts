import { createHash } from 'node:crypto';

/**
 * Names of everything a release creates. Each carries the release id, so a retried step finds its own
 * earlier attempt ("already exists") instead of creating twice.
 */
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

/**
 * The prefix of every alarm this deployment creates: its MANAGED_BY value and a slash. The roles may
 * PutMetricAlarm only under it (resources/iam.yml), so a release can never replace someone else's alarm
 * of the same name (PutMetricAlarm on an existing name replaces that alarm).
 */
export function alarmNamePrefix(managedBy: string): string {
  return `${managedBy}/`;
}

export function resourceNames(groupName: string, version: number, endpointName: string | null, releaseId: string, managedBy: string): ResourceNames {
  const variant = sageMakerName(`v${version}`, releaseId);
  const endpoint = endpointName ?? groupName;
  const alarmPrefix = alarmNamePrefix(managedBy);
  return {
    model: sageMakerName(groupName, `v${version}`, releaseId),
    variant,
    canaryConfig: sageMakerName(endpoint, releaseId, 'canary'),
    finalConfig: sageMakerName(endpoint, releaseId),
    errorRateAlarm: `${alarmPrefix}${sageMakerName(endpoint, variant, 'error-rate')}`,
    latencyAlarm: `${alarmPrefix}${sageMakerName(endpoint, variant, 'latency-p99')}`,
  };
}

