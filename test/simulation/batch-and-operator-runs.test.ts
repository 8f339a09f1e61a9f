/**
 * The batch-scoring state machine (nightly, score now) and the operator runs of the release one (dry run,
 * manual rollback) on the local account: packaged ASL, steps from source, moto + our SageMaker simulator.
 */
import { CreateEndpointConfigCommand, CreateModelCommand, CreateTransformJobCommand, DescribeEndpointConfigCommand, DescribeTransformJobCommand, ListEndpointsCommand, ListTransformJobsCommand, UpdateEndpointCommand, type DescribeTransformJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { BatchJobSummary } from '../../functions/shared/domain/batch';
import type { ReleaseRecord } from '../../functions/shared/domain/ledger';
import { ROLE_ARN } from '../../local/account';
import { waitInService } from '../../local/seeding';
import { itemsOf, modelContainers, useMoto, useSimHarness, type SimHarness } from '../support/sim-harness';

// The stage param batchJobs.
const JOBS = [
  {
    name: 'churn-scores',
    modelPackageGroupName: 'churn',
    inputPrefix: 's3://sagemaker-local-data/batch/churn/scores/input/{date}/',
    outputPrefix: 's3://sagemaker-local-data/batch/churn/scores/output/{date}/',
    modelClientTimeoutSeconds: 120,
    modelClientMaxRetries: 0,
  },
  {
    // Every optional field left to its default: timeout 600 s, 1 retry.
    name: 'churn-segments',
    modelPackageGroupName: 'churn',
    inputPrefix: 's3://sagemaker-local-data/batch/churn/segments/input/{date}/',
    outputPrefix: 's3://sagemaker-local-data/batch/churn/segments/output/{date}/',
  },
  {
    name: 'fraud-scores',
    modelPackageGroupName: 'fraud',
    inputPrefix: 's3://sagemaker-local-data/batch/fraud/input/{date}/',
    outputPrefix: 's3://sagemaker-local-data/batch/fraud/output/{date}/',
    instanceType: 'ml.c5.xlarge',
    modelClientTimeoutSeconds: 30,
    modelClientMaxRetries: 2,
  },
];
const ENV = { BATCH_JOBS: JSON.stringify(JOBS) };

/** The schedule fires at 02:00 UTC; the night it scores is the UTC day before. */
const RUN_STARTS = '2026-11-23T02:00:00.000Z';
const NIGHT = '2026-11-22';

const SMOKE = [{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }];

const moto = useMoto();
/** The current test's harness: each describe below makes its own. */
let h: SimHarness;

/** One input file per job for `date` (a transform job writes one `.out` per input file). */
async function inputFor(date: string, jobs = JOBS): Promise<void> {
  for (const job of jobs) await h.putObject(`${job.inputPrefix.replace('{date}', date)}part-00000.csv`, '1,2,3\n4,5,6\n');
}

/** Every transform job in the account, described, oldest first. */
async function transformJobs(): Promise<DescribeTransformJobCommandOutput[]> {
  const list = await h.account.sageMaker.send(new ListTransformJobsCommand({ MaxResults: 100 }));
  const jobs = await Promise.all((list.TransformJobSummaries ?? []).map((j) => h.account.sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: j.TransformJobName ?? '' }))));
  return jobs.sort((a, b) => (a.CreationTime?.getTime() ?? 0) - (b.CreationTime?.getTime() ?? 0) || String(a.TransformJobName).localeCompare(String(b.TransformJobName)));
}

/** The CreateTransformJob requests sent since the log was reset. */
const createdJobs = () => h.writes().filter((w) => w.service === 'sagemaker' && w.operation === 'CreateTransformJob').length;

async function batchEvents(): Promise<{ detailType: string; job: unknown; reason: unknown }[]> {
  return (await h.events())
    .filter((e) => e.detailType.startsWith('Batch Scoring'))
    .map((e) => ({ detailType: e.detailType, job: e.detail.job, reason: e.detail.reason }))
    .sort((a, b) => String(a.job).localeCompare(String(b.job)));
}

function summaryOf(output: unknown): { jobs: BatchJobSummary[] } & Record<string, unknown> {
  return output as { jobs: BatchJobSummary[] } & Record<string, unknown>;
}

