import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, ExecutionDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { prepareRecoveryStep } from '../../../functions/prepare-recovery/handler';
import type { ReleaseRecord } from '../../../functions/shared/domain/ledger';
import { ENDPOINT, EXECUTION_ARN, PACKAGE_ARN, existingDeployment, freezeNow, handlerWith, lambdaContext } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sfn = mockClient(SFNClient);
const sageMaker = mockClient(SageMakerClient);
let ledger: InMemoryReleaseLedger;
const handler = (event: unknown, context: Context) => handlerWith(prepareRecoveryStep, { ledger })(event, context);

const RECOVERY_ARN = EXECUTION_ARN.replace('run-1', 'recover-1');
const deployment = existingDeployment();
const plan = { releaseId: 'r7', endpointName: ENDPOINT, style: 'variant-canary', mode: 'realtime', names: { finalConfig: 'churn-final' }, decision: {} };
const deadState = (extra: Record<string, unknown> = {}) => ({
  request: { action: 'deploy', trigger: 'approval-event', modelPackageArn: PACKAGE_ARN, requestedAt: '2024-05-01T12:00:00.000Z' },
  package: { arn: PACKAGE_ARN, groupName: 'churn-model', version: 7 },
  plan,
  execution: { id: EXECUTION_ARN, startTime: '2024-05-01T12:00:00.000Z' },
  deployment,
  ...extra,
});
const recover = (request: Record<string, unknown>) => ({
  request: { action: 'recover', trigger: 'execution-status-change', executionArn: null, endpointName: null, requestedAt: '2024-05-01T12:30:00.000Z', ...request },
  execution: { id: RECOVERY_ARN, startTime: '2024-05-01T12:30:00.000Z' },
});
const inFlight: ReleaseRecord = {
  releaseId: 'r7',
  modelPackageArn: PACKAGE_ARN,
  target: ENDPOINT,
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: '2024-05-01T12:00:00.000Z',
  status: 'IN_PROGRESS',
  redeploy: false,
  executionArn: EXECUTION_ARN,
  startedAt: '2024-05-01T12:00:00.000Z',
};

/** The dead execution: how it ended, and the state it last entered with that input. */
function died(status: 'ABORTED' | 'FAILED' | 'TIMED_OUT' | 'RUNNING' | 'SUCCEEDED', lastState: string, input: unknown) {
  sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ executionArn: EXECUTION_ARN, status, stateMachineArn: 'x', startDate: new Date() });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      { id: 9, type: 'ExecutionAborted', timestamp: new Date() },
      { id: 8, type: 'WaitStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: lastState, input: JSON.stringify(input) } },
    ],
  });
}
const canaryAt = (live: number, candidate: number) =>
  sageMaker.on(DescribeEndpointCommand).resolves({
    EndpointName: ENDPOINT,
    EndpointStatus: 'InService',
    EndpointConfigName: deployment.newConfigName,
    ProductionVariants: [
      { VariantName: 'v6-old', CurrentWeight: live },
      { VariantName: deployment.newVariantName, CurrentWeight: candidate },
    ],
  });

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.ENDPOINT_WAIT_SECONDS = '3600';
});
beforeEach(() => {
  freezeNow('2024-05-01T12:30:00.000Z');
  ledger = new InMemoryReleaseLedger();
  ledger.records.set('r7', inFlight);
});
afterEach(() => {
  sfn.reset();
  sageMaker.reset();
  jest.restoreAllMocks();
});

