import type { ReleaseRecord } from '../../../../functions/shared/domain/ledger';
import { newerReleaseThan, packageVersionOf } from '../../../../functions/shared/domain/version-order';

const arn = (group: string, version: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`;
const record = (releaseId: string, group: string, version: number, status: ReleaseRecord['status'], servingModel?: string): ReleaseRecord => ({
  releaseId,
  modelPackageArn: arn(group, version),
  target: 'churn-endpoint',
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: '2026-11-01T12:00:00.000Z',
  status,
  redeploy: false,
  executionArn: null,
  startedAt: '2026-11-01T12:00:00.000Z',
  ...(servingModel ? { servingModel } : {}),
});
const candidate = (version: number) => ({ groupName: 'churn-model', version, releaseId: 'mine' });

describe('packageVersionOf', () => {
  it('reads group and version from a versioned package ARN, and nothing from another ARN', () => {
    expect(packageVersionOf(arn('churn-model', 12))).toEqual({ group: 'churn-model', version: 12 });
    expect(packageVersionOf('arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model')).toBeNull();
  });
});

describe('newerReleaseThan: an older version never replaces a newer one', () => {
  it('finds a version at or above the candidate promoted on the endpoint', () => {
    const records = [record('r3', 'churn-model', 3, 'PROMOTED')];
    expect(newerReleaseThan(records, candidate(2))).toEqual({ releaseId: 'r3', version: 3, status: 'PROMOTED' });
    expect(newerReleaseThan(records, candidate(3))).toMatchObject({ version: 3 });
    expect(newerReleaseThan(records, candidate(4))).toBeNull();
  });

  it('finds a newer version in flight (queued or running), but not an equal one', () => {
    expect(newerReleaseThan([record('r5', 'churn-model', 5, 'IN_PROGRESS')], candidate(4))).toEqual({ releaseId: 'r5', version: 5, status: 'IN_PROGRESS' });
    expect(newerReleaseThan([record('r5', 'churn-model', 5, 'IN_PROGRESS')], candidate(5))).toBeNull();
  });

  it('counts a recovery only when it left the new model serving', () => {
    expect(newerReleaseThan([record('r3', 'churn-model', 3, 'RECOVERED', 'new')], candidate(2))).toMatchObject({ status: 'RECOVERED' });
    expect(newerReleaseThan([record('r3', 'churn-model', 3, 'RECOVERED', 'previous')], candidate(2))).toBeNull();
  });

  it('ignores rolled-back and failed newer versions, other groups, and the candidate\'s own record', () => {
    const records = [record('r9', 'churn-model', 9, 'ROLLED_BACK'), record('r8', 'churn-model', 8, 'FAILED'), record('x', 'fraud-model', 40, 'PROMOTED'), { ...record('mine', 'churn-model', 2, 'IN_PROGRESS') }];
    expect(newerReleaseThan(records, candidate(2))).toBeNull();
  });

  it("leaves the candidate's own earlier releases to the package claim (a re-approval after a rejection is released again)", () => {
    expect(newerReleaseThan([record('r3', 'churn-model', 3, 'PROMOTED')], { ...candidate(3), modelPackageArn: arn('churn-model', 3) })).toBeNull();
  });

  it('counts a newer version registered for batch (a batch-only release) as served', () => {
    expect(newerReleaseThan([record('r4', 'churn-model', 4, 'REGISTERED')], candidate(3))).toMatchObject({ releaseId: 'r4', status: 'REGISTERED' });
  });

  it('names the newest of several', () => {
    expect(newerReleaseThan([record('r3', 'churn-model', 3, 'PROMOTED'), record('r6', 'churn-model', 6, 'IN_PROGRESS'), record('r4', 'churn-model', 4, 'PROMOTED')], candidate(2))).toMatchObject({ releaseId: 'r6', version: 6 });
  });
});
