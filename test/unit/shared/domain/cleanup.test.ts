import { createdBy, keptReleases, releasesToClean } from '../../../../functions/shared/domain/cleanup';
import type { ReleaseRecord } from '../../../../functions/shared/domain/ledger';
import { MANAGED_BY } from '../../helpers';

const record = (releaseId: string, version: number, status: ReleaseRecord['status'], finishedAt: string, extra: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  releaseId,
  modelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/${version}`,
  target: 'churn-prod',
  mode: 'realtime',
  trigger: 'approval',
  requestedAt: '2026-12-01T00:00:00.000Z',
  status,
  redeploy: false,
  executionArn: null,
  startedAt: finishedAt,
  finishedAt,
  ...extra,
});

describe('keptReleases', () => {
  it('keeps the last N that went into service, by when they finished, not when they were asked for', () => {
    const records = [record('aaaaaaaa', 4, 'ROLLED_BACK', '2026-12-01T04:00:00Z'), record('cccccccc', 2, 'PROMOTED', '2026-12-01T02:00:00Z'), record('bbbbbbbb', 3, 'PROMOTED', '2026-12-01T03:00:00Z'), record('dddddddd', 1, 'PROMOTED', '2026-12-01T01:00:00Z')];
    expect(keptReleases(records, 2).map((r) => r.releaseId)).toEqual(['bbbbbbbb', 'cccccccc']);
  });
});

describe('releasesToClean', () => {
  it('names what each finished release created, deletes none of what is protected, and skips in-flight, cleaned and multi-model releases', () => {
    // Arrange
    const promoted = record('bbbbbbbb', 3, 'PROMOTED', '2026-12-01T03:00:00Z');
    const old = record('cccccccc', 2, 'PROMOTED', '2026-12-01T02:00:00Z');
    const records = [
      record('eeeeeeee', 5, 'IN_PROGRESS', '2026-12-01T05:00:00Z'),
      promoted,
      old,
      record('ffffffff', 1, 'ROLLED_BACK', '2026-12-01T01:30:00Z', { cleanedUpAt: '2026-12-01T01:31:00Z' }),
      record('99999999', 1, 'PROMOTED', '2026-12-01T01:00:00Z', { mode: 'multi-model' }),
    ];
    const oldNames = createdBy(old, MANAGED_BY);

    // Act
    const due = releasesToClean({ records, kept: [promoted], protectedNames: new Set([oldNames?.models[0] ?? '']), managedBy: MANAGED_BY, limit: 10 });

    // Assess
    expect(due.map((d) => [d.record.releaseId, d.kept])).toEqual([['bbbbbbbb', true], ['cccccccc', false]]);
    expect(due[1]?.delete).toEqual({ configs: ['churn-prod-cccccccc-canary', 'churn-prod-cccccccc'], models: [], alarms: [`${MANAGED_BY}/churn-prod-v2-cccccccc-error-rate`, `${MANAGED_BY}/churn-prod-v2-cccccccc-latency-p99`] });
    expect(due[1]?.protectedNames).toEqual(['churn-v2-cccccccc']);
  });

  it('a batch release created a model only; a kept one keeps its model and final config, not its canary config', () => {
    const batch = createdBy({ ...record('aaaaaaaa', 7, 'REGISTERED', '2026-12-01T00:00:00Z'), target: 'batch:churn' }, MANAGED_BY);
    expect(batch).toEqual({ configs: [], models: ['churn-v7-aaaaaaaa'], alarms: [], whileKept: ['churn-v7-aaaaaaaa'] });
    expect(createdBy(record('aaaaaaaa', 7, 'PROMOTED', '2026-12-01T00:00:00Z'), MANAGED_BY)?.whileKept).toEqual(['churn-v7-aaaaaaaa', 'churn-prod-aaaaaaaa']);
  });
});
