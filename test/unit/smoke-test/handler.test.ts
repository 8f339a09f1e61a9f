import { performance } from 'node:perf_hooks';
import { GetObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ServiceUnavailable } from '@aws-sdk/client-sagemaker-runtime';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/smoke-test/handler';
import { tarGz } from '../../../local/sim/tar';
import { ENDPOINT, RELEASE_ID, existingDeployment, firstDeployment, lambdaContext, releaseState, sdkError, throttled } from '../helpers';

const runtime = mockClient(SageMakerRuntimeClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  runtime.reset();
  s3.reset();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const PAYLOADS = [
  { contentType: 'text/csv', body: '5.1,3.5,1.4', accept: 'text/csv', expect: '0.42' },
  { contentType: 'application/json', body: '{"x":[1,2]}' },
];
const deployment = existingDeployment();

function stateWith(payloads: unknown[], dep = deployment, extra: Record<string, string> = {}) {
  return { ...releaseState({ 'smoke.payloads': JSON.stringify(payloads), ...extra }), deployment: dep };
}
const answer = (body: string, variant = deployment.newVariantName) => ({
  Body: Uint8ArrayBlobAdapter.fromString(body),
  ContentType: 'text/csv',
  InvokedProductionVariant: variant,
});

/** A GetObject answer the adapter reads as bytes. */
const objectBytes = (bytes: Uint8Array) => ({ ContentLength: bytes.length, Body: { transformToByteArray: async () => bytes } as unknown as GetObjectCommandOutput['Body'] });

describe('SmokeTest handler: payloads a real package can name', () => {
  it('reads a JSON Lines file named by smoke.payloadsUrl and sends each line', async () => {
    // Prepare
    const lines = PAYLOADS.map((p) => JSON.stringify(p)).join('\n');
    s3.on(GetObjectCommand, { Bucket: 'sagemaker-bucket', Key: 'smoke/churn.jsonl' }).resolves(objectBytes(new TextEncoder().encode(lines)));
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42'));

    // Act
    const out = await handler({ ...releaseState({ 'smoke.payloadsUrl': 's3://sagemaker-bucket/smoke/churn.jsonl' }), deployment }, lambdaContext());

    // Assess
    expect(out.reason).toBe('2 of 2 smoke payloads passed');
    expect(runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input.ContentType)).toEqual(['text/csv', 'application/json']);
  });

  it("sends each file of the package's SamplePayloadUrl archive, bytes as they are, as its first supported content type", async () => {
    // Prepare
    const binary = new Uint8Array([137, 80, 78, 71, 0, 255]);
    s3.on(GetObjectCommand, { Bucket: 'sagemaker-bucket', Key: 'samples/churn.tar.gz' }).resolves(objectBytes(tarGz([{ name: 'a.csv', body: '1,2,3' }, { name: 'b.png', body: binary }])));
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42'));
    const state = releaseState();
    const plan = { ...state.plan, smoke: { from: 'SamplePayloadUrl' as const, url: 's3://sagemaker-bucket/samples/churn.tar.gz', contentType: 'image/png' } };

    // Act
    const out = await handler({ ...state, plan, deployment }, lambdaContext());

    // Assess
    expect(out.reason).toBe('2 of 2 smoke payloads passed');
    const calls = runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.ContentType)).toEqual(['image/png', 'image/png']);
    expect(Array.from(calls[1]?.Body as Uint8Array)).toEqual(Array.from(binary));
  });

  it('fails with InvalidSettings, invoking nothing, when the file is larger than 1 MB', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ ContentLength: 2 * 1024 * 1024, Body: { transformToByteArray: async () => new Uint8Array() } as unknown as GetObjectCommandOutput['Body'] });

    // Act
    const result = handler({ ...releaseState({ 'smoke.payloadsUrl': 's3://sagemaker-bucket/smoke/big.jsonl' }), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSettings', message: 'smoke.payloadsUrl s3://sagemaker-bucket/smoke/big.jsonl: 2097152 bytes, at most 1048576' });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });
});

