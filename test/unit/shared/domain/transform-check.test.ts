import { judgeTransform } from '../../../../functions/shared/domain/batch';

const OUTPUT = 's3://sagemaker-ml-batch/churn/output/2026-11-22/';

describe('judgeTransform', () => {
  it('does not time out a job that reached a final state', () => {
    expect(judgeTransform({ status: 'Failed', failureReason: null }, null, OUTPUT, 99_999, 10)).toEqual({ check: 'Failed', reason: 'transform job Failed: no failure reason given' });
    expect(judgeTransform({ status: 'Completed', failureReason: null }, 4, OUTPUT, 99_999, 10)).toEqual({ check: 'Completed', reason: null });
  });

  it('keeps polling exactly at the bound and times out just past it', () => {
    expect(judgeTransform({ status: 'InProgress', failureReason: null }, null, OUTPUT, 10, 10).check).toBe('InProgress');
    expect(judgeTransform({ status: 'InProgress', failureReason: null }, null, OUTPUT, 10.5, 10).check).toBe('TimedOut');
  });
});
