import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/check-endpoint/handler';
import { ENDPOINT, freezeNow, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';

const BOUND = 3600;

describe('CheckEndpoint handler', () => {
  const sageMaker = mockClient(SageMakerClient);
  beforeAll(() => {
    process.env.ENDPOINT_WAIT_SECONDS = String(BOUND);
  });
  afterEach(() => {
    sageMaker.reset();
    jest.restoreAllMocks();
  });

  const since = '2024-05-01T12:00:00.000Z';

  it('reports InService with the time of the check', async () => {
    // Prepare
    freezeNow('2024-05-01T12:10:00.000Z');
    sageMaker.on(DescribeEndpointCommand, { EndpointName: ENDPOINT }).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName: 'new-config' });

    // Act
    const out = await handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since }, lambdaContext());

    // Assess
    expect(out).toEqual({ check: 'InService', endpointStatus: 'InService', configName: 'new-config', reason: null, checkedAt: '2024-05-01T12:10:00.000Z' });
  });

  it('times out against ENDPOINT_WAIT_SECONDS measured from since', async () => {
    freezeNow('2024-05-01T13:00:01.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'Updating', EndpointConfigName: 'old-config' });
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since }, lambdaContext())).resolves.toMatchObject({ check: 'TimedOut' });
  });

  it('reports RolledBack when the endpoint is InService again on previousConfigName', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName: 'old-config', FailureReason: 'alarm fired' });
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', previousConfigName: 'old-config', since }, lambdaContext())).resolves.toMatchObject({
      check: 'RolledBack',
      reason: 'SageMaker kept the endpoint on old-config: alarm fired',
    });
  });

  it('waits up to boundSeconds instead of ENDPOINT_WAIT_SECONDS when given (a guarded bake)', async () => {
    // Prepare: 1 h 1 s after since, past ENDPOINT_WAIT_SECONDS but within the guarded bound
    freezeNow('2024-05-01T13:00:01.000Z');
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'Updating', EndpointConfigName: 'old-config' });
    const input = { endpointName: ENDPOINT, expectedConfigName: 'new-config', previousConfigName: 'old-config', since };

    // Act
    const guarded = await handler({ ...input, boundSeconds: BOUND + 1200 }, lambdaContext());
    const tight = await handler({ ...input, boundSeconds: 60 }, lambdaContext());

    // Assess
    expect(guarded.check).toBe('Pending');
    expect(tight).toMatchObject({ check: 'TimedOut', reason: 'endpoint still Updating after 3601 s (bound 60 s)' });
  });

  it.each([0, -5, 1.5, '3600'])('refuses a boundSeconds of %p as InvalidInput', async (boundSeconds) => {
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: 'new-config', since, boundSeconds }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('boundSeconds'),
    });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('sees a deleted endpoint as Deleted', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`));
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: null, since }, lambdaContext())).resolves.toMatchObject({ check: 'Deleted' });
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('reports a DescribeEndpoint that is %s as %s, not as a missing endpoint', async (_what, name, error) => {
    sageMaker.on(DescribeEndpointCommand).rejects(error());
    await expect(handler({ endpointName: ENDPOINT, expectedConfigName: null, since }, lambdaContext())).rejects.toMatchObject({ name });
  });

  it('refuses input without expectedConfigName (null must be explicit)', async () => {
    await expect(handler({ endpointName: ENDPOINT, since }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('expectedConfigName') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