describe('SmokeTest handler', () => {
  it('sends every payload to the new variant only and passes good answers', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42\n'));

    // Act
    const out = await handler(stateWith(PAYLOADS), lambdaContext());

    // Assess
    expect(out.passed).toBe(true);
    expect(out.reason).toBe('2 of 2 smoke payloads passed');
    const calls = runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ EndpointName: ENDPOINT, TargetVariant: deployment.newVariantName, ContentType: 'text/csv', Accept: 'text/csv' });
    expect(new TextDecoder().decode(calls[0]?.Body as Uint8Array)).toBe('5.1,3.5,1.4');
    expect(calls[1]).toMatchObject({ TargetVariant: deployment.newVariantName, ContentType: 'application/json' });
    expect(calls[1]).not.toHaveProperty('Accept');
  });

  it('sets no TargetVariant on a first deployment (the endpoint has only the new model)', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42', 'whatever'));

    // Act
    const out = await handler(stateWith(PAYLOADS.slice(0, 1), firstDeployment()), lambdaContext());

    // Assess
    expect(out.passed).toBe(true);
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]?.args[0].input).not.toHaveProperty('TargetVariant');
  });

  it('multi-model: reaches the new model by TargetModel (no TargetVariant), after one unjudged request that loads it', async () => {
    // Prepare: the cold load is slow, the judged request fast.
    const clock = jest.spyOn(Date, 'now');
    clock.mockReturnValueOnce(0).mockReturnValueOnce(9_000).mockReturnValueOnce(10_000).mockReturnValueOnce(10_050);
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42', 'AllTraffic'));
    const mme = existingDeployment({ endpointName: 'shared-mme', style: 'multi-model-artifact', targetVariant: null, targetModel: 'churn-model/v7.tar.gz', liveVariantName: 'AllTraffic', newVariantName: 'AllTraffic' });

    // Act
    const out = await handler(stateWith(PAYLOADS.slice(0, 1), mme), lambdaContext());

    // Assess
    expect(out).toMatchObject({ passed: true, warmUpLatencyMs: 9000, results: [{ passed: true, latencyMs: 50 }] });
    const calls = runtime.commandCalls(InvokeEndpointCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ EndpointName: 'shared-mme', TargetModel: 'churn-model/v7.tar.gz' });
      expect(call).not.toHaveProperty('TargetVariant');
    }
  });

  it('fails on an answer that is not the expected body', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('0.99'));
    const out = await handler(stateWith(PAYLOADS.slice(0, 1)), lambdaContext());
    expect(out).toMatchObject({ passed: false, reason: '1 of 1 smoke payloads failed; payload 0: body "0.99", expected "0.42"' });
  });

  it('fails when the old variant answered', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42', 'v6-old'));
    const out = await handler(stateWith(PAYLOADS.slice(0, 1)), lambdaContext());
    expect(out.results[0]?.problems).toEqual([`served by variant v6-old, not the new variant ${deployment.newVariantName}`]);
  });

  it('takes a ModelError as a failed case, not an error, and goes on to the next payload', async () => {
    // Prepare
    runtime
      .on(InvokeEndpointCommand)
      .rejectsOnce(new ModelError({ message: 'Received client error (400) from primary', $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 400 }))
      .resolves(answer('{"y":1}'));

    // Act
    const out = await handler(stateWith(PAYLOADS), lambdaContext());

    // Assess
    expect(out.passed).toBe(false);
    expect(out.results.map((r) => r.passed)).toEqual([false, true]);
    expect(out.results[0]?.problems[0]).toBe('invocation failed: ModelError: Received client error (400) from primary');
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
  });

  it('fails a case over the latency budget', async () => {
    // Prepare
    const clock = jest.spyOn(Date, 'now');
    clock.mockReturnValueOnce(1_000).mockReturnValueOnce(1_000 + 2_500);
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42'));

    // Act
    const out = await handler(stateWith(PAYLOADS.slice(0, 1), deployment, { 'smoke.latencyBudgetMs': '2000' }), lambdaContext());

    // Assess
    expect(out.results[0]).toMatchObject({ passed: false, latencyMs: 2500, problems: ['took 2500 ms, budget 2000 ms'] });
  });

  it('passes with nothing to send when no payloads are configured', async () => {
    const out = await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(out).toEqual({ passed: true, reason: "no smoke payloads configured (smoke.payloadsUrl, smoke.payloads or the package's SamplePayloadUrl): smoke test skipped", results: [] });
    expect(runtime.calls()).toHaveLength(0);
  });

  it.each([
    ['throttling', 'AwsThrottled', throttled],
    ['a 503 from the service', 'AwsUnavailable', () => new ServiceUnavailable({ message: 'Service is unavailable', $metadata: { httpStatusCode: 503 } })],
  ])('throws %s as %s for the state machine to retry', async (_what, name, error) => {
    runtime.on(InvokeEndpointCommand).rejects(error());
    await expect(handler(stateWith(PAYLOADS), lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('InvokeEndpoint failed') });
  });

  it('sets no TargetVariant when the new model is alone on an existing endpoint (all at once, native guardrails)', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42', 'whatever'));
    const alone = existingDeployment({ style: 'all-at-once', targetVariant: null, liveVariantName: null });

    // Act
    const out = await handler(stateWith(PAYLOADS.slice(0, 1), alone), lambdaContext());

    // Assess
    expect(out.passed).toBe(true);
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]?.args[0].input).not.toHaveProperty('TargetVariant');
  });

  it('aims at deployment.targetVariant, not at newVariantName', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42', 'explicit-target'));
    await handler(stateWith(PAYLOADS.slice(0, 1), existingDeployment({ targetVariant: 'explicit-target' })), lambdaContext());
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]?.args[0].input.TargetVariant).toBe('explicit-target');
  });

  it('refuses a state without the deployment and invokes nothing', async () => {
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(runtime.calls()).toHaveLength(0);
  });
});

