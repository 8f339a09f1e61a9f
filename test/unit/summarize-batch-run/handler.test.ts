import { handler } from '../../../functions/summarize-batch-run/handler';
import { summarizeRun, type BatchJobSummary } from '../../../functions/shared/domain/batch';
import { lambdaContext } from '../helpers';
import { DATE, GROUP, packageArn } from '../fixtures/batch';

function summary(job: string, overrides: Partial<BatchJobSummary> = {}): BatchJobSummary {
  return {
    job,
    modelPackageGroupName: GROUP,
    date: DATE,
    status: 'Succeeded',
    transformJobName: `${job}-20261122`,
    reused: false,
    modelPackageArn: packageArn(7),
    modelSource: 'latest-approved',
    outputObjects: 4,
    durationSeconds: 1200,
    reason: null,
    ...overrides,
  };
}
const failed = (job: string, reason: string) =>
  summary(job, { status: 'Failed', reason, transformJobName: null, modelPackageArn: null, modelSource: null, outputObjects: 0, durationSeconds: null });

describe('SummarizeBatchRun handler', () => {
  it('counts the night and names each failed job with its reason, ready for a Fail state’s Cause', async () => {
    // Prepare
    const jobs = [summary('churn'), failed('scores', 'NoApprovedModel: model package group scores-model has no Approved model package'), summary('ltv')];

    // Act
    const out = await handler({ jobs, date: DATE }, lambdaContext());

    // Assess
    expect(out).toEqual({
      date: DATE,
      total: 3,
      succeeded: 2,
      failed: 1,
      jobs,
      failedJobs: ['scores'],
      text: '1 of 3 batch jobs failed for 2026-11-22: scores (NoApprovedModel: model package group scores-model has no Approved model package).',
    });
  });

  it('lists every failure, in job order', () => {
    const out = summarizeRun([failed('a', 'TimedOut: still InProgress'), summary('b'), failed('c', 'Failed: ClientError')], DATE);
    expect(out.failedJobs).toEqual(['a', 'c']);
    expect(out.text).toBe('2 of 3 batch jobs failed for 2026-11-22: a (TimedOut: still InProgress); c (Failed: ClientError).');
  });

  it('says so plainly when every job succeeded', () => {
    expect(summarizeRun([summary('a'), summary('b', { outputObjects: 6 })], DATE)).toMatchObject({ failed: 0, succeeded: 2, failedJobs: [], text: 'All 2 batch jobs succeeded for 2026-11-22 (10 output objects).' });
    expect(summarizeRun([summary('a')], DATE).text).toBe('The batch job succeeded for 2026-11-22 (4 output objects).');
  });

  it('handles a night with no jobs configured', () => {
    expect(summarizeRun([], DATE)).toEqual({ date: DATE, total: 0, succeeded: 0, failed: 0, jobs: [], failedJobs: [], text: 'No batch jobs are configured; nothing was scored for 2026-11-22.' });
  });

  it('shortens a very long reason so a hundred failures still fit a Fail state’s Cause', () => {
    // Act
    const out = summarizeRun(Array.from({ length: 100 }, (_, i) => failed(`${String(i).padStart(3, '0')}-${'j'.repeat(27)}`, `AwsRequestRejected: ${'x'.repeat(5000)}`)), DATE);

    // Assess
    expect(out.text.length).toBeLessThan(32_768);
    expect(out.text).toContain('…)');
  });

  it.each([
    ['no jobs array', { date: DATE }, 'jobs'],
    ['a job summary with an unknown status', { date: DATE, jobs: [{ ...summary('a'), status: 'Maybe' }] }, 'jobs.0.status'],
    ['a bad date', { date: 'yesterday', jobs: [] }, 'date'],
  ])('refuses %s as InvalidInput', async (_what, input, field) => {
    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
  });
});
