import { DeleteEndpointCommand, DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand, type EndpointStatus } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/roll-back/handler';
import { ENDPOINT, existingDeployment, firstDeployment, freezeNow, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
beforeAll(() => {
  process.env.ENDPOINT_WAIT_SECONDS = '3600';
});
beforeEach(() => freezeNow('2024-05-01T12:40:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);
const endpoint = (status: EndpointStatus, config: string) => ({ EndpointName: ENDPOINT, EndpointStatus: status, EndpointConfigName: config });
const writes = () => [...sageMaker.commandCalls(UpdateEndpointCommand), ...sageMaker.commandCalls(DeleteEndpointCommand), ...sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)];
/** The canary config InService with the live and the candidate variant at these weights. */
const canaryAt = (live: number, candidate: number) => ({
  ...endpoint('InService', existingDeployment().newConfigName),
  ProductionVariants: [
    { VariantName: 'v6-old', CurrentWeight: live },
    { VariantName: existingDeployment().newVariantName, CurrentWeight: candidate },
  ],
});

describe('RollBack handler', () => {
  it.each([
    ['absent', {}],
    ['null', { deployment: null }],
  ])('has nothing to undo when the deployment slice is %s (failed before PrepareDeployment)', async (_what, event) => {
    // Act
    const out = await handler(event, lambdaContext());

    // Assess
    expect(out).toEqual({ action: 'nothing-to-undo', expectedConfigName: null, endpointName: null, requestedAt: '2024-05-01T12:40:00.000Z', startedAt: '2024-05-01T12:40:00.000Z' });
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

    it("takes the canary's traffic away first, leaving the config as it is", async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(canaryAt(0.9, 0.1));

      // Act
      const out = await handler({ deployment }, lambdaContext());

      // Assess
      expect(out).toMatchObject({ action: 'draining', expectedConfigName: 'live-config', endpointName: ENDPOINT, startedAt: '2024-05-01T12:40:00.000Z' });
      expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0]?.args[0].input).toEqual({
        EndpointName: ENDPOINT,
        DesiredWeightsAndCapacities: [
          { VariantName: 'v6-old', DesiredWeight: 1 },
          { VariantName: deployment.newVariantName, DesiredWeight: 0 },
        ],
      });
      expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
    });

    it('drains after the traffic shift too (the live variant at 0), and restores the config once the canary is drained', async () => {
      sageMaker.on(DescribeEndpointCommand).resolvesOnce(canaryAt(0, 1)).resolvesOnce(canaryAt(1, 0));
      await expect(handler({ deployment }, lambdaContext())).resolves.toMatchObject({ action: 'draining' });
      await expect(handler({ deployment, rollback: { startedAt: '2024-05-01T12:39:00.000Z' } }, lambdaContext())).resolves.toMatchObject({ action: 'restoring', startedAt: '2024-05-01T12:39:00.000Z' });
      expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({ EndpointName: ENDPOINT, EndpointConfigName: 'live-config' });
    });

    it('looks at a drain when the weight change should have applied (45 s), then every 10 s; a busy endpoint not draining every poll interval', async () => {
      // Prepare: the clock is 12:40:00; the drain was asked for 50 s ago and the endpoint is still updating it.
      sageMaker.on(DescribeEndpointCommand).resolvesOnce(canaryAt(0.9, 0.1)).resolves(endpoint('Updating', deployment.newConfigName));

      // Act
      const drained = await handler({ deployment }, lambdaContext());
      const stillDraining = await handler({ deployment, rollback: { startedAt: '2024-05-01T12:39:10.000Z', drainRequestedAt: '2024-05-01T12:39:10.000Z' } }, lambdaContext());
      const someoneElses = await handler({ deployment, rollback: { startedAt: '2024-05-01T12:39:10.000Z' } }, lambdaContext());

      // Assess
      expect(drained).toMatchObject({ action: 'draining', drainRequestedAt: '2024-05-01T12:40:00.000Z', nextCheckSeconds: 45 });
      expect(stillDraining).toMatchObject({ action: 'wait', drainRequestedAt: '2024-05-01T12:39:10.000Z', nextCheckSeconds: 10 });
      expect(someoneElses).toMatchObject({ action: 'wait', nextCheckSeconds: 30 });
    });

    it('gives up with RollbackTimedOut, changing nothing, when SageMaker stays busy past the bound from the first RollBack', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpoint('Updating', deployment.newConfigName));
      const event = { deployment, rollback: { action: 'wait', startedAt: '2024-05-01T11:39:00.000Z' } };
      await expect(handler(event, lambdaContext())).rejects.toMatchObject({ name: 'RollbackTimedOut', message: expect.stringContaining('after 3660 s of rollback (bound 3600 s)') });
      expect(writes()).toHaveLength(0);
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