describe('SmokeTest handler, async endpoint', () => {
  const OUTPUT_PATH = 's3://churn-async/out/';
  const ASYNC = { 'deploy.mode': 'async', 'async.outputPath': OUTPUT_PATH };
  const OUTPUT = 's3://churn-async/out/result-1.out';
  const FAILURE = 's3://churn-async/failed/result-1-error.out';
  const alone = existingDeployment({ style: 'native-guardrails', targetVariant: null, liveVariantName: null });
  const noSuchKey = () => sdkError('NoSuchKey', 404, 'The specified key does not exist.');
  const s3Body = (text: string) => ({ Body: { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'] });
  const asyncState = (payloads: unknown[], extra: Record<string, string> = {}) => stateWith(payloads, alone, { ...ASYNC, ...extra });

  /** A clock that only moves when the (fake) timers are advanced: the polling waits take no real time. */
  function virtualClock(): void {
    jest.useFakeTimers({ now: 1_000_000 });
    jest.spyOn(performance, 'now').mockImplementation(() => Date.now());
  }

  it('puts the payload under the output path, invokes asynchronously and passes on the answer it finds there', async () => {
    // Prepare
    runtime.on(InvokeEndpointAsyncCommand).resolves({ InferenceId: 'i-1', OutputLocation: OUTPUT, FailureLocation: FAILURE });
    s3.on(GetObjectCommand, { Bucket: 'churn-async', Key: 'out/result-1.out' }).resolves(s3Body('0.42\n'));

    // Act
    const out = await handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext());

    // Assess
    expect(out).toMatchObject({ passed: true, reason: '1 of 1 smoke payloads passed' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'churn-async',
      Key: `out/smoke-inputs/${RELEASE_ID}/0`,
      Body: '5.1,3.5,1.4',
      ContentType: 'text/csv',
    });
    expect(runtime.commandCalls(InvokeEndpointAsyncCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      InputLocation: `s3://churn-async/out/smoke-inputs/${RELEASE_ID}/0`,
      ContentType: 'text/csv',
      Accept: 'text/csv',
    });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  it('polls until the answer appears', async () => {
    // Prepare
    virtualClock();
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: OUTPUT, FailureLocation: FAILURE });
    s3.on(GetObjectCommand, { Key: 'out/result-1.out' }).rejectsOnce(noSuchKey()).rejectsOnce(noSuchKey()).resolves(s3Body('0.42'));
    s3.on(GetObjectCommand, { Key: 'failed/result-1-error.out' }).rejects(noSuchKey());

    // Act
    const pending = handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext());
    await jest.runAllTimersAsync();
    const out = await pending;

    // Assess
    expect(out.passed).toBe(true);
    expect(out.results[0]?.latencyMs).toBe(1000);
    expect(s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key === 'out/result-1.out')).toHaveLength(3);
  });

  it('fails the case with what SageMaker wrote at the failure location', async () => {
    // Prepare
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: OUTPUT, FailureLocation: FAILURE });
    s3.on(GetObjectCommand, { Key: 'out/result-1.out' }).rejects(noSuchKey());
    s3.on(GetObjectCommand, { Key: 'failed/result-1-error.out' }).resolves(s3Body('ClientError: invalid CSV on line 1'));

    // Act
    const out = await handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext());

    // Assess
    expect(out.passed).toBe(false);
    expect(out.results[0]?.problems).toEqual(['invocation failed: AsyncInferenceFailure: ClientError: invalid CSV on line 1']);
  });

  it('times out within the latency budget when no answer appears', async () => {
    // Prepare
    virtualClock();
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: OUTPUT, FailureLocation: FAILURE });
    s3.on(GetObjectCommand).rejects(noSuchKey());

    // Act
    const pending = handler(asyncState(PAYLOADS.slice(0, 1), { 'smoke.latencyBudgetMs': '2000' }), lambdaContext());
    await jest.runAllTimersAsync();
    const out = await pending;

    // Assess
    expect(out.passed).toBe(false);
    expect(out.results[0]).toMatchObject({ latencyMs: 2000, problems: [`invocation failed: AsyncInferenceTimeout: no output at ${OUTPUT} yet`] });
  });

  it('never waits longer than the Lambda has left (less 5 s to report), whatever the budget', async () => {
    // Prepare
    virtualClock();
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: OUTPUT, FailureLocation: FAILURE });
    s3.on(GetObjectCommand).rejects(noSuchKey());

    // Act
    const pending = handler(asyncState(PAYLOADS.slice(0, 1), { 'smoke.latencyBudgetMs': '600000' }), lambdaContext());
    await jest.runAllTimersAsync();
    const out = await pending;

    // Assess
    // The fake context has 30 s left: the reply is awaited 25 s at most.
    expect(out.results[0]).toMatchObject({ passed: false, latencyMs: 25_000 });
    expect(out.results[0]?.problems[0]).toContain('AsyncInferenceTimeout');
  });

  it('takes a ModelError from InvokeEndpointAsync as a failed case and reads nothing', async () => {
    runtime.on(InvokeEndpointAsyncCommand).rejects(new ModelError({ message: 'bad input', $metadata: { httpStatusCode: 424 } }));
    const out = await handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext());
    expect(out.results[0]?.problems).toEqual(['invocation failed: ModelError: bad input']);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it.each([
    ['a throttled InvokeEndpointAsync', 'AwsThrottled', () => runtime.on(InvokeEndpointAsyncCommand).rejects(throttled())],
    ['a PutObject S3 refuses', 'AwsRequestRejected', () => s3.on(PutObjectCommand).rejects(sdkError('AccessDenied', 403, 'Access Denied'))],
    ['a GetObject S3 refuses', 'AwsRequestRejected', () => s3.on(GetObjectCommand).rejects(sdkError('AccessDenied', 403, 'Access Denied'))],
  ])('throws %s as %s', async (_what, name, arrange) => {
    // Prepare
    runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: OUTPUT, FailureLocation: FAILURE });
    arrange();

    // Act
    const result = handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name });
  });

  it('invokes nothing when the payload cannot be put in S3', async () => {
    s3.on(PutObjectCommand).rejects(sdkError('NoSuchBucket', 404, 'The specified bucket does not exist'));
    await expect(handler(asyncState(PAYLOADS.slice(0, 1)), lambdaContext())).rejects.toMatchObject({ message: expect.stringContaining('PutObject failed') });
    expect(runtime.calls()).toHaveLength(0);
  });
});
