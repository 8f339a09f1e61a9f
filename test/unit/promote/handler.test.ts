import { CreateEndpointConfigCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, UpdateEndpointCommand, type EndpointStatus } from '@aws-sdk/client-sagemaker';
import { handler as promote } from '../../../functions/promote/handler';
import { handler as shiftTraffic } from '../../../functions/shift-traffic/handler';
import { ENDPOINT, lambdaContext, releaseState, throttled } from '../helpers';
import { deployment, endpoint, finalConfig, registryHas, sageMaker, state } from '../fixtures/canary-endpoint';

/** The endpoint as ShiftTraffic left it: the canary config, all traffic on the new variant. */
const shifted = (status: EndpointStatus = 'InService') => endpoint(status, deployment.newConfigName, [0, 1]);

beforeEach(() => registryHas('Approved'));
afterEach(() => sageMaker.reset());

describe('Promote handler', () => {
  it('creates the final config with only the new variant and moves the endpoint to it', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(shifted());
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });

    // Act
    const out = await promote(state, lambdaContext());

    // Assess
    expect(out).toMatchObject({ verdict: 'proceed', finalConfigName: finalConfig });
    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
    expect(config?.EndpointConfigName).toBe(finalConfig);
    expect(config?.ProductionVariants?.map((v) => [v.VariantName, v.ModelName, v.InitialVariantWeight])).toEqual([[deployment.newVariantName, deployment.modelName, 1]]);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: finalConfig });
  });

  it.each<EndpointStatus>(['Updating', 'InService'])('does nothing when a retry finds the endpoint already %s on the final config', async (status) => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint(status, finalConfig));
    await promote(state, lambdaContext());
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it('refuses an endpoint busy on the canary config, changing nothing', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(shifted('Updating'));
    await expect(promote(state, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it.each<[string, ReturnType<typeof endpoint>, RegExp]>([
    ['put the endpoint back on the previous config (a hotfix)', endpoint('InService', 'live-config', [1, 0]), /the endpoint runs config live-config, not .* that this release set/],
    ['took the traffic off the new variant', endpoint('InService', deployment.newConfigName, [1, 0]), /the traffic split is v6-old 100%, v7-[0-9a-f]+ 0%, not v6-old 0%, v7-[0-9a-f]+ 100% that this release set/],
  ])('does not promote over an operator who %s: verdict drifted, changing nothing', async (_what, found, said) => {
    sageMaker.on(DescribeEndpointCommand).resolves(found);
    await expect(promote(state, lambdaContext())).resolves.toEqual({ verdict: 'drifted', reason: expect.stringMatching(said) });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it('does not promote a package rejected during the traffic shift: verdict revoked, while the old fleet still exists', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(shifted());
    registryHas('PendingManualApproval');
    await expect(promote(state, lambdaContext())).resolves.toEqual({ verdict: 'revoked', reason: expect.stringContaining('the package is PendingManualApproval in the model registry now, no longer Approved: the release stopped before promoting the new variant') });
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  it('keeps the data capture the endpoint had in the final config', async () => {
    // Prepare
    const capture = { InitialSamplingPercentage: 10, DestinationS3Uri: 's3://capture/churn', CaptureOptions: [{ CaptureMode: 'Input' as const }] };
    sageMaker.on(DescribeEndpointCommand).resolves(shifted());
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [], DataCaptureConfig: capture });

    // Act
    await promote(state, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input.DataCaptureConfig).toEqual(capture);
  });

  it('reports a throttled UpdateEndpoint as AwsThrottled', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(shifted());
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });
    sageMaker.on(UpdateEndpointCommand).rejects(throttled());
    await expect(promote(state, lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
  });

  it('refuses a state without the deployment slice and calls nothing', async () => {
    await expect(promote(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('deployment') });
    await expect(shiftTraffic(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
