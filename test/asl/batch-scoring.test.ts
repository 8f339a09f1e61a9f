/**
 * The batch-scoring state machine's routes (statemachines/batch-scoring.asl.yml, as packaged), every step's
 * answer stubbed: one iteration per job that always ends in RecordBatchOutcome, the run's summary, and how
 * the run ends. The same runs with real steps on the local account are in test/simulation/.
 */
import { failure, packaged, runStubbed, type Stub } from '../support/asl-harness';

const JOB = (name: string) => ({ name, modelPackageGroupName: 'churn', inputPrefix: 's3://b/in/{date}/', outputPrefix: 's3://b/out/{date}/' });
const execution = { id: 'arn:aws:states:us-east-1:123456789012:execution:batch:1', startTime: '2026-11-23T02:00:00.000Z' };
const normalized = (jobs: string[]): Stub => ({ request: { action: 'batch', trigger: 'schedule', date: '2026-11-22', jobs: jobs.map(JOB), requestedAt: 'x' }, execution });
const summaryLine = (input: Record<string, unknown>) => {
  const failed = 'error' in input || (input.transformCheck as { check?: string } | undefined)?.check !== 'Completed';
  return { job: (input.job as { name: string }).name, status: failed ? 'Failed' : 'Succeeded' };
};
const summarize: Stub = (input: Record<string, unknown>) => {
  const jobs = input.jobs as { status: string }[];
  const failed = jobs.filter((j) => j.status === 'Failed').length;
  return { date: '2026-11-22', total: jobs.length, succeeded: jobs.length - failed, failed, jobs, failedJobs: [], text: `${failed} failed` };
};
const steps: Record<string, Stub> = {
  ResolveBatchModel: { modelName: 'm', modelPackageArn: 'p', version: 1, source: 'latest-approved' },
  StartTransformJob: { jobName: 'j', reused: false, status: 'InProgress', startedAt: 'x', modelName: 'm' },
  CheckTransformJob: (_i: Record<string, unknown>, call: number) => ({ check: call % 2 === 1 ? 'InProgress' : 'Completed' }),
  RecordBatchOutcome: summaryLine,
  SummarizeBatchRun: summarize,
};

describe('batch-scoring state machine routes (every step stubbed)', () => {
  const machine = () => packaged().batchScoring;

  it('scores every job (polling each until done), summarizes the night and succeeds with the summary', async () => {
    const run = await runStubbed({ NormalizeInput: normalized(['a', 'b']), ...steps }, { action: 'nightly-batch' }, machine());

    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.filter((s) => s === 'RecordBatchOutcome')).toHaveLength(2);
    expect(run.path.slice(-3)).toEqual(['SummarizeBatchRun', 'DidEveryBatchJobSucceed', 'BatchScoringSucceeded']);
    expect(run.output).toMatchObject({ total: 2, failed: 0 });
  });

  it('a job that fails at any step still reaches RecordBatchOutcome, and the night fails naming it', async () => {
    const run = await runStubbed({ NormalizeInput: normalized(['a']), ...steps, ResolveBatchModel: () => { throw failure('NoApprovedModel'); } }, { action: 'nightly-batch' }, machine());

    expect(run.path).toEqual(['NormalizeInput', 'ScoreBatches', 'ResolveBatchModel', 'RecordBatchOutcome', 'SummarizeBatchRun', 'DidEveryBatchJobSucceed', 'BatchScoringFailed']);
    expect(run.error).toBe('BatchScoringFailed');
    const recorded = run.inputs.get('RecordBatchOutcome')?.[0] as { error?: { Error?: string } };
    expect(recorded.error?.Error).toBe('NoApprovedModel');
  });

  it('a job whose outcome event cannot be sent is summarized as failed, the others unaffected', async () => {
    const run = await runStubbed(
      { NormalizeInput: normalized(['a', 'b']), ...steps, RecordBatchOutcome: (input: Record<string, unknown>) => { if ((input.job as { name: string }).name === 'b') throw failure('AwsUnavailable'); return summaryLine(input); } },
      { action: 'nightly-batch' },
      machine(),
    );

    expect(run.path).toContain('BatchOutcomeNotRecorded');
    expect(run.error).toBe('BatchScoringFailed');
    const summarized = run.inputs.get('SummarizeBatchRun')?.[0] as { jobs: { job: string; status: string }[] };
    expect(summarized.jobs.map((j) => [j.job, j.status]).sort()).toEqual([
      ['a', 'Succeeded'],
      ['b', 'Failed'],
    ]);
  });

  it('input NormalizeInput refuses is reported as a failure, fails the run with its error, and nothing is scored', async () => {
    const refusal = failure('InvalidInput', 'this is a release; start the release state machine');
    const recorded = { outcome: 'FAILED', error: 'InvalidInput', cause: refusal.message, detailType: 'Model Deployment Failed', endpoint: null, onRequest: false };
    const run = await runStubbed({ NormalizeInput: () => { throw refusal; }, RecordRejectedRun: recorded, ...steps }, { modelPackageArn: 'x' }, machine());

    expect(run.path).toEqual(['NormalizeInput', 'RejectInput', 'RecordRejectedRun', 'ScoringRunRefused']);
    expect(run.error).toBe('InvalidInput');
    expect(run.inputs.get('RecordRejectedRun')?.[0]).toMatchObject({ outcome: 'FAILED', state: { error: { Error: 'InvalidInput' } } });
  });

  it('a refused run whose failure event cannot be sent fails as OutcomeNotRecorded', async () => {
    const run = await runStubbed({ NormalizeInput: () => { throw failure('InvalidInput'); }, RecordRejectedRun: () => { throw failure('AwsUnavailable'); }, ...steps }, {}, machine());

    expect(run.path.slice(-2)).toEqual(['RecordRejectedRun', 'OutcomeNotRecorded']);
    expect(run.error).toBe('OutcomeNotRecorded');
  });

  it('NormalizeInput is told which state machine it runs in', async () => {
    const run = await runStubbed({ NormalizeInput: normalized([]), ...steps }, { action: 'nightly-batch' }, machine());
    const release = await runStubbed({ NormalizeInput: () => { throw failure('InvalidInput'); }, RecordFailure: { outcome: 'FAILED', error: 'InvalidInput', cause: 'c', detailType: 'x', endpoint: null, onRequest: false }, CleanUp: { skipped: 'nothing released' } }, {});

    expect(run.inputs.get('NormalizeInput')?.[0]).toMatchObject({ workflow: 'batch-scoring', input: { action: 'nightly-batch' } });
    expect(release.inputs.get('NormalizeInput')?.[0]).toMatchObject({ workflow: 'release' });
  });
});
