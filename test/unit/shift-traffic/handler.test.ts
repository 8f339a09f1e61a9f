import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelPackageCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { handler as shiftTraffic } from '../../../functions/shift-traffic/handler';
import { lambdaContext, sdkError } from '../helpers';
import { deployment, endpoint, registryHas, sageMaker, state } from '../fixtures/canary-endpoint';

afterEach(() => sageMaker.reset());

describe('ShiftTraffic handler', () => {
  it('puts all traffic on the new variant and none on the old', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
    sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: deployment.newConfigName, ProductionVariants: [] });
    registryHas('Approved');

    // Act
    const out = await shiftTraffic(state, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0]?.args[0].input.DesiredWeightsAndCapacities).toEqual([
      { VariantName: 'v6-old', DesiredWeight: 0 },
      { VariantName: deployment.newVariantName, DesiredWeight: 1 },
    ]);
    expect(out).toMatchObject({ verdict: 'proceed', weights: [{ name: 'v6-old', weight: 0 }, { name: deployment.newVariantName, weight: 1 }] });
  });

  it('moves no traffic when the package was rejected since the last canary check: verdict revoked', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName));
    registryHas('Rejected');

    // Act
    const out = await shiftTraffic(state, lambdaContext());

    // Assess
    expect(out).toEqual({ verdict: 'revoked', reason: expect.stringContaining('the package is Rejected in the model registry now, no longer Approved: the release stopped before moving all traffic to the new variant') });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  it.each<[string, ReturnType<typeof endpoint>, RegExp]>([
    ['drained the canary', endpoint('InService', deployment.newConfigName, [100, 0]), /the traffic split is v6-old 100%, v7-[0-9a-f]+ 0%, not v6-old 90%, v7-[0-9a-f]+ 10% that this release set/],
    ['moved the endpoint to a config of their own', endpoint('InService', 'hotfix-config'), /the endpoint runs config hotfix-config, not .* that this release set/],
  ])('moves no traffic when someone else %s: verdict drifted, saying what was found', async (_what, found, said) => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(found);
    registryHas('Approved');

    // Act
    const out = await shiftTraffic(state, lambdaContext());

    // Assess
    expect(out).toEqual({ verdict: 'drifted', reason: expect.stringMatching(said) });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  it('stops as drifted when the endpoint was deleted', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, 'Could not find endpoint'));
    await expect(shiftTraffic(state, lambdaContext())).resolves.toEqual({ verdict: 'drifted', reason: expect.stringContaining('the endpoint was deleted') });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  it('a retry that finds its own shift already applied asks for nothing again', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpoint('InService', deployment.newConfigName, [0, 1]));
    await expect(shiftTraffic(state, lambdaContext())).resolves.toMatchObject({ verdict: 'proceed' });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  it('a retry that finds its own shift being applied asks for nothing again', async () => {
    // Prepare: Updating towards all-on-new, the weights this step asks for.
    const applying = endpoint('Updating', deployment.newConfigName);
    sageMaker.on(DescribeEndpointCommand).resolves({ ...applying, ProductionVariants: applying.ProductionVariants.map((v) => ({ ...v, DesiredWeight: v.VariantName === 'v6-old' ? 0 : 1 })) });

    // Act
    const out = await shiftTraffic(state, lambdaContext());

    // Assess
    expect(out).toMatchObject({ verdict: 'proceed' });
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
  });
});
