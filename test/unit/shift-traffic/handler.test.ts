import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { handler as shiftTraffic } from '../../../functions/shift-traffic/handler';
import { lambdaContext, sdkError } from '../helpers';
import { deployment, endpoint, sageMaker, state } from '../fixtures/canary-endpoint';

afterEach(() => sageMaker.reset());

describe('ShiftTraffic handler', () => {
  it('puts all traffic on the new variant and none on the old', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });

    // Act
    const out = await shiftTraffic(state, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0]?.args[0].input.DesiredWeightsAndCapacities).toEqual([
      { VariantName: 'v6-old', DesiredWeight: 0 },
      { VariantName: deployment.newVariantName, DesiredWeight: 1 },
    ]);
    expect(out.weights).toHaveLength(2);
  });

  it('refuses an endpoint no longer on the canary config, moving no traffic', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', 'live-config'));
    await expect(shiftTraffic(state, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  it('refuses a vanished endpoint', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, 'Could not find endpoint'));
    await expect(shiftTraffic(state, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('on nothing') });
  });
});