describe('PrepareRecovery handler', () => {
  it('takes over a release stopped mid-bake and sends it back (the state becomes the release’s, plus what was found)', async () => {
    // Prepare
    died('ABORTED', 'BakeCanary', deadState({ canaryCheck: { verdict: 'baking' } }));
    canaryAt(0.9, 0.1);

    // Act
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as Record<string, unknown>;

    // Assess
    expect(out).toMatchObject({ plan: { releaseId: 'r7' }, deployment: { endpointName: ENDPOINT }, execution: { id: EXECUTION_ARN } });
    expect(out.recovery).toMatchObject({ action: 'roll-back', deadExecutionArn: EXECUTION_ARN, deadStatus: 'ABORTED', lastState: 'BakeCanary', executionArn: RECOVERY_ARN, found: expect.stringContaining('v6-old 90%') });
    expect(ledger.records.get('r7')?.recoveredBy).toBe(RECOVERY_ARN);
  });

  it('finishes a healthy canary whose traffic was all shifted when it stopped', async () => {
    died('ABORTED', 'WaitForTrafficShift', deadState({ smoke: { passed: true }, canaryCheck: { verdict: 'healthy' } }));
    canaryAt(0, 1);
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: { action: string } };
    expect(out.recovery.action).toBe('finish-promotion');
  });

  it('finds the release in flight on an endpoint an operator names', async () => {
    died('TIMED_OUT', 'CheckCanary', deadState());
    canaryAt(0.9, 0.1);
    const out = (await handler(recover({ trigger: 'manual', endpointName: ENDPOINT }), lambdaContext())) as { recovery: { deadExecutionArn: string; deadStatus: string } };
    expect(out.recovery).toMatchObject({ deadExecutionArn: EXECUTION_ARN, deadStatus: 'TIMED_OUT' });
  });

  it.each([
    ['the release already has its outcome (a rolled-back run ends FAILED too)', () => ledger.records.set('r7', { ...inFlight, status: 'ROLLED_BACK' }), /already ended ROLLED_BACK/],
    ['another recovery run, still running, has it', () => {
      ledger.records.set('r7', { ...inFlight, recoveredBy: 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline:recover-0' });
      sfn.on(DescribeExecutionCommand, { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline:recover-0' }).resolves({ status: 'RUNNING', executionArn: 'x', stateMachineArn: 'x', startDate: new Date() });
    }, /being recovered by .*recover-0/],
  ])('does nothing, changing nothing, when %s', async (_why, arrange, reason) => {
    died('FAILED', 'RecordRollback', deadState());
    arrange();
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: { action: string; reason: string } };
    expect(out.recovery).toEqual({ action: 'nothing', reason: expect.stringMatching(reason) });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('displaces a recovery run that died itself', async () => {
    const deadRecovery = 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline:recover-0';
    ledger.records.set('r7', { ...inFlight, recoveredBy: deadRecovery });
    died('ABORTED', 'BakeCanary', deadState());
    sfn.on(DescribeExecutionCommand, { executionArn: deadRecovery }).resolves({ status: 'ABORTED', executionArn: deadRecovery, stateMachineArn: 'x', startDate: new Date() });
    canaryAt(0.9, 0.1);
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: { action: string } };
    expect(out.recovery.action).toBe('roll-back');
    expect(ledger.records.get('r7')?.recoveredBy).toBe(RECOVERY_ARN);
  });

  it('does nothing for an execution that ended before it planned a release, or that Step Functions does not know', async () => {
    died('FAILED', 'RejectInput', { request: null });
    await expect(handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())).resolves.toMatchObject({ recovery: { action: 'nothing', reason: expect.stringContaining('before it planned') } });
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    await expect(handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())).resolves.toMatchObject({ recovery: { action: 'nothing', reason: expect.stringContaining('has no execution') } });
  });

  it('refuses to recover a release whose execution is still running (EndpointBusy), changing nothing', async () => {
    died('RUNNING', 'BakeCanary', deadState());
    await expect(handler(recover({ trigger: 'manual', endpointName: ENDPOINT }), lambdaContext())).rejects.toMatchObject({ name: 'EndpointBusy', message: expect.stringContaining('still running') });
    expect(ledger.records.get('r7')?.recoveredBy).toBeUndefined();
  });

  it("an operator's abort takes the running release over first, then stops its execution, and sends even a passed canary back", async () => {
    // Prepare
    died('RUNNING', 'WaitForTrafficShift', deadState({ smoke: { passed: true }, canaryCheck: { verdict: 'healthy' } }));
    canaryAt(0, 1);
    let claimedWhenStopped: string | null | undefined;
    sfn.on(StopExecutionCommand).callsFake(() => {
      claimedWhenStopped = ledger.records.get('r7')?.recoveredBy;
      return { stopDate: new Date() };
    });

    // Act
    const out = (await handler(recover({ action: 'abort', trigger: 'manual', endpointName: ENDPOINT, reason: 'checkout latency' }), lambdaContext())) as { recovery: Record<string, unknown> };

    // Assess
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: EXECUTION_ARN, error: 'ReleaseAborted', cause: `aborted by an operator through ${RECOVERY_ARN}: checkout latency` },
    ]);
    expect(claimedWhenStopped).toBe(RECOVERY_ARN);
    // The state read before the stop may be a step behind: it looks again once the stop has landed.
    expect(out.recovery).toMatchObject({ action: 'wait', aborted: true, deadStatus: 'ABORTED', found: expect.stringMatching(/stopped just now, so where it stopped is read again$/) });

    // Round the loop: the execution is ABORTED now; even a passed canary goes back.
    died('ABORTED', 'WaitForTrafficShift', deadState({ smoke: { passed: true }, canaryCheck: { verdict: 'healthy' } }));
    const next = (await handler(out, lambdaContext())) as { recovery: Record<string, unknown> };
    expect(next.recovery).toMatchObject({ action: 'roll-back', aborted: true, found: expect.stringMatching(/aborted, so it goes back to the previous model$/) });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
  });

  it('a recovery that displaces an abort run which died honours the abort: the release still goes back', async () => {
    const deadAbort = 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline:abort-0';
    ledger.records.set('r7', { ...inFlight, recoveredBy: deadAbort, abortedBy: deadAbort });
    died('ABORTED', 'WaitForTrafficShift', deadState({ smoke: { passed: true }, canaryCheck: { verdict: 'healthy' } }));
    sfn.on(DescribeExecutionCommand, { executionArn: deadAbort }).resolves({ status: 'FAILED', executionArn: deadAbort, stateMachineArn: 'x', startDate: new Date(), stopDate: new Date() });
    canaryAt(0, 1);
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: Record<string, unknown> };
    expect(out.recovery).toMatchObject({ action: 'roll-back', aborted: true });
    expect(ledger.records.get('r7')).toMatchObject({ recoveredBy: RECOVERY_ARN, abortedBy: deadAbort });
  });

  it('an abort of a running execution that has claimed nothing yet just stops it', async () => {
    died('RUNNING', 'DescribePackage', { request: { action: 'deploy', requestedAt: '2024-05-01T12:00:00.000Z' } });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const out = (await handler(recover({ action: 'abort', trigger: 'manual', executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: { action: string; reason: string } };
    expect(out.recovery).toEqual({ action: 'nothing', reason: expect.stringContaining('was stopped before it planned a release') });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('waits out a Lambda the dead execution may have left running (it ended inside a Task), then goes on', async () => {
    // Prepare: stopped 20 s ago while in StartDeployment, whose Lambda may still be calling SageMaker.
    const stoppedAt = new Date(Date.parse('2024-05-01T12:30:00.000Z') - 20_000);
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ executionArn: EXECUTION_ARN, status: 'ABORTED', stateMachineArn: 'x', startDate: new Date(), stopDate: stoppedAt });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 9, type: 'ExecutionAborted', timestamp: stoppedAt },
        { id: 8, type: 'TaskStateEntered', timestamp: stoppedAt, stateEnteredEventDetails: { name: 'StartDeployment', input: JSON.stringify(deadState()) } },
      ],
    });
    canaryAt(1, 0);

    // Act
    const out = (await handler(recover({ executionArn: EXECUTION_ARN }), lambdaContext())) as { recovery: { action: string; found: string; deadEndedAt: string } };

    // Assess: 60 s of Lambda timeout plus a 10 s margin from the stop, 20 s of it gone
    expect(out.recovery).toMatchObject({ action: 'wait', found: expect.stringMatching(/ended inside StartDeployment, whose Lambda may still be running for 50 s more$/), deadEndedAt: stoppedAt.toISOString() });

    // Round the loop, 60 s later: nothing can still be running; it decides.
    freezeNow('2024-05-01T12:31:00.000Z');
    const later = (await handler(out, lambdaContext())) as { recovery: { action: string } };
    expect(later.recovery.action).toBe('roll-back');
  });

  it('refuses an input that is neither a recover request nor its own output (InvalidInput)', async () => {
    await expect(handler({ request: { action: 'deploy' } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
