import type { ReleaseRecord } from './ledger';

/** Group and version of a model package ARN (`...:model-package/<group>/<version>`), or null for another ARN. */
export function packageVersionOf(modelPackageArn: string): { group: string; version: number } | null {
  const match = /:model-package\/([^/]+)\/(\d+)$/.exec(modelPackageArn);
  return match?.[1] !== undefined && match[2] !== undefined ? { group: match[1], version: Number(match[2]) } : null;
}

/** The newer release an approval must not replace, and how it stands. */
export interface NewerRelease {
  releaseId: string;
  version: number;
  status: 'PROMOTED' | 'REGISTERED' | 'RECOVERED' | 'IN_PROGRESS';
}

/**
 * Whether releasing `candidate` would replace a newer version of its group: the endpoint's ledger records
 * (newest first) hold a version at or above it that was promoted there (or recovered onto its new model),
 * or one above it still in flight (queued or running). Null when the candidate is the newest. Package
 * versions only grow within a group, so an older version arriving late (a delayed or replayed approval
 * event) is stale; a manual run with `force` releases one anyway. The candidate's own earlier releases are
 * the package claim's to judge (a duplicate is skipped; a package approved again after a rejection is
 * released again), so they are not counted here.
 */
export function newerReleaseThan(records: readonly ReleaseRecord[], candidate: { groupName: string; version: number; releaseId: string; modelPackageArn?: string }): NewerRelease | null {
  let newest: NewerRelease | null = null;
  for (const record of records) {
    if (record.releaseId === candidate.releaseId || record.modelPackageArn === candidate.modelPackageArn) continue;
    const of = packageVersionOf(record.modelPackageArn);
    if (of === null || of.group !== candidate.groupName) continue;
    const served = record.status === 'PROMOTED' || record.status === 'REGISTERED' || (record.status === 'RECOVERED' && record.servingModel === 'new');
    const newer = served ? of.version >= candidate.version : record.status === 'IN_PROGRESS' && of.version > candidate.version;
    if (!newer) continue;
    if (newest === null || of.version > newest.version) newest = { releaseId: record.releaseId, version: of.version, status: served ? (record.status as 'PROMOTED' | 'REGISTERED' | 'RECOVERED') : 'IN_PROGRESS' };
  }
  return newest;
}
