import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { prepareManualRollbackStep } from '../../../functions/prepare-manual-rollback/handler';
import type { ReleaseRecord } from '../../../functions/shared/domain/ledger';
import { ENDPOINT, ENDPOINT_ARN, EXECUTION_ARN, MANAGED_TAGS, PACKAGE_ARN, freezeNow, handlerWith, lambdaContext } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sageMaker = mockClient(SageMakerClient);
const sfn = mockClient(SFNClient);
let ledger: InMemoryReleaseLedger;
const handler = (event: unknown, context: Context) => handlerWith(prepareManualRollbackStep, { ledger })(event, context);

const ROLLBACK_ARN = EXECUTION_ARN.replace(/[^:]+$/, 'rollback-1');
const request = { request: { action: 'rollback', endpointName: ENDPOINT, reason: 'bad predictions' }, execution: { id: ROLLBACK_ARN, startTime: '2024-05-02T09:00:00.000Z' } };

function release(overrides: Partial<ReleaseRecord>): ReleaseRecord {
  return {
    releaseId: 'r7',
    modelPackageArn: PACKAGE_ARN,
    target: ENDPOINT,
    mode: 'realtime',
    trigger: 'approval-event',
    requestedAt: '2024-05-01T10:00:00.000Z',
    status: 'PROMOTED',
    redeploy: false,
    executionArn: EXECUTION_ARN,
    previousConfigName: 'churn-v6-config',
    newConfigName: 'churn-v7-config',
    startedAt: '2024-05-01T10:00:01.000Z',
    ...overrides,
  };
}

/** The endpoint as the last promotion left it: InService on v7's config, one variant. */
function endpointOn(configName: string, status = 'InService') {
  sageMaker.on(ListTagsCommand).resolves({ Tags: MANAGED_TAGS });
  sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointArn: ENDPOINT_ARN, EndpointStatus: status as 'InService', EndpointConfigName: configName, ProductionVariants: [{ VariantName: 'v7', CurrentWeight: 1 }] });
  sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: configName, ProductionVariants: [{ VariantName: 'v7', ModelName: 'churn-model-v7' }] });
  // The config from before serves v6's model: what nightly scoring goes back to.
  sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'churn-v6-config' }).resolves({ EndpointConfigName: 'churn-v6-config', ProductionVariants: [{ VariantName: 'v6', ModelName: 'churn-model-v6' }] });
  sageMaker.on(DescribeModelCommand, { ModelName: 'churn-model-v6' }).resolves({ ModelName: 'churn-model-v6', Containers: [{ ModelPackageName: V6_ARN }] });
}
const V6_ARN = PACKAGE_ARN.replace(/\/\d+$/, '/6');

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  freezeNow('2024-05-02T09:00:00.000Z');
});
afterEach(() => {
  sageMaker.reset();
  sfn.reset();
  jest.restoreAllMocks();
});

