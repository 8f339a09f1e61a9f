import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/record-batch-outcome/handler';
import { lambdaContext } from '../helpers';
import { DATE, EXECUTION, GROUP, batchJob, packageArn, resolvedModel } from '../fixtures/batch';

const eventBridge = mockClient(EventBridgeClient);
const JOB_NAME = 'churn-scores-20261122';
const OUTPUT = 's3://sagemaker-ml-batch/churn/output/2026-11-22/';

beforeAll(() => {
  process.env.EVENT_BUS_NAME = 'ml-releases';
  process.env.EVENT_SOURCE = 'sagemaker-release-pipeline';
});
beforeEach(() => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});
afterEach(() => eventBridge.reset());

const transform = { jobName: JOB_NAME, reused: false, status: 'InProgress', startedAt: '2026-11-23T02:00:00.000Z', modelName: 'churn-model-v7-batch' };
const check = (c: string, reason: string | null, outputObjects = 0) => ({ check: c, jobStatus: c, reason, outputPath: OUTPUT, outputObjects, durationSeconds: 2730, checkedAt: '2026-11-23T02:46:00.000Z' });
const base = () => ({ job: batchJob(), date: DATE, execution: EXECUTION });

function sentEvents() {
  return eventBridge.commandCalls(PutEventsCommand).map((call) => {
    const entry = call.args[0].input.Entries?.[0];
    if (entry === undefined) throw new Error('PutEvents without an entry');
    return { ...entry, detail: JSON.parse(entry.Detail ?? '{}') as Record<string, unknown> };
  });
}

