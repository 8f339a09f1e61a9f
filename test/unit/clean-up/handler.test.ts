import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteEndpointConfigCommand, DeleteModelCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { cleanUpStep } from '../../../functions/clean-up/handler';
import type { ReleaseRecord } from '../../../functions/shared/domain/ledger';
import { MANAGED_BY, handlerWith, lambdaContext, releaseState, sdkError } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
let ledger: InMemoryReleaseLedger;
beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  sageMaker.on(DescribeModelCommand).resolves({ ModelName: 'm' });
  sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: 'c', ProductionVariants: [] });
});
afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
});

const state = releaseState();
const endpoint = state.plan.endpointName ?? '';
const finished = (releaseId: string, version: number, status: ReleaseRecord['status'], finishedAt: string): ReleaseRecord => ({
  releaseId,
  modelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/${version}`,
  target: endpoint,
  mode: 'realtime',
  trigger: 'approval',
  requestedAt: finishedAt,
  status,
  redeploy: false,
  executionArn: null,
  startedAt: finishedAt,
  finishedAt,
});
const handler = () => handlerWith(cleanUpStep, { ledger })(state, lambdaContext());

describe('CleanUp handler', () => {
  it("keeps a config IAM will not let it delete (not tagged as this deployment's), says so, and looks at the release again next time", async () => {
    // Prepare: an old rolled-back release whose final config predates the ownership tags.
    const old = finished('0ld0ld00', 5, 'ROLLED_BACK', '2026-11-01T00:00:00.000Z');
    ledger.records.set(old.releaseId, old);
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: endpoint, EndpointStatus: 'InService', EndpointConfigName: 'live-config', ProductionVariants: [] });
    sageMaker.on(DeleteEndpointConfigCommand, { EndpointConfigName: `${endpoint}-0ld0ld00` }).rejects(sdkError('AccessDeniedException', 400, 'not authorized to perform: sagemaker:DeleteEndpointConfig'));

    // Act
    const out = await handler();

    // Assess
    expect(out).toMatchObject({ notOurs: [`${endpoint}-0ld0ld00`], deleted: { configs: [`${endpoint}-0ld0ld00-canary`], models: ['churn-model-v5-0ld0ld00'] } });
    expect(ledger.records.get('0ld0ld00')?.cleanedUpAt).toBeUndefined();
  });

  it('never deletes what the endpoint runs or the models of it, and marks a fully cleaned release', async () => {
    // Prepare: the endpoint was put back by hand on an old release's final config.
    const old = finished('0ld0ld00', 5, 'ROLLED_BACK', '2026-11-01T00:00:00.000Z');
    const gone = finished('90090090', 4, 'FAILED', '2026-10-01T00:00:00.000Z');
    ledger.records.set(gone.releaseId, gone);
    ledger.records.set(old.releaseId, old);
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: endpoint, EndpointStatus: 'InService', EndpointConfigName: `${endpoint}-0ld0ld00`, ProductionVariants: [] });
    sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: `${endpoint}-0ld0ld00` }).resolves({ ProductionVariants: [{ VariantName: 'v', ModelName: 'churn-model-v5-0ld0ld00' }] });

    // Act
    const out = await handler();

    // Assess
    const deletedConfigs = sageMaker.commandCalls(DeleteEndpointConfigCommand).map((c) => c.args[0].input.EndpointConfigName);
    const deletedModels = sageMaker.commandCalls(DeleteModelCommand).map((c) => c.args[0].input.ModelName);
    expect(deletedConfigs).not.toContain(`${endpoint}-0ld0ld00`);
    expect(deletedModels).not.toContain('churn-model-v5-0ld0ld00');
    expect(out).toMatchObject({ stillNeeded: [`${endpoint}-0ld0ld00`, 'churn-model-v5-0ld0ld00'] });
    expect(ledger.records.get('90090090')?.cleanedUpAt).toEqual(expect.any(String));
    expect(ledger.records.get('0ld0ld00')?.cleanedUpAt).toBeUndefined();
  });

  it("deletes this release's own alarms once it has ended, only those that exist", async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: endpoint, EndpointStatus: 'InService', EndpointConfigName: 'live-config', ProductionVariants: [] });
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: state.plan.names.errorRateAlarm, StateValue: 'OK' }] });

    await handler();

    expect(cloudWatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([[state.plan.names.errorRateAlarm]]);
    expect(state.plan.names.errorRateAlarm.startsWith(`${MANAGED_BY}/`)).toBe(true);
  });

  it('does nothing for a run that released nothing (a rejected input, a manual rollback)', async () => {
    await expect(handlerWith(cleanUpStep, { ledger })({}, lambdaContext())).resolves.toEqual({ skipped: expect.stringContaining('released nothing') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