/** The SageMaker model a name refers to, as the package it was built from. */
async function packageOfModel(modelName: string): Promise<string | null> {
  return (await modelContainers(h, modelName).catch(() => []))[0]?.ModelPackageName ?? null;
}

describe('nightly batch scoring on the local account', () => {
  const harness = useSimHarness(moto, { env: ENV, startAt: RUN_STARTS });
  beforeEach(() => {
    h = harness;
  });

  it('scores every configured job for the night before with the latest Approved package, and sends one event per job', async () => {
    // Prepare
    await h.addPackage('churn');
    const churn = await h.addPackage('churn');
    await h.addPackage('churn', { approval: 'PendingManualApproval' });
    for (const _ of [1, 2, 3]) await h.addPackage('fraud');
    const fraud = await h.addPackage('fraud');
    await inputFor(NIGHT);
    h.resetRequests();

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['NormalizeInput', 'ScoreBatches', 'ResolveBatchModel', 'StartTransformJob', 'WaitForTransformJob', 'CheckTransformJob', 'RecordBatchOutcome', 'SummarizeBatchRun', 'BatchScoringSucceeded']));
    expect(run.path).not.toContain('DescribePackage');
    expect(run.output).toEqual({
      date: NIGHT,
      total: 3,
      succeeded: 3,
      failed: 0,
      failedJobs: [],
      text: 'All 3 batch jobs succeeded for 2026-11-22 (3 output objects).',
      jobs: [
        expect.objectContaining({ job: 'churn-scores', modelPackageGroupName: 'churn', date: NIGHT, status: 'Succeeded', transformJobName: 'churn-scores-20261122', reused: false, modelPackageArn: churn, modelSource: 'latest-approved', outputObjects: 1, reason: null }),
        expect.objectContaining({ job: 'churn-segments', status: 'Succeeded', transformJobName: 'churn-segments-20261122', reused: false, modelPackageArn: churn, outputObjects: 1 }),
        expect.objectContaining({ job: 'fraud-scores', status: 'Succeeded', transformJobName: 'fraud-scores-20261122', reused: false, modelPackageArn: fraud, outputObjects: 1 }),
      ],
    });
    expect(await batchEvents()).toEqual([
      { detailType: 'Batch Scoring Succeeded', job: 'churn-scores', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'churn-segments', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'fraud-scores', reason: null },
    ]);
    const events = await h.events();
    expect(events).toHaveLength(3);
    expect(events.find((e) => e.detail.job === 'fraud-scores')?.detail).toMatchObject({
      modelName: 'fraud-v4-batch',
      modelPackageVersion: 4,
      outputPath: 's3://sagemaker-local-data/batch/fraud/output/2026-11-22/',
      executionArn: expect.stringMatching(/:execution:/),
    });
    // One model per group and package version, shared by the group's jobs.
    expect(await packageOfModel('churn-v2-batch')).toBe(churn);
    expect(await packageOfModel('fraud-v4-batch')).toBe(fraud);
    const created = (await transformJobs()).sort((a, b) => String(a.TransformJobName).localeCompare(String(b.TransformJobName)));
    expect(created.map((c) => c.TransformJobName)).toEqual(['churn-scores-20261122', 'churn-segments-20261122', 'fraud-scores-20261122']);
    expect(created[0]).toMatchObject({
      ModelName: 'churn-v2-batch',
      ModelClientConfig: { InvocationsTimeoutInSeconds: 120, InvocationsMaxRetries: 0 },
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://sagemaker-local-data/batch/churn/scores/input/2026-11-22/' } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: 's3://sagemaker-local-data/batch/churn/scores/output/2026-11-22/', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
    });
    // The job that left them to the schema still passes them explicitly: SageMaker's own defaults differ.
    expect(created[1]?.ModelClientConfig).toEqual({ InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 1 });
    expect(created[2]).toMatchObject({ ModelName: 'fraud-v4-batch', ModelClientConfig: { InvocationsTimeoutInSeconds: 30, InvocationsMaxRetries: 2 }, TransformResources: { InstanceType: 'ml.c5.xlarge' } });
    // Outputs are counted under each night's prefix, with its trailing slash.
    const listed = h.account.sim
      .requestLog()
      .filter((r) => r.service === 's3' && r.operation === 'ListObjectsV2')
      .map((r) => new URLSearchParams((r.path ?? '').split('?')[1] ?? '').get('prefix'))
      .sort();
    expect(listed).toEqual(['batch/churn/scores/output/2026-11-22/', 'batch/churn/segments/output/2026-11-22/', 'batch/fraud/output/2026-11-22/']);
    expect((await h.account.sageMaker.send(new ListEndpointsCommand({}))).Endpoints ?? []).toEqual([]);
  });

  it.each([
    {
      failure: 'the group has no Approved model',
      prepare: async () => undefined,
      transformJobName: null,
      reason: /^NoApprovedModel: model package group fraud has no model in the ledger and no Approved model package/,
    },
    {
      failure: 'the transform job ends Failed',
      prepare: async () => {
        await h.addPackage('fraud', { behaviour: { failTransform: true } });
      },
      transformJobName: 'fraud-scores-20261122',
      reason: /^Failed: transform job Failed: AlgorithmError/,
    },
    {
      // SageMaker fails a job over an empty input prefix (a job that Completes without output is judged
      // Failed too: test/unit/shared/domain/transform-check.test.ts).
      failure: "the night's input partition is empty",
      prepare: async () => {
        await h.addPackage('fraud');
      },
      inputs: JOBS.filter((j) => j.name !== 'fraud-scores'),
      transformJobName: 'fraud-scores-20261122',
      reason: /^Failed: transform job Failed: ClientError: No S3 objects found under S3 URL "s3:\/\/sagemaker-local-data\/batch\/fraud\/input\/2026-11-22\/"/,
    },
  ])('fails the night naming the job when $failure, while the other jobs still score', async ({ prepare, transformJobName, reason, inputs }) => {
    // Prepare
    const churn = await h.addPackage('churn');
    await prepare();
    await inputFor(NIGHT, inputs ?? JOBS);

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('BatchScoringFailed');
    expect(run.cause).toMatch(/^1 of 3 batch jobs failed for 2026-11-22: fraud-scores \(/);
    expect(run.cause).not.toMatch(/churn-/);
    const summary = summaryOf(run.states.find((s) => s.name === 'SummarizeBatchRun')?.output).batchSummary as { jobs: BatchJobSummary[]; failedJobs: string[] };
    expect(summary.failedJobs).toEqual(['fraud-scores']);
    expect(summary.jobs.find((j) => j.job === 'fraud-scores')).toMatchObject({ status: 'Failed', transformJobName, reason: expect.stringMatching(reason) });
    expect(await batchEvents()).toEqual([
      { detailType: 'Batch Scoring Succeeded', job: 'churn-scores', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'churn-segments', reason: null },
      { detailType: 'Batch Scoring Failed', job: 'fraud-scores', reason: expect.stringMatching(reason) },
    ]);
    // The churn jobs were not held back by the failure: both scored their night with their model.
    const jobs = await transformJobs();
    for (const name of ['churn-scores-20261122', 'churn-segments-20261122']) {
      expect(jobs.find((j) => j.TransformJobName === name)).toMatchObject({ TransformJobStatus: 'Completed', ModelName: 'churn-v1-batch' });
    }
    expect(await packageOfModel('churn-v1-batch')).toBe(churn);
  });

  it('a re-run of the same night follows the jobs it finds and starts only the missing one', async () => {
    // Prepare: a first night where fraud had no Approved package yet; then one is approved.
    await h.addPackage('churn');
    await inputFor(NIGHT);
    const first = await h.run({ action: 'nightly-batch' });
    expect(first.error).toBe('BatchScoringFailed');
    const fraud = await h.addPackage('fraud');
    const churnJobBefore = (await transformJobs()).find((j) => j.TransformJobName === 'churn-scores-20261122');
    const jobsBefore = new Set((await transformJobs()).map((j) => j.TransformJobName));
    const objectsBefore = await h.listObjects('s3://sagemaker-local-data/batch/');
    h.resetRequests();

    // Act: the operator re-runs that night.
    const rerun = await h.run({ action: 'nightly-batch', date: NIGHT });

    // Assess
    expect(rerun.status).toBe('SUCCEEDED');
    expect(createdJobs()).toBe(1);
    expect((await transformJobs()).map((j) => j.TransformJobName).filter((name) => !jobsBefore.has(name))).toEqual(['fraud-scores-20261122']);
    expect(summaryOf(rerun.output).jobs.map((j) => [j.job, j.status, j.reused, j.transformJobName])).toEqual([
      ['churn-scores', 'Succeeded', true, 'churn-scores-20261122'],
      ['churn-segments', 'Succeeded', true, 'churn-segments-20261122'],
      ['fraud-scores', 'Succeeded', false, 'fraud-scores-20261122'],
    ]);
    expect(summaryOf(rerun.output).jobs[2]?.modelPackageArn).toBe(fraud);
    // Nothing was scored twice: the churn jobs are the first run's, and wrote once.
    const jobs = await transformJobs();
    expect(jobs).toHaveLength(3);
    expect(jobs.find((j) => j.TransformJobName === 'churn-scores-20261122')?.CreationTime).toEqual(churnJobBefore?.CreationTime);
    expect(await h.listObjects('s3://sagemaker-local-data/batch/')).toEqual([...objectsBefore, 's3://sagemaker-local-data/batch/fraud/output/2026-11-22/part-00000.csv.out'].sort());
    // Each run announces each job once.
    const events = await batchEvents();
    expect(events.filter((e) => e.job === 'churn-scores').map((e) => e.detailType)).toEqual(['Batch Scoring Succeeded', 'Batch Scoring Succeeded']);
    expect(events.filter((e) => e.job === 'fraud-scores').map((e) => e.detailType).sort()).toEqual(['Batch Scoring Failed', 'Batch Scoring Succeeded']);
  });

  it('follows a job another run started that is still running, instead of starting a second one', async () => {
    // Prepare: another run's job for churn-scores, just started.
    const churn = await h.addPackage('churn');
    await h.addPackage('fraud');
    await inputFor(NIGHT);
    await h.account.sageMaker.send(new CreateModelCommand({ ModelName: 'churn-v1-batch', ExecutionRoleArn: ROLE_ARN, Containers: [{ ModelPackageName: churn }] }));
    await h.account.sageMaker.send(
      new CreateTransformJobCommand({
        TransformJobName: 'churn-scores-20261122',
        ModelName: 'churn-v1-batch',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://sagemaker-local-data/batch/churn/scores/input/2026-11-22/' } } },
        TransformOutput: { S3OutputPath: 's3://sagemaker-local-data/batch/churn/scores/output/2026-11-22/' },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      }),
    );
    const runningJob = (await transformJobs()).find((j) => j.TransformJobName === 'churn-scores-20261122');
    h.resetRequests();

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(createdJobs()).toBe(2);
    // The two created are the other jobs; churn-scores is the one already running.
    expect((await transformJobs()).map((j) => j.TransformJobName).sort()).toEqual(['churn-scores-20261122', 'churn-segments-20261122', 'fraud-scores-20261122']);
    expect((await transformJobs()).find((j) => j.TransformJobName === 'churn-scores-20261122')?.CreationTime).toEqual(runningJob?.CreationTime);
    expect(summaryOf(run.output).jobs[0]).toMatchObject({ job: 'churn-scores', reused: true, status: 'Succeeded', outputObjects: 1 });
  });

  it("scores a group with its active batch model from the ledger, not the group's latest Approved package", async () => {
    // Prepare: v2 was released batch-only (pinned in the ledger); v3 was approved since but not released.
    await h.addPackage('churn');
    const pinned = await h.addPackage('churn');
    await h.addPackage('churn');
    const fraud = await h.addPackage('fraud');
    await inputFor(NIGHT);
    await h.ledger.setActiveBatchModel({ groupName: 'churn', modelPackageArn: pinned, modelName: 'churn-v2-batch-0a1b2c3d', releaseId: '0a1b2c3d', registeredAt: '2026-11-20T09:00:00.000Z' });

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const jobs = summaryOf(run.output).jobs;
    expect(jobs.map((j) => [j.job, j.modelSource, j.modelPackageArn])).toEqual([
      ['churn-scores', 'ledger', pinned],
      ['churn-segments', 'ledger', pinned],
      ['fraud-scores', 'latest-approved', fraud],
    ]);
    const models = (await transformJobs()).map((c) => [c.TransformJobName, c.ModelName]).sort();
    expect(models).toEqual([
      ['churn-scores-20261122', 'churn-v2-batch-0a1b2c3d'],
      ['churn-segments-20261122', 'churn-v2-batch-0a1b2c3d'],
      ['fraud-scores-20261122', 'fraud-v1-batch'],
    ]);
    // The pinned model had been deleted since its release: it is rebuilt from its package.
    expect(await packageOfModel('churn-v2-batch-0a1b2c3d')).toBe(pinned);
    expect(await h.models()).not.toContain('churn-v3-batch');
  });

  it('"score now" runs only the jobs of the group asked for, for the date asked for', async () => {
    // Prepare
    await h.addPackage('churn');
    const fraud = await h.addPackage('fraud');
    await inputFor('2026-11-20');

    // Act
    const run = await h.run({ action: 'score', modelPackageGroupName: 'fraud', date: '2026-11-20' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ date: '2026-11-20', total: 1, succeeded: 1, failed: 0, jobs: [{ job: 'fraud-scores', transformJobName: 'fraud-scores-20261120', modelPackageArn: fraud }] });
    expect(await transformJobs()).toEqual([
      expect.objectContaining({ TransformJobName: 'fraud-scores-20261120', TransformInput: expect.objectContaining({ DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://sagemaker-local-data/batch/fraud/input/2026-11-20/' } } }) }),
    ]);
    expect(await batchEvents()).toEqual([{ detailType: 'Batch Scoring Succeeded', job: 'fraud-scores', reason: null }]);
    expect(await h.models()).not.toContain('churn-v1-batch');
  });

  it('"score now" with a job name runs only that job of its group', async () => {
    await h.addPackage('churn');
    await inputFor('2026-11-21');

    const run = await h.run({ action: 'score', modelPackageGroupName: 'churn', date: '2026-11-21', jobName: 'churn-segments' });

    expect(run.status).toBe('SUCCEEDED');
    expect(summaryOf(run.output).jobs.map((j) => j.transformJobName)).toEqual(['churn-segments-20261121']);
    expect((await transformJobs()).map((c) => c.TransformJobName)).toEqual(['churn-segments-20261121']);
  });

  it.each([
    { what: 'a group with no batch job', input: { action: 'score', modelPackageGroupName: 'ltv', date: '2026-11-20' }, cause: /modelPackageGroupName: no batch job is configured for group ltv/ },
    { what: 'a job name the group does not have', input: { action: 'score', modelPackageGroupName: 'fraud', date: '2026-11-20', jobName: 'churn-scores' }, cause: /no batch job named churn-scores is configured for group fraud/ },
    { what: 'a date that is not YYYY-MM-DD', input: { action: 'score', modelPackageGroupName: 'fraud', date: '20/11/2026' }, cause: /date: must be a date YYYY-MM-DD/ },
    { what: 'a date that does not exist', input: { action: 'score', modelPackageGroupName: 'fraud', date: '2026-13-45' }, cause: /date: must be a real date/ },
    { what: 'a nightly run with a bad date', input: { action: 'nightly-batch', date: '2026-02-30x' }, cause: /date/ },
  ])('refuses "$what" as InvalidInput, and changes nothing', async ({ input, cause }) => {
    // Prepare
    await h.addPackage('churn');
    await h.addPackage('fraud');
    h.resetRequests();

    // Act
    const run = await h.run(input);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.cause).toMatch(cause);
    expect(run.path).not.toContain('ScoreBatches');
    expect(h.account.sim.requestLog().filter((r) => r.service === 'sagemaker' || r.service === 's3')).toEqual([]);
    expect(await transformJobs()).toEqual([]);
    expect(await batchEvents()).toEqual([]);
    expect(itemsOf(await h.ledgerItems(), 'records')).toEqual([]);
  });
});

describe('operator runs: dry run and manual rollback on the local account', () => {
  const harness = useSimHarness(moto, { env: ENV });
  beforeEach(() => {
    h = harness;
  });

  /** Nothing was created, changed or announced since the request log was reset: every request was a read. */
  async function expectNothingWritten(): Promise<void> {
    expect(h.writes()).toEqual([]);
    expect((await h.events()).map((e) => e.detailType)).toEqual([]);
  }

  it('a dry run reports what a release would create and change, and creates, changes and announces nothing', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    await h.cloudWatch.send(
      new PutMetricAlarmCommand({ AlarmName: 'churn-conversion-drop', Namespace: 'Business', MetricName: 'Conversions', Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'LessThanThreshold' }),
    );
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: { 'canary.percent': '5', 'canary.alarmNames': 'churn-conversion-drop' } });
    h.resetRequests();

    // Act
    const run = await h.run({ modelPackageArn: candidate, dryRun: true });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(['NormalizeInput', 'RouteRequest', 'DescribePackage', 'PlanRelease', 'IsDryRun', 'PreviewRelease', 'DryRunDone']);
    const { releaseId } = (run.states.find((s) => s.name === 'PlanRelease')?.output as { plan: { releaseId: string } }).plan;
    expect(run.output).toMatchObject({
      dryRun: true,
      modelPackageArn: candidate,
      mode: 'realtime',
      style: 'variant-canary',
      decision: { mode: 'realtime', rule: 'default-realtime' },
      endpointName: 'churn',
      endpoint: { exists: true, status: 'InService', configName: 'churn-live' },
      wouldCreate: [
        { type: 'Model', name: `churn-v2-${releaseId}`, containers: [{ ModelPackageName: candidate }] },
        { type: 'EndpointConfig', name: `churn-${releaseId}-canary`, variants: [expect.objectContaining({ VariantName: 'live', InitialVariantWeight: 1 }), expect.objectContaining({ VariantName: `v2-${releaseId}`, InitialVariantWeight: 0 })] },
        { type: 'EndpointConfig', name: `churn-${releaseId}`, variants: [expect.objectContaining({ VariantName: `v2-${releaseId}`, ModelName: `churn-v2-${releaseId}` })] },
      ],
      wouldChange: [{ type: 'Endpoint', name: 'churn', from: 'churn-live', to: `churn-${releaseId}`, change: expect.stringMatching(/^UpdateEndpoint to churn-.*-canary \(new variant at weight 0\), 5% canary for 10 min/) }],
      alarms: [
        expect.objectContaining({ name: expect.stringMatching(/error-rate$/), metric: 'Invocation5XXErrors' }),
        expect.objectContaining({ name: expect.stringMatching(/latency-p99$/), metric: 'ModelLatency' }),
        { name: 'churn-conversion-drop', existing: true },
      ],
      problems: [],
    });
    await expectNothingWritten();
    expect((await h.endpoint('churn'))?.configName).toBe('churn-live');
    expect(await h.models()).toEqual(['churn-live']);
    expect(itemsOf(await h.ledgerItems(), 'records')).toEqual([]);
  });

  it('a dry run lists a hosting switch the release would refuse as a problem instead of failing on it', async () => {
    // Prepare: instance-based endpoint, and a candidate whose settings make it serverless.
    const live = await h.addPackage('faq');
    await h.addLiveEndpoint('faq', live);
    const candidate = await h.addPackage('faq', { metadata: { 'workload.traffic': 'intermittent', 'canary.alarmNames': 'faq-missing-alarm' } });
    h.resetRequests();

    // Act
    const run = await h.run({ modelPackageArn: candidate, dryRun: true });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ mode: 'serverless', decision: { rule: 'intermittent-fits-serverless' } });
    const problems = (run.output as { problems: string[] }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/instance-based and this release is serverless/), 'canary.alarmNames: no CloudWatch alarm named faq-missing-alarm']),
    );
    expect(problems).toHaveLength(2);
    await expectNothingWritten();
  });

  it('a dry run of a package the release would refuse fails naming why, and still writes and announces nothing', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const pending = await h.addPackage('churn', { approval: 'PendingManualApproval' });
    h.resetRequests();

    // Act
    const run = await h.run({ modelPackageArn: pending, dryRun: true });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('PackageNotDeployable');
    expect(run.cause).toMatch(/approval status is PendingManualApproval/);
    expect(run.path).not.toContain('PreviewRelease');
    await expectNothingWritten();
  });

  /** A real release of churn v2 over v1 through the canary, leaving its PROMOTED record in the ledger. */
  async function promoteChurnV2(): Promise<{ live: string; candidate: string; promotedConfig: string }> {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: { 'canary.bakeMinutes': '5' } });
    h.account.sim.startTraffic({ endpointName: 'churn', requestsPerMinute: 1200, body: '1,2,3', contentType: 'text/csv' });
    const release = await h.run({ modelPackageArn: candidate });
    expect({ status: release.status, error: release.error, cause: release.cause }).toEqual({ status: 'SUCCEEDED', error: null, cause: null });
    expect(await h.serving('churn')).toEqual([[candidate, 1]]);
    return { live, candidate, promotedConfig: (await h.endpoint('churn'))?.configName ?? '' };
  }

  it('a manual rollback puts the endpoint back on the config from before its last promotion', async () => {
    // Prepare
    const { live } = await promoteChurnV2();
    const eventsBefore = (await h.events()).length;

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'conversion dropped after v2' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['PrepareManualRollback', 'RollBack', 'WaitForRollback', 'CheckRollback', 'RecordRollback', 'DidReleaseEndCleanly', 'RolledBackOnRequest']));
    expect(run.path).not.toContain('DescribePackage');
    expect(await h.endpoint('churn')).toMatchObject({ configName: 'churn-live', status: 'InService' });
    expect(await h.serving('churn')).toEqual([[live, 1]]);
    const events = (await h.events()).slice(eventsBefore);
    expect(events.map((e) => e.detailType)).toEqual(['Model Deployment Rolled Back']);
    expect(events[0]?.detail).toMatchObject({
      outcome: 'ROLLED_BACK',
      trigger: 'manual-rollback',
      reason: 'rolled back on request: conversion dropped after v2',
      endpointName: 'churn',
      endpoint: { configName: 'churn-live', serving: 'previous' },
    });
  });

  it('after a manual rollback, nightly scoring goes back to the restored model too', async () => {
    // Prepare: v2's promotion made it the group's batch model; the operator then rolls the endpoint back.
    const { live, candidate } = await promoteChurnV2();
    expect((await h.ledger.activeBatchModel('churn'))?.modelPackageArn).toBe(candidate);
    await inputFor('2026-11-20', JOBS.filter((j) => j.modelPackageGroupName === 'churn'));

    // Act
    const rollback = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'conversion dropped after v2' });
    const scoring = await h.run({ action: 'score', modelPackageGroupName: 'churn', date: '2026-11-20' });

    // Assess
    expect(rollback.status).toBe('SUCCEEDED');
    expect(await h.ledger.activeBatchModel('churn')).toMatchObject({ modelPackageArn: live, modelName: expect.stringMatching(/^churn-v1-batch/) });
    expect(summaryOf(scoring.output).jobs.map((j) => [j.job, j.modelSource, j.modelPackageArn])).toEqual([
      ['churn-scores', 'ledger', live],
      ['churn-segments', 'ledger', live],
    ]);
  });

  it('refuses a manual rollback with EndpointBusy while a release of the endpoint is in progress, changing nothing', async () => {
    // Prepare: after v2's promotion, a release of v3 is under way, its execution running.
    const { candidate, promotedConfig } = await promoteChurnV2();
    const v3 = await h.addPackage('churn');
    const v3Execution = `arn:aws:states:us-east-1:123456789012:execution:${h.account.machines.release.name}:v3`;
    h.account.sim.executions.started(v3Execution, {}, undefined);
    const inFlight: ReleaseRecord = {
      releaseId: 'feedf00d',
      modelPackageArn: v3,
      target: 'churn',
      mode: 'realtime',
      trigger: 'approval-event',
      requestedAt: new Date(h.account.clock.now()).toISOString(),
      status: 'IN_PROGRESS',
      redeploy: false,
      executionArn: v3Execution,
      startedAt: new Date(h.account.clock.now()).toISOString(),
    };
    await h.ledger.enqueue(inFlight, 3600);
    const ledgerBefore = JSON.stringify(itemsOf(await h.ledgerItems(), 'records'));
    const eventsBefore = (await h.events()).length;
    h.resetRequests();

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointBusy');
    expect(run.cause).toMatch(/Release feedf00d of .*churn\/3 is in progress on churn/);
    expect(run.path).not.toContain('RollBack');
    expect(h.writes().filter((w) => w.service === 'sagemaker')).toEqual([]);
    expect((await h.endpoint('churn'))?.configName).toBe(promotedConfig);
    expect(await h.serving('churn')).toEqual([[candidate, 1]]);
    expect(JSON.stringify(itemsOf(await h.ledgerItems(), 'records'))).toBe(ledgerBefore);
    expect((await h.events()).slice(eventsBefore).map((e) => [e.detailType, e.detail.outcome])).toEqual([['Model Deployment Failed', 'FAILED']]);
  });

  it('a manual rollback is not refused by a release left in progress by an execution that has ended: it takes it over and ends it too', async () => {
    // Prepare: after v2's promotion, a release of v3 was claimed, then its execution was stopped before it changed anything.
    const { live } = await promoteChurnV2();
    const v3 = await h.addPackage('churn');
    const v3Execution = `arn:aws:states:us-east-1:123456789012:execution:${h.account.machines.release.name}:v3`;
    h.account.sim.executions.started(v3Execution, {}, undefined);
    await h.account.sim.executions.ended(v3Execution, 'ABORTED', {});
    const requestedAt = new Date(h.account.clock.now()).toISOString();
    await h.ledger.enqueue({ releaseId: 'feedf00d', modelPackageArn: v3, target: 'churn', mode: 'realtime', trigger: 'approval-event', requestedAt, status: 'IN_PROGRESS', redeploy: false, executionArn: v3Execution, startedAt: requestedAt }, 3600);

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'v2 and v3 both suspect' });

    // Assess
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: null });
    expect(await h.serving('churn')).toEqual([[live, 1]]);
    const records = itemsOf(await h.ledgerItems(), 'records') as unknown as ReleaseRecord[];
    expect(records.find((r) => r.releaseId === 'feedf00d')).toMatchObject({ status: 'RECOVERED', recoveredBy: expect.stringContaining('execution'), reason: expect.stringContaining('ended ABORTED without an outcome; the manual rollback') });
    expect(records.filter((r) => r.status === 'IN_PROGRESS')).toEqual([]);
    expect(itemsOf(await h.ledgerItems(), 'leases')).toEqual([]);
    expect(itemsOf(await h.ledgerItems(), 'tickets')).toEqual([]);
  });

  it('refuses a manual rollback with EndpointStateConflict when the endpoint changed since its last promotion, changing nothing', async () => {
    // Prepare: someone moved the endpoint to a hotfix config by hand after v2's promotion.
    const { candidate, promotedConfig } = await promoteChurnV2();
    const promoted = await h.account.sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: promotedConfig }));
    await h.account.sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'churn-hotfix', ProductionVariants: promoted.ProductionVariants }));
    await h.account.sageMaker.send(new UpdateEndpointCommand({ EndpointName: 'churn', EndpointConfigName: 'churn-hotfix' }));
    await waitInService(h.account, ['churn']);
    const ledgerBefore = JSON.stringify(itemsOf(await h.ledgerItems(), 'records'));
    h.resetRequests();

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/Endpoint churn is InService on churn-hotfix, but its last promotion \(release \w+\) left it on churn-\w+; it changed since, so nothing was changed/);
    expect(h.writes().filter((w) => w.service === 'sagemaker')).toEqual([]);
    expect((await h.endpoint('churn'))?.configName).toBe('churn-hotfix');
    expect(await h.serving('churn')).toEqual([[candidate, 1]]);
    expect(JSON.stringify(itemsOf(await h.ledgerItems(), 'records'))).toBe(ledgerBefore);
  });

  it('refuses a manual rollback with EndpointStateConflict when the ledger has no promotion of the endpoint, changing nothing', async () => {
    // Prepare: an endpoint this pipeline never released to.
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    h.resetRequests();

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'try it' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toBe('EndpointStateConflict: The ledger has no promoted release of churn to roll back');
    expect(h.writes().filter((w) => w.service === 'sagemaker')).toEqual([]);
    expect((await h.endpoint('churn'))?.configName).toBe('churn-live');
    expect(itemsOf(await h.ledgerItems(), 'records')).toEqual([]);
    expect((await h.events()).map((e) => e.detailType)).toEqual(['Model Deployment Failed']);
  });
});