describe('RecordBatchOutcome handler', () => {
  it('records a scored night: Succeeded summary returned, one success event sent', async () => {
    // Prepare
    const state = { ...base(), model: resolvedModel(7), transform, transformCheck: check('Completed', null, 12) };

    // Act
    const out = await handler(state, lambdaContext());

    // Assess
    const summary = {
      job: 'churn-scores',
      modelPackageGroupName: GROUP,
      date: DATE,
      status: 'Succeeded',
      transformJobName: JOB_NAME,
      reused: false,
      modelPackageArn: packageArn(7),
      modelSource: 'latest-approved',
      outputObjects: 12,
      durationSeconds: 2730,
      reason: null,
    };
    expect(out).toEqual(summary);
    const events = sentEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ EventBusName: 'ml-releases', Source: 'sagemaker-release-pipeline', DetailType: 'Batch Scoring Succeeded', Resources: [packageArn(7), EXECUTION.id] });
    expect(events[0]?.detail).toEqual({ eventId: `batch.${DATE}.churn-scores.${JOB_NAME}.succeeded`, ...summary, modelName: 'churn-model-v7-batch', modelPackageVersion: 7, outputPath: OUTPUT, executionArn: EXECUTION.id });
  });

  it('records a re-run that followed the night’s existing job as reused', async () => {
    const out = await handler({ ...base(), model: { ...resolvedModel(5), source: 'ledger' }, transform: { ...transform, reused: true }, transformCheck: check('Completed', null, 3) }, lambdaContext());
    expect(out).toMatchObject({ status: 'Succeeded', reused: true, modelSource: 'ledger' });
  });

  it('records an error caught before any job started, with the error’s own message', async () => {
    // Prepare
    const cause = JSON.stringify({ errorType: 'NoApprovedModel', errorMessage: `model package group ${GROUP} has no active batch model in the ledger and no Approved model package`, trace: [] });
    const state = { ...base(), error: { Error: 'NoApprovedModel', Cause: cause } };

    // Act
    const out = await handler(state, lambdaContext());

    // Assess
    expect(out).toEqual({
      job: 'churn-scores',
      modelPackageGroupName: GROUP,
      date: DATE,
      status: 'Failed',
      transformJobName: null,
      reused: false,
      modelPackageArn: null,
      modelSource: null,
      outputObjects: 0,
      durationSeconds: null,
      reason: `NoApprovedModel: model package group ${GROUP} has no active batch model in the ledger and no Approved model package`,
    });
    const [event] = sentEvents();
    expect(event).toMatchObject({ DetailType: 'Batch Scoring Failed', Resources: [EXECUTION.id] });
    expect(event?.detail).toMatchObject({ eventId: `batch.${DATE}.churn-scores.nightly-1.failed`, status: 'Failed', reason: out.reason, modelName: null, executionArn: EXECUTION.id });
  });

  it('sends the same eventId when it runs again (a lost PutEvents answer), and a new one for another outcome of the night', async () => {
    const scored = { ...base(), model: resolvedModel(7), transform, transformCheck: check('Completed', null, 12) };
    await handler(scored, lambdaContext());
    await handler(scored, lambdaContext());
    await handler({ ...scored, transformCheck: check('Failed', 'ClientError: bad input row') }, lambdaContext());

    const ids = sentEvents().map((e) => e.detail.eventId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('records an error caught after the job started, keeping what is known about the job', async () => {
    const out = await handler({ ...base(), model: resolvedModel(7), transform, error: { Error: 'AwsThrottled', Cause: 'DescribeTransformJob failed: ThrottlingException: Rate exceeded' } }, lambdaContext());
    expect(out).toMatchObject({ status: 'Failed', transformJobName: JOB_NAME, modelPackageArn: packageArn(7), reason: 'AwsThrottled: DescribeTransformJob failed: ThrottlingException: Rate exceeded' });
    expect(sentEvents()[0]?.DetailType).toBe('Batch Scoring Failed');
  });

  it.each([
    ['Failed', 'transform job Failed: ClientError: See job logs for more information'],
    ['Failed', `transform job Completed but wrote no output under ${OUTPUT}`],
    ['TimedOut', 'transform job still InProgress after 21601 s (bound 21600 s)'],
  ])('propagates the check’s reason for a %s job', async (c, reason) => {
    // Act
    const out = await handler({ ...base(), model: resolvedModel(7), transform, transformCheck: check(c, reason) }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ status: 'Failed', reason: `${c}: ${reason}`, transformJobName: JOB_NAME, durationSeconds: 2730 });
    const [event] = sentEvents();
    expect(event?.DetailType).toBe('Batch Scoring Failed');
    expect(event?.detail.reason).toBe(`${c}: ${reason}`);
  });

  it('fails an iteration that reached it without a check or an error (a wiring mistake must not look like success)', async () => {
    const out = await handler({ ...base(), model: resolvedModel(7), transform }, lambdaContext());
    expect(out).toMatchObject({ status: 'Failed', reason: 'the iteration ended before the transform job was checked' });
  });

  it('records a failure even for a job whose settings no longer parse (only name and group are needed)', async () => {
    const out = await handler({ job: { name: 'churn-scores', modelPackageGroupName: GROUP, instanceCount: 0 }, date: DATE, error: { Error: 'InvalidInput', Cause: 'bad job' } }, lambdaContext());
    expect(out).toMatchObject({ status: 'Failed', reason: 'InvalidInput: bad job' });
  });

  it('fails as AwsUnavailable when EventBridge does not take the event, so the outcome is not lost silently', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(handler({ ...base(), transformCheck: check('Completed', null, 1) }, lambdaContext())).rejects.toMatchObject({ name: 'AwsUnavailable' });
  });

  it.each([
    ['no date', { job: batchJob(), error: { Error: 'X' } }, 'date'],
    ['no job', { date: DATE, error: { Error: 'X' } }, 'job'],
    ['a check without a count', { ...base(), transformCheck: { check: 'Completed', reason: null, durationSeconds: 1 } }, 'transformCheck.outputObjects'],
  ])('refuses %s as InvalidInput without sending an event', async (_what, input, field) => {
    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
    expect(eventBridge.calls()).toHaveLength(0);
  });
});
