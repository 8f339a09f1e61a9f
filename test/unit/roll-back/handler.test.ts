import { DeleteEndpointCommand, DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand, type EndpointStatus } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/roll-back/handler';
import { ENDPOINT, existingDeployment, firstDeployment, freezeNow, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
beforeEach(() => freezeNow('2024-05-01T12:40:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);
const endpoint = (status: EndpointStatus, config: string) => ({ EndpointName: ENDPOINT, EndpointStatus: status, EndpointConfigName: config });
const writes = () => [...sageMaker.commandCalls(UpdateEndpointCommand), ...sageMaker.commandCalls(DeleteEndpointCommand)];

describe('RollBack handler', () => {
  it.each([
    ['absent', {}],
    ['null', { deployment: null }],
  ])('has nothing to undo when the deployment slice is %s (failed before PrepareDeployment)', async (_what, event) => {
    // Act
    const out = await handler(event, lambdaContext());

    // Assess
    expect(out).toEqual({ action: 'nothing-to-undo', expectedConfigName: null, endpointName: null, requestedAt: '2024-05-01T12:40:00.000Z' });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it.each<EndpointStatus>(['Creating', 'Updating', 'RollingBack', 'SystemUpdating'])('waits while the endpoint is %s, changing nothing', async (status) => {
    // Prepare
    const deployment = existingDeployment();
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint(status, deployment.newConfigName));

    // Act
    const out = await handler({ deployment }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ action: 'wait', expectedConfigName: 'live-config', endpointName: ENDPOINT });
    expect(writes()).toHaveLength(0);
  });

  describe('first deployment', () => {
    const deployment = firstDeployment();

    it('deletes the endpoint this release created', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));

      // Act
      const out = await handler({ deployment }, lambdaContext());

      // Assess
      expect(out).toMatchObject({ action: 'deleting', expectedConfigName: null, endpointName: ENDPOINT });
      expect(sageMaker.commandCalls(DeleteEndpointCommand)[0]?.args[0].input).toEqual({ EndpointName: ENDPOINT });
    });

    it('deletes a Failed endpoint too', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('Failed', deployment.newConfigName));
      await expect(handler({ deployment }, lambdaContext())).resolves.toMatchObject({ action: 'deleting' });
      expect(sageMaker.commandCalls(DeleteEndpointCommand)).toHaveLength(1);
    });

    it('does not delete twice when the endpoint is already Deleting', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('Deleting', deployment.newConfigName));
      await expect(handler({ deployment }, lambdaContext())).resolves.toMatchObject({ action: 'deleting' });
      expect(sageMaker.commandCalls(DeleteEndpointCommand)).toHaveLength(0);
    });

    it('has nothing to undo when the endpoint never came to be', async () => {
      sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
      await expect(handler({ deployment }, lambdaContext())).resolves.toMatchObject({ action: 'nothing-to-undo', expectedConfigName: null });
      expect(writes()).toHaveLength(0);
    });

    it('takes an endpoint that vanished between describe and delete as deleted', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
      sageMaker.on(DeleteEndpointCommand).rejects(NOT_FOUND());
      await expect(handler({ deployment }, lambdaContext())).resolves.toMatchObject({ action: 'deleting' });
    });
  });

  describe('existing endpoint', () => {
    const deployment = existingDeployment();

    it('has nothing to undo when the endpoint is still on the previous config', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 'live-config'));

      // Act
      const out = await handler({ deployment }, lambdaContext());

      // Assess
      expect(out).toMatchObject({ action: 'nothing-to-undo', expectedConfigName: 'live-config' });
      expect(writes()).toHaveLength(0);
    });

    it.each<EndpointStatus>(['InService', 'Failed'])('puts a %s endpoint back on the previous config', async (status) => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint(status, deployment.newConfigName));

      // Act
      const out = await handler({ deployment }, lambdaContext());

      // Assess
      expect(out).toMatchObject({ action: 'restoring', expectedConfigName: 'live-config', endpointName: ENDPOINT });
      expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: 'live-config' });
      expect(sageMaker.commandCalls(DeleteEndpointCommand)).toHaveLength(0);
    });

    it.each([
      ['throttled', 'AwsThrottled', throttled],
      ['down', 'AwsUnavailable', serviceDown],
    ])('reports an UpdateEndpoint that is %s as %s', async (_what, name, error) => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
      sageMaker.on(UpdateEndpointCommand).rejects(error());
      await expect(handler({ deployment }, lambdaContext())).rejects.toMatchObject({ name });
    });
  });

  it('refuses a malformed deployment slice and calls nothing', async () => {
    await expect(handler({ deployment: { endpointName: ENDPOINT } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('deployment.') });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('never touches a shared multi-model endpoint (RestoreModelArtifact undoes those releases)', async () => {
    const deployment = existingDeployment({ style: 'multi-model-artifact', targetModel: 'churn-model/v7.tar.gz' });
    await expect(handler({ deployment }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
