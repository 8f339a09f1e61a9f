import type { ReleaseRecord } from './ledger';
import { resourceNames } from './names';
import { packageVersionOf } from './version-order';

/**
 * What finished releases leave behind (README, "Clean-up"): each release creates a model, one or two
 * endpoint configs and two canary alarms, named from its release id. Once it has ended, its alarms are of no
 * further use; its configs and model are kept while they may still be rolled back to (the last N promoted
 * releases of the endpoint, the config each replaced, and whatever the endpoint runs or is moving to), and
 * deleted otherwise.
 */

/** Outcomes whose model is what the endpoint (or the group's batch scoring) was left on. */
const SERVED: ReadonlySet<string> = new Set(['PROMOTED', 'REGISTERED']);

/** The last `keep` releases that put their model into service, newest first. */
export function keptReleases(records: readonly ReleaseRecord[], keep: number): ReleaseRecord[] {
  // By when each went into service, not when it was asked for: a release can wait in the queue behind another.
  const when = (r: ReleaseRecord) => r.finishedAt ?? r.startedAt;
  return records
    .filter((r) => SERVED.has(r.status))
    .sort((a, b) => (when(a) < when(b) ? 1 : when(a) > when(b) ? -1 : 0))
    .slice(0, keep);
}

/** What one release created, by name. */
export interface CreatedResources {
  configs: string[];
  models: string[];
  alarms: string[];
}

/** What a release created, and which of it a kept release keeps: its model and final config. */
export interface ReleaseResources extends CreatedResources {
  whileKept: string[];
}

/** The names a release gave what it created (the same rule PlanRelease names them by), or null when its ARN says no version. */
export function createdBy(record: ReleaseRecord, managedBy: string): ReleaseResources | null {
  const pkg = packageVersionOf(record.modelPackageArn);
  if (pkg === null) return null;
  const batch = record.target.startsWith('batch:');
  const names = resourceNames(pkg.group, pkg.version, batch ? null : record.target, record.releaseId, managedBy);
  return batch
    ? { configs: [], models: [names.model], alarms: [], whileKept: [names.model] }
    : { configs: [names.canaryConfig, names.finalConfig], models: [names.model], alarms: [names.errorRateAlarm, names.latencyAlarm], whileKept: [names.model, names.finalConfig] };
}

/** One release's clean-up: what to delete, and what is kept because something may still need it. */
export interface ReleaseCleanup {
  record: ReleaseRecord;
  /** One of the kept releases: only what it no longer needs goes, and it is looked at again next time. */
  kept: boolean;
  delete: CreatedResources;
  /** Names kept although the release is past the keep window: in use, or a kept release's. */
  protectedNames: string[];
}

/**
 * The releases to clean up now: finished, not cleaned up before (kept ones included, for what they no longer need), multi-model
 * releases aside (they create no config or model; their artifacts are restored, not deleted), at most
 * `limit` of them (the oldest are reached on later runs). Nothing in `protectedNames` is deleted.
 */
export function releasesToClean(input: {
  records: readonly ReleaseRecord[];
  kept: readonly ReleaseRecord[];
  protectedNames: ReadonlySet<string>;
  managedBy: string;
  limit: number;
}): ReleaseCleanup[] {
  const keptIds = new Set(input.kept.map((r) => r.releaseId));
  const due = input.records.filter((r) => r.status !== 'IN_PROGRESS' && r.mode !== 'multi-model' && !r.cleanedUpAt);
  const plans: ReleaseCleanup[] = [];
  for (const record of due.slice(0, input.limit)) {
    const created = createdBy(record, input.managedBy);
    if (created === null) continue;
    const free = (names: string[]) => names.filter((n) => !input.protectedNames.has(n));
    plans.push({
      record,
      kept: keptIds.has(record.releaseId),
      delete: { configs: free(created.configs), models: free(created.models), alarms: created.alarms },
      protectedNames: [...created.configs, ...created.models].filter((n) => input.protectedNames.has(n)),
    });
  }
  return plans;
}
