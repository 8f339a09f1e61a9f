import {
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  type EndpointStatus,
} from '@aws-sdk/client-sagemaker';
import { handler as promote } from '../../../functions/promote/handler';
import { handler as shiftTraffic } from '../../../functions/shift-traffic/handler';
import { ENDPOINT, lambdaContext, releaseState, throttled } from '../helpers';
import { deployment, endpoint, finalConfig, sageMaker, state } from '../fixtures/canary-endpoint';

afterEach(() => sageMaker.reset());

describe('Promote handler', () => {
  it('creates the final config with only the new variant and moves the endpoint to it', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });

    // Act
    const out = await promote(state, lambdaContext());

    // Assess
    expect(out.finalConfigName).toBe(finalConfig);
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

  it.each<[string, EndpointStatus, string]>([
    ['busy on the canary config', 'Updating', deployment.newConfigName],
    ['back on the previous config', 'InService', 'live-config'],
  ])('refuses an endpoint %s, changing nothing', async (_what, status, config) => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint(status, config));
    await expect(promote(state, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  // Known bug (reported, not fixed): PrepareDeployment copies the live config's DataCaptureConfig into the
  // canary config, but Promote builds the final config without it, so promotion silently turns data capture
  // off. Remove `.failing` once Promote carries DataCaptureConfig over.
  it('keeps the data capture the endpoint had in the final config', async () => {
    // Prepare
    const capture = { InitialSamplingPercentage: 10, DestinationS3Uri: 's3://capture/churn', CaptureOptions: [{ CaptureMode: 'Input' as const }] };
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [], DataCaptureConfig: capture });

    // Act
    await promote(state, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input.DataCaptureConfig).toEqual(capture);
  });

  it('reports a throttled UpdateEndpoint as AwsThrottled', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
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
