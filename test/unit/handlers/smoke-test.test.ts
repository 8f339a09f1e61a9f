import { performance } from 'node:perf_hooks';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ServiceUnavailable } from '@aws-sdk/client-sagemaker-runtime';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/smoke-test/handler';
import { ENDPOINT, existingDeployment, firstDeployment, lambdaContext, releaseState, throttled } from '../helpers';

const runtime = mockClient(SageMakerRuntimeClient);
afterEach(() => {
  runtime.reset();
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
    const clock = jest.spyOn(performance, 'now');
    clock.mockReturnValueOnce(1_000).mockReturnValueOnce(1_000 + 2_500);
    runtime.on(InvokeEndpointCommand).resolves(answer('0.42'));

    // Act
    const out = await handler(stateWith(PAYLOADS.slice(0, 1), deployment, { 'smoke.latencyBudgetMs': '2000' }), lambdaContext());

    // Assess
    expect(out.results[0]).toMatchObject({ passed: false, latencyMs: 2500, problems: ['took 2500 ms, budget 2000 ms'] });
  });

  it('passes with nothing to send when no payloads are configured', async () => {
    const out = await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(out).toEqual({ passed: true, reason: 'no smoke.payloads configured: smoke test skipped', results: [] });
    expect(runtime.calls()).toHaveLength(0);
  });

  it.each([
    ['throttling', 'AwsThrottled', throttled],
    ['a 503 from the service', 'AwsUnavailable', () => new ServiceUnavailable({ message: 'Service is unavailable', $metadata: { httpStatusCode: 503 } })],
  ])('throws %s as %s for the state machine to retry', async (_what, name, error) => {
    runtime.on(InvokeEndpointCommand).rejects(error());
    await expect(handler(stateWith(PAYLOADS), lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('InvokeEndpoint failed') });
  });

  it('refuses a state without the deployment and invokes nothing', async () => {
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(runtime.calls()).toHaveLength(0);
  });
});
