import { CreateTransformJobCommand, type CreateTransformJobCommandInput } from '@aws-sdk/client-sagemaker';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { BatchJobSummary } from '../../functions/shared/domain/batch';
import type { ReleaseRecord } from '../../functions/shared/domain/ledger';
import { createHarness, type Harness } from '../support/pipeline-harness';
import { MemoryLedger } from '../support/memory-ledger';

/**
 * The nightly Batch Transform branch and the operator runs (score now, dry run, manual
 * rollback), on the packaged ASL with the handlers in-process and AWS faked.
 */

// The stage param batchJobs. NormalizeInput validates its environment once per module load, and the
// harness loads the handlers once per test file, so every harness in this file gets the same jobs.
const JOBS = [
  {
    name: 'churn-scores',
    modelPackageGroupName: 'churn',
    inputPrefix: 's3://ml-batch/churn/scores/input/{date}/',
    outputPrefix: 's3://ml-batch/churn/scores/output/{date}/',
    modelClientTimeoutSeconds: 120,
    modelClientMaxRetries: 0,
  },
  {
    // Every optional field left to its default: timeout 600 s, 1 retry.
    name: 'churn-segments',
    modelPackageGroupName: 'churn',
    inputPrefix: 's3://ml-batch/churn/segments/input/{date}/',
    outputPrefix: 's3://ml-batch/churn/segments/output/{date}/',
  },
  {
    name: 'fraud-scores',
    modelPackageGroupName: 'fraud',
    inputPrefix: 's3://ml-batch/fraud/input/{date}/',
    outputPrefix: 's3://ml-batch/fraud/output/{date}/',
    instanceType: 'ml.c5.xlarge',
    modelClientTimeoutSeconds: 30,
    modelClientMaxRetries: 2,
  },
];
const ENV = { BATCH_JOBS: JSON.stringify(JOBS) };

/** The schedule fires at 02:00 UTC; the night it scores is the UTC day before. */
const RUN_STARTS = '2026-11-23T02:00:00.000Z';
const NIGHT = '2026-11-22';

const SMOKE = JSON.stringify([{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }]);
const LEDGER_READS = new Set(['constructor', 'activeBatchModel', 'releasesForTarget', 'releasesForPackage']);

function createTransformJobInputs(h: Harness, since = 0): CreateTransformJobCommandInput[] {
  return h.aws.sageMaker
    .commandCalls(CreateTransformJobCommand)
    .slice(since)
    .map((c) => c.args[0].input);
}

/** Every SageMaker call since `since` that is not a read (Describe*, List*). */
function sageMakerWritesSince(h: Harness, since: number): string[] {
  return h.aws.sageMaker
    .calls()
    .slice(since)
    .map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List)/.test(name));
}

function batchEvents(h: Harness): { detailType: string; job: unknown; reason: unknown }[] {
  return h.aws.events
    .filter((e) => e.detailType.startsWith('Batch Scoring'))
    .map((e) => ({ detailType: e.detailType, job: e.detail.job, reason: e.detail.reason }))
    .sort((a, b) => String(a.job).localeCompare(String(b.job)));
}

function summaryOf(output: unknown): { jobs: BatchJobSummary[] } & Record<string, unknown> {
  return output as { jobs: BatchJobSummary[] } & Record<string, unknown>;
}