describe('PrepareManualRollback handler', () => {
  it("targets the config from before the endpoint's last promotion, and names the promotion it undoes", async () => {
    // Prepare
    await ledger.finish({ record: release({}), requestedAt: '2024-05-01T10:00:00.000Z' });
    endpointOn('churn-v7-config');

    // Act
    const deployment = await handler(request, lambdaContext());

    // Assess
    expect(deployment).toEqual({
      endpointName: ENDPOINT,
      style: 'variant-canary',
      targetVariant: null,
      firstDeployment: false,
      previousConfigName: 'churn-v6-config',
      liveVariantName: 'v7',
      newVariantName: 'v7',
      newConfigName: 'churn-v7-config',
      modelName: 'churn-model-v7',
      startedAt: '2024-05-02T09:00:00.000Z',
      rollbackOf: { releaseId: 'r7', modelPackageArn: PACKAGE_ARN },
      restores: V6_ARN,
    });
  });

  it('refuses while a release is in progress on the endpoint and its execution runs, naming it and how to abort it', async () => {
    await ledger.finish({ record: release({}), requestedAt: '2024-05-01T10:00:00.000Z' });
    await ledger.finish({ record: release({ releaseId: 'r8', status: 'IN_PROGRESS', requestedAt: '2024-05-02T08:00:00.000Z' }), requestedAt: '2024-05-02T08:00:00.000Z' });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING', stateMachineArn: 'x', startDate: new Date() });

    await expect(handler(request, lambdaContext())).rejects.toMatchObject({
      name: 'EndpointBusy',
      message: expect.stringMatching(new RegExp(`Release r8 of .* is in progress on ${ENDPOINT} \\(execution .*\\); it rolls back by itself on alarm, or abort it first \\(\\{"action": "abort"`)),
    });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(ledger.records.get('r8')?.recoveredBy).toBeUndefined();
  });

  it('is not refused by a release left in progress by an execution that no longer runs: it takes that release over, wherever it left the endpoint', async () => {
    // Prepare: r8 died mid-canary, the endpoint on its canary config
    await ledger.finish({ record: release({}), requestedAt: '2024-05-01T10:00:00.000Z' });
    await ledger.finish({ record: release({ releaseId: 'r8', status: 'IN_PROGRESS', requestedAt: '2024-05-02T08:00:00.000Z' }), requestedAt: '2024-05-02T08:00:00.000Z' });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'ABORTED', stateMachineArn: 'x', startDate: new Date() });
    endpointOn('churn-v8-canary');

    // Act
    const deployment = await handler(request, lambdaContext());

    // Assess
    expect(deployment).toMatchObject({
      previousConfigName: 'churn-v6-config',
      rollbackOf: { releaseId: 'r7' },
      supersedes: { releaseId: 'r8', modelPackageArn: PACKAGE_ARN, requestedAt: '2024-05-02T08:00:00.000Z', executionArn: EXECUTION_ARN, executionStatus: 'ABORTED' },
    });
    expect(ledger.records.get('r8')?.recoveredBy).toBe(ROLLBACK_ARN);
  });

  it.each([
    ['no promotion in the ledger', [] as Partial<ReleaseRecord>[], /The ledger has no promoted release of churn-endpoint to roll back/],
    ['a promotion that created the endpoint', [{ previousConfigName: null }], /Release r7 created churn-endpoint; there is no earlier config to go back to/],
    ['a multi-model promotion', [{ mode: 'multi-model' }], /placed a model artifact on a shared multi-model endpoint, which a config rollback cannot undo/],
  ])('refuses with %s', async (_what, records, message) => {
    for (const r of records) await ledger.finish({ record: release(r), requestedAt: '2024-05-01T10:00:00.000Z' });

    await expect(handler(request, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringMatching(message) });
  });

  it('refuses an endpoint the pipeline does not manage (its tags removed by hand), changing nothing', async () => {
    await ledger.finish({ record: release({}), requestedAt: '2024-05-01T10:00:00.000Z' });
    endpointOn('churn-v7-config');
    sageMaker.on(ListTagsCommand).resolves({ Tags: [] });

    await expect(handler({ request: { action: 'rollback', endpointName: ENDPOINT, reason: null }, execution: { id: EXECUTION_ARN, startTime: '2024-05-02T09:00:00.000Z' } }, lambdaContext())).rejects.toMatchObject({
      name: 'EndpointNotManaged',
      message: expect.stringMatching(/^Endpoint churn-endpoint was neither created by this pipeline nor adopted .*; nothing was changed$/),
    });
  });

  it('refuses an endpoint changed since its last promotion, changing nothing', async () => {
    await ledger.finish({ record: release({}), requestedAt: '2024-05-01T10:00:00.000Z' });
    endpointOn('hand-made-config');

    await expect(handler(request, lambdaContext())).rejects.toMatchObject({
      name: 'EndpointStateConflict',
      message: `Endpoint ${ENDPOINT} is InService on hand-made-config, but its last promotion (release r7) left it on churn-v7-config; it changed since, so nothing was changed`,
    });
  });

  it('refuses a request that is not a rollback of a named endpoint, as InvalidInput', async () => {
    await expect(handler({ ...request, request: { action: 'rollback', reason: null } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('request.endpointName') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
