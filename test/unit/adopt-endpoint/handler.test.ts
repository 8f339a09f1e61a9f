import { AddTagsCommand, DescribeEndpointCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { adoptEndpointStep } from '../../../functions/adopt-endpoint/handler';
import { EXECUTION_ARN, handlerWith, lambdaContext, sdkError } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sageMaker = mockClient(SageMakerClient);
const eventBridge = mockClient(EventBridgeClient);
let ledger: InMemoryReleaseLedger;
const handler = (event: unknown, context: Context) => handlerWith(adoptEndpointStep, { ledger })(event, context);
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-by-hand';
const input = (requestedBy = 'alice@example.com') => ({
  request: { action: 'adopt', endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy, reason: 'moving it under the pipeline', requestedAt: '2026-12-02T10:00:00.000Z' },
  execution: { id: EXECUTION_ARN, startTime: '2026-12-02T10:00:00.000Z' },
});

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.EVENT_BUS_NAME = 'ml-releases';
  process.env.EVENT_SOURCE = 'sagemaker-release-pipeline';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'churn-by-hand', EndpointArn: ARN, EndpointStatus: 'InService', EndpointConfigName: 'by-hand', ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1 }] });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});
afterEach(() => {
  sageMaker.reset();
  eventBridge.reset();
});

describe('AdoptEndpoint handler', () => {
  it('tags an endpoint made by hand as this pipeline\'s for the group, records who and when, and announces it', async () => {
    // Prepare
    sageMaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'team', Value: 'churn' }] });

    // Act
    const out = await handler(input(), lambdaContext());

    // Assess
    expect(out).toEqual({ endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice@example.com', adoptedAt: '2026-12-02T10:00:00.000Z', alreadyManaged: false });
    expect(sageMaker.commandCalls(AddTagsCommand)[0]?.args[0].input).toEqual({
      ResourceArn: ARN,
      Tags: [
        { Key: 'sagemaker-release-pipeline:managed-by', Value: 'sagemaker-release-pipeline-test' },
        { Key: 'sagemaker-release-pipeline:model-package-group', Value: 'churn-model' },
        { Key: 'sagemaker-release-pipeline:adopted-by', Value: 'alice@example.com' },
        { Key: 'sagemaker-release-pipeline:adopted-at', Value: '2026-12-02T10:00:00.000Z' },
      ],
    });
    expect(ledger.adoptions).toEqual([expect.objectContaining({ endpointName: 'churn-by-hand', modelPackageGroupName: 'churn-model', requestedBy: 'alice@example.com', previousTags: { team: 'churn' }, executionArn: EXECUTION_ARN })]);
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.DetailType).toBe('Endpoint Adopted');
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({ endpointName: 'churn-by-hand', requestedBy: 'alice@example.com', alreadyManaged: false });
  });

  it('refuses an endpoint bound to another group, tagging and recording nothing', async () => {
    sageMaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker-release-pipeline:managed-by', Value: 'sagemaker-release-pipeline-test' }, { Key: 'sagemaker-release-pipeline:model-package-group', Value: 'payments-fraud' }] });
    await expect(handler(input(), lambdaContext())).rejects.toMatchObject({ name: 'EndpointBoundToAnotherGroup', message: expect.stringMatching(/bound to model package group payments-fraud: it cannot be adopted for group churn-model; nothing was changed$/) });
    expect(sageMaker.commandCalls(AddTagsCommand)).toHaveLength(0);
    expect(ledger.adoptions).toHaveLength(0);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('refuses an endpoint that does not exist, with EndpointStateConflict', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, 'Could not find endpoint "churn-by-hand".'));
    await expect(handler(input(), lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: 'There is no endpoint named churn-by-hand to adopt; nothing was changed' });
  });
});