describe('nightly batch scoring (packaged ASL, handlers in-process, AWS faked)', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness({ env: ENV, startAt: RUN_STARTS });
  });
  afterEach(() => h.restore());

  it('scores every configured job for the night before with the latest Approved package, and sends one event per job', async () => {
    // Prepare
    h.aws.addPackage('churn', 1);
    const churn = h.aws.addPackage('churn', 2);
    h.aws.addPackage('churn', 3, { ModelApprovalStatus: 'PendingManualApproval' });
    const fraud = h.aws.addPackage('fraud', 4);

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
    expect(batchEvents(h)).toEqual([
      { detailType: 'Batch Scoring Succeeded', job: 'churn-scores', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'churn-segments', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'fraud-scores', reason: null },
    ]);
    expect(h.aws.events).toHaveLength(3);
    expect(h.aws.events.find((e) => e.detail.job === 'fraud-scores')?.detail).toMatchObject({
      modelName: 'fraud-v4-batch',
      modelPackageVersion: 4,
      outputPath: 's3://ml-batch/fraud/output/2026-11-22/',
      executionArn: expect.stringMatching(/:execution:/),
    });
    // One model per group and package version, shared by the group's jobs.
    expect(h.aws.models.get('churn-v2-batch')).toBe(churn);
    expect(h.aws.models.get('fraud-v4-batch')).toBe(fraud);
    const created = createTransformJobInputs(h).sort((a, b) => String(a.TransformJobName).localeCompare(String(b.TransformJobName)));
    expect(created.map((c) => c.TransformJobName)).toEqual(['churn-scores-20261122', 'churn-segments-20261122', 'fraud-scores-20261122']);
    expect(created[0]).toMatchObject({
      ModelName: 'churn-v2-batch',
      ModelClientConfig: { InvocationsTimeoutInSeconds: 120, InvocationsMaxRetries: 0 },
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://ml-batch/churn/scores/input/2026-11-22/' } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: 's3://ml-batch/churn/scores/output/2026-11-22/', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
    });
    // The job that left them to the schema still passes them explicitly: SageMaker's own defaults differ.
    expect(created[1]?.ModelClientConfig).toEqual({ InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 1 });
    expect(created[2]).toMatchObject({ ModelName: 'fraud-v4-batch', ModelClientConfig: { InvocationsTimeoutInSeconds: 30, InvocationsMaxRetries: 2 }, TransformResources: { InstanceType: 'ml.c5.xlarge' } });
    expect(h.aws.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix).sort()).toEqual(['churn/scores/output/2026-11-22/', 'churn/segments/output/2026-11-22/', 'fraud/output/2026-11-22/']);
    expect(h.aws.endpoints.size).toBe(0);
  });

  it.each([
    {
      failure: 'the group has no Approved model',
      prepare: (_h: Harness) => undefined,
      transformJobName: null,
      reason: /^NoApprovedModel: model package group fraud has no active batch model in the ledger and no Approved model package/,
    },
    {
      failure: 'the transform job ends Failed',
      prepare: (hh: Harness) => {
        hh.aws.addPackage('fraud', 1);
        hh.aws.failingTransformJobs = /^fraud-scores-/;
      },
      transformJobName: 'fraud-scores-20261122',
      reason: /^Failed: transform job Failed: AlgorithmError/,
    },
    {
      failure: 'the transform job Completes without writing output',
      prepare: (hh: Harness) => {
        hh.aws.addPackage('fraud', 1);
        hh.aws.emptyTransformJobs = /^fraud-scores-/;
      },
      transformJobName: 'fraud-scores-20261122',
      reason: /^Failed: transform job Completed but wrote no output under s3:\/\/ml-batch\/fraud\/output\/2026-11-22\/$/,
    },
  ])('fails the night naming the job when $failure, while the other jobs still score', async ({ prepare, transformJobName, reason }) => {
    // Prepare
    const churn = h.aws.addPackage('churn', 1);
    prepare(h);

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
    expect(batchEvents(h)).toEqual([
      { detailType: 'Batch Scoring Succeeded', job: 'churn-scores', reason: null },
      { detailType: 'Batch Scoring Succeeded', job: 'churn-segments', reason: null },
      { detailType: 'Batch Scoring Failed', job: 'fraud-scores', reason: expect.stringMatching(reason) },
    ]);
    // The churn jobs were not held back by the failure: both scored their night with their model.
    for (const name of ['churn-scores-20261122', 'churn-segments-20261122']) {
      expect(h.aws.transformJobs.get(name)).toMatchObject({ status: 'Completed', input: { ModelName: 'churn-v1-batch' } });
    }
    expect(h.aws.models.get('churn-v1-batch')).toBe(churn);
  });

  it('a re-run of the same night follows the jobs it finds and starts only the missing one', async () => {
    // Prepare: a first night where fraud had no Approved package yet; then one is approved.
    h.aws.addPackage('churn', 1);
    const first = await h.run({ action: 'nightly-batch' });
    expect(first.error).toBe('BatchScoringFailed');
    const fraud = h.aws.addPackage('fraud', 1);
    const createdBefore = h.aws.sageMaker.commandCalls(CreateTransformJobCommand).length;
    const churnJobBefore = { ...h.aws.transformJobs.get('churn-scores-20261122') };
    const objectsBefore = [...h.aws.s3Objects].sort();

    // Act: the operator re-runs that night.
    const rerun = await h.run({ action: 'nightly-batch', date: NIGHT });

    // Assess
    expect(rerun.status).toBe('SUCCEEDED');
    expect(createTransformJobInputs(h, createdBefore).map((c) => c.TransformJobName)).toEqual(['fraud-scores-20261122']);
    expect(summaryOf(rerun.output).jobs.map((j) => [j.job, j.status, j.reused, j.transformJobName])).toEqual([
      ['churn-scores', 'Succeeded', true, 'churn-scores-20261122'],
      ['churn-segments', 'Succeeded', true, 'churn-segments-20261122'],
      ['fraud-scores', 'Succeeded', false, 'fraud-scores-20261122'],
    ]);
    expect(summaryOf(rerun.output).jobs[2]?.modelPackageArn).toBe(fraud);
    // Nothing was scored twice: the churn jobs are the first run's, and wrote once.
    expect(h.aws.transformJobs.size).toBe(3);
    expect(h.aws.transformJobs.get('churn-scores-20261122')?.creationTime).toEqual(churnJobBefore.creationTime);
    expect([...h.aws.s3Objects].sort()).toEqual([...objectsBefore, 's3://ml-batch/fraud/output/2026-11-22/part-00000.csv.out'].sort());
    // Each run announces each job once.
    expect(batchEvents(h).filter((e) => e.job === 'churn-scores').map((e) => e.detailType)).toEqual(['Batch Scoring Succeeded', 'Batch Scoring Succeeded']);
    expect(batchEvents(h).filter((e) => e.job === 'fraud-scores').map((e) => e.detailType).sort()).toEqual(['Batch Scoring Failed', 'Batch Scoring Succeeded']);
  });

  it('follows a job another run started that is still running, instead of starting a second one', async () => {
    // Prepare
    h.aws.addPackage('churn', 1);
    h.aws.addPackage('fraud', 1);
    h.aws.models.set('churn-v1-batch', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1');
    h.aws.addTransformJob(
      {
        TransformJobName: 'churn-scores-20261122',
        ModelName: 'churn-v1-batch',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://ml-batch/churn/scores/input/2026-11-22/' } } },
        TransformOutput: { S3OutputPath: 's3://ml-batch/churn/scores/output/2026-11-22/' },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      },
      'InProgress',
    );

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(createTransformJobInputs(h).map((c) => c.TransformJobName).sort()).toEqual(['churn-segments-20261122', 'fraud-scores-20261122']);
    expect(summaryOf(run.output).jobs[0]).toMatchObject({ job: 'churn-scores', reused: true, status: 'Succeeded', outputObjects: 1 });
  });

  it("scores a group with its active batch model from the ledger, not the group's latest Approved package", async () => {
    // Prepare: v2 was released batch-only (pinned in the ledger); v3 was approved since but not released.
    const pinned = h.aws.addPackage('churn', 2);
    h.aws.addPackage('churn', 3);
    h.aws.addPackage('fraud', 1);
    await h.ledger.setActiveBatchModel({ groupName: 'churn', modelPackageArn: pinned, modelName: 'churn-v2-batch-0a1b2c3d', releaseId: '0a1b2c3d', registeredAt: '2026-11-20T09:00:00.000Z' });

    // Act
    const run = await h.run({ action: 'nightly-batch' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const jobs = summaryOf(run.output).jobs;
    expect(jobs.map((j) => [j.job, j.modelSource, j.modelPackageArn])).toEqual([
      ['churn-scores', 'ledger', pinned],
      ['churn-segments', 'ledger', pinned],
      ['fraud-scores', 'latest-approved', 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/1'],
    ]);
    const models = createTransformJobInputs(h).map((c) => [c.TransformJobName, c.ModelName]).sort();
    expect(models).toEqual([
      ['churn-scores-20261122', 'churn-v2-batch-0a1b2c3d'],
      ['churn-segments-20261122', 'churn-v2-batch-0a1b2c3d'],
      ['fraud-scores-20261122', 'fraud-v1-batch'],
    ]);
    // The pinned model had been deleted since its release: it is rebuilt from its package.
    expect(h.aws.models.get('churn-v2-batch-0a1b2c3d')).toBe(pinned);
    expect(h.aws.models.has('churn-v3-batch')).toBe(false);
  });

  it('"score now" runs only the jobs of the group asked for, for the date asked for', async () => {
    // Prepare
    h.aws.addPackage('churn', 1);
    const fraud = h.aws.addPackage('fraud', 1);

    // Act
    const run = await h.run({ action: 'score', modelPackageGroupName: 'fraud', date: '2026-11-20' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ date: '2026-11-20', total: 1, succeeded: 1, failed: 0, jobs: [{ job: 'fraud-scores', transformJobName: 'fraud-scores-20261120', modelPackageArn: fraud }] });
    expect(createTransformJobInputs(h)).toEqual([
      expect.objectContaining({ TransformJobName: 'fraud-scores-20261120', TransformInput: expect.objectContaining({ DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://ml-batch/fraud/input/2026-11-20/' } } }) }),
    ]);
    expect(batchEvents(h)).toEqual([{ detailType: 'Batch Scoring Succeeded', job: 'fraud-scores', reason: null }]);
    expect(h.aws.models.has('churn-v1-batch')).toBe(false);
  });

  it('"score now" with a job name runs only that job of its group', async () => {
    h.aws.addPackage('churn', 1);

    const run = await h.run({ action: 'score', modelPackageGroupName: 'churn', date: '2026-11-21', jobName: 'churn-segments' });

    expect(run.status).toBe('SUCCEEDED');
    expect(summaryOf(run.output).jobs.map((j) => j.transformJobName)).toEqual(['churn-segments-20261121']);
    expect(createTransformJobInputs(h).map((c) => c.TransformJobName)).toEqual(['churn-segments-20261121']);
  });

  it.each([
    { what: 'a group with no batch job', input: { action: 'score', modelPackageGroupName: 'ltv', date: '2026-11-20' }, cause: /modelPackageGroupName: no batch job is configured for group ltv/ },
    { what: 'a job name the group does not have', input: { action: 'score', modelPackageGroupName: 'fraud', date: '2026-11-20', jobName: 'churn-scores' }, cause: /no batch job named churn-scores is configured for group fraud/ },
    { what: 'a date that is not YYYY-MM-DD', input: { action: 'score', modelPackageGroupName: 'fraud', date: '20/11/2026' }, cause: /date: must be a date YYYY-MM-DD/ },
    { what: 'a date that does not exist', input: { action: 'score', modelPackageGroupName: 'fraud', date: '2026-13-45' }, cause: /date: must be a real date/ },
    { what: 'a nightly run with a bad date', input: { action: 'nightly-batch', date: '2026-02-30x' }, cause: /date/ },
  ])('refuses "$what" as InvalidInput, and changes nothing', async ({ input, cause }) => {
    // Prepare
    h.aws.addPackage('churn', 1);
    h.aws.addPackage('fraud', 1);

    // Act
    const run = await h.run(input);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.cause).toMatch(cause);
    expect(run.path).not.toContain('ScoreBatches');
    expect(h.aws.sageMaker.calls()).toHaveLength(0);
    expect(h.aws.s3.calls()).toHaveLength(0);
    expect(h.aws.transformJobs.size).toBe(0);
    expect(batchEvents(h)).toEqual([]);
    expect(h.ledger.records.size).toBe(0);
  });
});

describe('operator runs: dry run and manual rollback (packaged ASL, handlers in-process, AWS faked)', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness({ env: ENV });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    h.restore();
  });

  /** Every ledger method that writes, watched. */
  function watchLedgerWrites(): jest.SpyInstance[] {
    return Object.getOwnPropertyNames(MemoryLedger.prototype)
      .filter((name) => !LEDGER_READS.has(name))
      .map((name) => jest.spyOn(h.ledger as unknown as Record<string, () => unknown>, name).mockName(name));
  }

  function expectNothingWritten(spies: jest.SpyInstance[]): void {
    expect(sageMakerWritesSince(h, 0)).toEqual([]);
    expect(h.aws.cloudWatch.calls().map((c) => (c.args[0] as object).constructor.name)).not.toContain('PutMetricAlarmCommand');
    expect(h.aws.events.map((e) => e.detailType)).toEqual([]);
    expect(h.aws.eventBridge.calls().length).toBe(0);
    expect(spies.filter((s) => s.mock.calls.length > 0).map((s) => s.getMockName())).toEqual([]);
    expect(spies.length).toBeGreaterThanOrEqual(5);
  }

  it('a dry run reports what a release would create and change, and creates, changes and announces nothing', async () => {
    // Prepare
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    h.aws.alarms.set('churn-conversion-drop', 'OK');
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE, 'canary.percent': '5', 'canary.alarmNames': 'churn-conversion-drop' } });
    const spies = watchLedgerWrites();

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
    expectNothingWritten(spies);
    expect(h.aws.endpoints.get('churn')?.configName).toBe('churn-live');
    expect([...h.aws.models.keys()]).toEqual(['live-model-churn']);
    expect(h.ledger.records.size).toBe(0);
  });

  it('a dry run lists a hosting switch the release would refuse as a problem instead of failing on it', async () => {
    // Prepare: instance-based endpoint, and a candidate whose settings make it serverless.
    const live = h.aws.addPackage('faq', 1);
    h.aws.addLiveEndpoint('faq', live);
    const candidate = h.aws.addPackage('faq', 2, { CustomerMetadataProperties: { 'workload.traffic': 'intermittent', 'canary.alarmNames': 'faq-missing-alarm' } });
    const spies = watchLedgerWrites();

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
    expectNothingWritten(spies);
  });

  it('a dry run of a package the release would refuse fails naming why, and still writes and announces nothing', async () => {
    // Prepare
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const pending = h.aws.addPackage('churn', 2, { ModelApprovalStatus: 'PendingManualApproval' });
    const spies = watchLedgerWrites();

    // Act
    const run = await h.run({ modelPackageArn: pending, dryRun: true });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('PackageNotDeployable');
    expect(run.cause).toMatch(/approval status is PendingManualApproval/);
    expect(run.path).not.toContain('PreviewRelease');
    expectNothingWritten(spies);
  });

  /** A real release of churn v2 over v1 through the canary, leaving its PROMOTED record in the ledger. */
  async function promoteChurnV2(): Promise<{ live: string; candidate: string; promotedConfig: string }> {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE, 'canary.bakeMinutes': '5' } });
    const release = await h.run({ modelPackageArn: candidate });
    expect(release.status).toBe('SUCCEEDED');
    expect([...h.aws.servingPackages('churn')]).toEqual([[candidate, 1]]);
    return { live, candidate, promotedConfig: h.aws.endpoints.get('churn')?.configName ?? '' };
  }

  it('a manual rollback puts the endpoint back on the config from before its last promotion', async () => {
    // Prepare
    const { live } = await promoteChurnV2();
    const eventsBefore = h.aws.events.length;

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'conversion dropped after v2' });

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['PrepareManualRollback', 'RollBack', 'WaitForRollback', 'CheckRollback', 'RecordRollback', 'DidReleaseEndCleanly', 'RolledBackOnRequest']));
    expect(run.path).not.toContain('DescribePackage');
    expect(h.aws.endpoints.get('churn')).toMatchObject({ configName: 'churn-live', status: 'InService' });
    expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
    const events = h.aws.events.slice(eventsBefore);
    expect(events.map((e) => e.detailType)).toEqual(['Model Deployment Rolled Back']);
    expect(events[0]?.detail).toMatchObject({
      outcome: 'ROLLED_BACK',
      trigger: 'manual-rollback',
      reason: 'rolled back on request: conversion dropped after v2',
      endpointName: 'churn',
      endpoint: { configName: 'churn-live', serving: 'previous' },
    });
  });

  it('refuses a manual rollback with EndpointBusy while a release of the endpoint is in progress, changing nothing', async () => {
    // Prepare: after v2's promotion, a release of v3 is under way.
    const { candidate, promotedConfig } = await promoteChurnV2();
    const v3 = h.aws.addPackage('churn', 3);
    const inFlight: ReleaseRecord = {
      releaseId: 'feedf00d',
      modelPackageArn: v3,
      target: 'churn',
      mode: 'realtime',
      trigger: 'approval-event',
      requestedAt: new Date(Date.now()).toISOString(),
      status: 'IN_PROGRESS',
      redeploy: false,
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:release:v3',
      startedAt: new Date(Date.now()).toISOString(),
    };
    await h.ledger.enqueue(inFlight, 3600);
    const callsBefore = h.aws.sageMaker.calls().length;
    const ledgerBefore = JSON.stringify([...h.ledger.records]);
    const eventsBefore = h.aws.events.length;

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointBusy');
    expect(run.cause).toMatch(/Release feedf00d of .*churn\/3 is in progress on churn/);
    expect(run.path).not.toContain('RollBack');
    expect(sageMakerWritesSince(h, callsBefore)).toEqual([]);
    expect(h.aws.endpoints.get('churn')?.configName).toBe(promotedConfig);
    expect([...h.aws.servingPackages('churn')]).toEqual([[candidate, 1]]);
    expect(JSON.stringify([...h.ledger.records])).toBe(ledgerBefore);
    expect(h.aws.events.slice(eventsBefore).map((e) => [e.detailType, e.detail.outcome])).toEqual([['Model Deployment Failed', 'FAILED']]);
  });

  it('refuses a manual rollback with EndpointStateConflict when the endpoint changed since its last promotion, changing nothing', async () => {
    // Prepare: someone moved the endpoint to a hotfix config by hand after v2's promotion.
    const { candidate } = await promoteChurnV2();
    const hotfix = h.aws.configs.get(h.aws.endpoints.get('churn')?.configName ?? '') ?? [];
    h.aws.configs.set('churn-hotfix', hotfix);
    const endpoint = h.aws.endpoints.get('churn');
    if (endpoint) endpoint.configName = 'churn-hotfix';
    const callsBefore = h.aws.sageMaker.calls().length;
    const ledgerBefore = JSON.stringify([...h.ledger.records]);

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toMatch(/Endpoint churn is InService on churn-hotfix, but its last promotion \(release \w+\) left it on churn-\w+; it changed since, so nothing was changed/);
    expect(sageMakerWritesSince(h, callsBefore)).toEqual([]);
    expect(h.aws.endpoints.get('churn')?.configName).toBe('churn-hotfix');
    expect([...h.aws.servingPackages('churn')]).toEqual([[candidate, 1]]);
    expect(JSON.stringify([...h.ledger.records])).toBe(ledgerBefore);
  });

  it('refuses a manual rollback with EndpointStateConflict when the ledger has no promotion of the endpoint, changing nothing', async () => {
    // Prepare: an endpoint this pipeline never released to.
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);

    // Act
    const run = await h.run({ action: 'rollback', endpointName: 'churn', reason: 'try it' });

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('EndpointStateConflict');
    expect(run.cause).toBe('EndpointStateConflict: The ledger has no promoted release of churn to roll back');
    expect(sageMakerWritesSince(h, 0)).toEqual([]);
    expect(h.aws.endpoints.get('churn')?.configName).toBe('churn-live');
    expect(h.ledger.records.size).toBe(0);
    expect(h.aws.events.map((e) => e.detailType)).toEqual(['Model Deployment Failed']);
  });
});
