import { CreateEndpointCommand, DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/start-deployment/handler';
import { ENDPOINT, RELEASE_ID, existingDeployment, firstDeployment, freezeNow, lambdaContext, releaseState, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
beforeEach(() => freezeNow('2024-05-01T12:02:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);
const onConfig = (config: string) => ({ EndpointName: ENDPOINT, EndpointStatus: 'InService' as const, EndpointConfigName: config, ProductionVariants: [] });
const changes = () => [...sageMaker.commandCalls(CreateEndpointCommand), ...sageMaker.commandCalls(UpdateEndpointCommand)];

describe('StartDeployment handler, first deployment', () => {
  const deployment = firstDeployment();

  it('creates the endpoint on the new config, tagged with the release', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());

    // Act
    const out = await handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    expect(out).toEqual({ requestedAt: '2024-05-01T12:02:00.000Z' });
    expect(sageMaker.commandCalls(CreateEndpointCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: deployment.newConfigName,
      Tags: [{ Key: 'sagemaker-release-pipeline:release', Value: RELEASE_ID }],
    });
  });

  it('does nothing when a retried step finds its own endpoint already there', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig(deployment.newConfigName), EndpointStatus: 'Creating' });
    await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint someone else created meanwhile, changing nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('someone-elses-config'));

    // Act
    const result = handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('appeared while this release was preparing (config someone-elses-config)') });
    expect(changes()).toHaveLength(0);
  });
});

describe('StartDeployment handler, existing endpoint', () => {
  const deployment = existingDeployment();

  it('moves the endpoint from the previous config to the canary config', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));

    // Act
    await handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: deployment.newConfigName,
      RetainAllVariantProperties: false,
    });
    expect(sageMaker.commandCalls(CreateEndpointCommand)).toHaveLength(0);
  });

  it('does nothing when a retried step finds its own update applied', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig(deployment.newConfigName), EndpointStatus: 'Updating' });
    await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint changed outside the pipeline, changing nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('hotfix-config'));

    // Act
    const result = handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('now runs hotfix-config, not live-config') });
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint deleted meanwhile, changing nothing', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    await expect(handler({ ...releaseState(), deployment }, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('was deleted') });
    expect(changes()).toHaveLength(0);
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('reports an UpdateEndpoint that is %s as %s', async (_what, name, error) => {
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));
    sageMaker.on(UpdateEndpointCommand).rejects(error());
    await expect(handler({ ...releaseState(), deployment }, lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('UpdateEndpoint failed') });
  });
});

describe('StartDeployment handler, bad input', () => {
  it('refuses a state without the deployment slice and makes no AWS call', async () => {
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('deployment') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
