import type { ReleaseRecord } from '../../../../functions/shared/domain/ledger';
import { judgeInFlight, sweepRecoveryName, SWEEP_GRACE_SECONDS } from '../../../../functions/shared/domain/sweep';

const NOW = Date.parse('2024-05-01T13:00:00.000Z');
const DEAD = 'arn:aws:states:us-east-1:123456789012:execution:release:run-1';
const record: ReleaseRecord = {
  releaseId: 'r7',
  modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/7',
  target: 'churn',
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: '2024-05-01T12:00:00.000Z',
  status: 'IN_PROGRESS',
  redeploy: false,
  executionArn: DEAD,
  startedAt: '2024-05-01T12:00:00.000Z',
};
const ended = (secondsAgo: number, status = 'ABORTED') => ({ status, stoppedAt: new Date(NOW - secondsAgo * 1000).toISOString() });

describe('judgeInFlight: which releases in flight the sweep recovers', () => {
  it('leaves a release whose execution runs, or whose recovery runs', () => {
    expect(judgeInFlight(record, { status: 'RUNNING', stoppedAt: null }, null, NOW)).toEqual({ action: 'leave', why: `execution ${DEAD} is still running` });
    expect(judgeInFlight({ ...record, recoveredBy: 'rec-1' }, ended(3600), { status: 'RUNNING', stoppedAt: null }, NOW)).toEqual({ action: 'leave', why: 'recovery rec-1 is running' });
  });

  it('leaves a release whose execution ended moments ago to the recovery its status-change event starts', () => {
    expect(judgeInFlight(record, ended(SWEEP_GRACE_SECONDS - 1), null, NOW).action).toBe('leave');
    expect(judgeInFlight(record, ended(SWEEP_GRACE_SECONDS + 1), null, NOW)).toEqual({
      action: 'recover',
      deadExecutionArn: DEAD,
      recoveryName: sweepRecoveryName('r7', DEAD, null),
      why: expect.stringMatching(/is ABORTED since .*, yet release r7 is still IN_PROGRESS$/),
    });
  });

  it('recovers a release whose execution Step Functions no longer knows, or whose recovery died too (under a new name)', () => {
    expect(judgeInFlight(record, null, null, NOW)).toMatchObject({ action: 'recover', why: expect.stringContaining('unknown to Step Functions') });
    const again = judgeInFlight({ ...record, recoveredBy: 'rec-1' }, ended(3600), ended(900, 'FAILED'), NOW);
    expect(again).toMatchObject({ action: 'recover', recoveryName: sweepRecoveryName('r7', DEAD, 'rec-1') });
    expect(sweepRecoveryName('r7', DEAD, 'rec-1')).not.toBe(sweepRecoveryName('r7', DEAD, null));
  });

  it('names each recovery the same on every sweep, within Step Functions execution-name rules', () => {
    const name = sweepRecoveryName('r7', DEAD, null);
    expect(name).toBe(sweepRecoveryName('r7', DEAD, null));
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('leaves a record that names no execution', () => {
    expect(judgeInFlight({ ...record, executionArn: null }, null, null, NOW).action).toBe('leave');
  });
});
