import { DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { SageMakerAdapter } from '../../../../functions/shared/aws/sagemaker';

const client = mockClient(SageMakerClient);
const adapter = new SageMakerAdapter(new SageMakerClient({ region: 'us-east-1' }));
const midUpdate = () => Object.assign(new Error('Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn".'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });

afterEach(() => client.reset());

describe('SageMakerAdapter: a change whose answer was lost, sent again', () => {
  it('UpdateEndpoint refused mid-update is our own when the update under way moves to the config asked for', async () => {
    // Prepare: the first attempt went through (answer lost); the endpoint now updates to it.
    client.on(UpdateEndpointCommand).rejects(midUpdate());
    client.on(DescribeEndpointCommand).resolves({
      EndpointName: 'churn',
      EndpointStatus: 'Updating',
      EndpointConfigName: 'churn-live',
      PendingDeploymentSummary: { EndpointConfigName: 'churn-v7-canary', ProductionVariants: [], StartTime: new Date() },
    } as never);

    // Act / Assess
    await expect(adapter.updateEndpoint({ EndpointName: 'churn', EndpointConfigName: 'churn-v7-canary' })).resolves.toBeUndefined();
  });

  it("UpdateEndpoint refused mid-update by someone else's update is refused, named", async () => {
    client.on(UpdateEndpointCommand).rejects(midUpdate());
    client.on(DescribeEndpointCommand).resolves({
      EndpointName: 'churn',
      EndpointStatus: 'Updating',
      EndpointConfigName: 'churn-live',
      PendingDeploymentSummary: { EndpointConfigName: 'hand-edit', ProductionVariants: [], StartTime: new Date() },
    } as never);
    await expect(adapter.updateEndpoint({ EndpointName: 'churn', EndpointConfigName: 'churn-v7-canary' })).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('UpdateEndpoint failed: ValidationException: Cannot update in-progress endpoint') });
  });

  it('a weight change refused mid-update is our own when exactly those weights are being applied', async () => {
    client.on(UpdateEndpointWeightsAndCapacitiesCommand).rejects(midUpdate());
    client.on(DescribeEndpointCommand).resolves({
      EndpointName: 'churn',
      EndpointStatus: 'Updating',
      EndpointConfigName: 'churn-v7-canary',
      ProductionVariants: [
        { VariantName: 'live', CurrentWeight: 0.9, DesiredWeight: 0 },
        { VariantName: 'v7', CurrentWeight: 0.1, DesiredWeight: 1 },
      ],
    } as never);
    const weights = [
      { name: 'live', weight: 0 },
      { name: 'v7', weight: 1 },
    ];
    await expect(adapter.setVariantWeights('churn', weights)).resolves.toBeUndefined();
    await expect(adapter.setVariantWeights('churn', [{ name: 'live', weight: 1 }, { name: 'v7', weight: 0 }])).rejects.toMatchObject({ name: 'AwsRequestRejected' });
  });
});
