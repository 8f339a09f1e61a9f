import type { Context } from 'aws-lambda';
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { sweepReleasesStep } from '../../../functions/sweep-releases/handler';
import type { ReleaseRecord } from '../../../functions/shared/domain/ledger';
import { ENDPOINT, EXECUTION_ARN, PACKAGE_ARN, freezeNow, handlerWith, lambdaContext } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sfn = mockClient(SFNClient);
let ledger: InMemoryReleaseLedger;
const handler = (event: unknown, context: Context) => handlerWith(sweepReleasesStep, { ledger })(event, context);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:sagemaker-release-pipeline-dev-release';
const record = (releaseId: string, executionArn: string): ReleaseRecord => ({
  releaseId,
  modelPackageArn: PACKAGE_ARN,
  target: ENDPOINT,
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: '2024-05-01T12:00:00.000Z',
  status: 'IN_PROGRESS',
  redeploy: false,
  executionArn,
  startedAt: '2024-05-01T12:00:00.000Z',
});
const RUNNING = EXECUTION_ARN.replace(/[^:]+$/, 'running-1');

/** The release executions as beforeEach has them, and every recovery a sweep started in `status`. */
function sweepRecoveryIs(status: 'RUNNING' | 'FAILED'): void {
  sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    if (input.executionArn === EXECUTION_ARN) return { executionArn: EXECUTION_ARN, status: 'ABORTED', stateMachineArn: MACHINE, startDate: new Date('2024-05-01T12:00:00Z'), stopDate: new Date('2024-05-01T12:30:00Z') };
    if (input.executionArn === RUNNING) return { executionArn: RUNNING, status: 'RUNNING', stateMachineArn: MACHINE, startDate: new Date('2024-05-01T12:00:00Z') };
    return { executionArn: input.executionArn, status, stateMachineArn: MACHINE, startDate: new Date(), ...(status === 'FAILED' ? { stopDate: new Date() } : {}) };
  });
}

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.RELEASE_STATE_MACHINE_ARN = MACHINE;
});
beforeEach(() => {
  freezeNow('2024-05-01T13:00:00.000Z');
  ledger = new InMemoryReleaseLedger();
  ledger.records.set('r7', record('r7', EXECUTION_ARN));
  ledger.records.set('r8', record('r8', RUNNING));
  ledger.records.set('r6', { ...record('r6', EXECUTION_ARN), status: 'PROMOTED' });
  sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ executionArn: EXECUTION_ARN, status: 'ABORTED', stateMachineArn: MACHINE, startDate: new Date('2024-05-01T12:00:00Z'), stopDate: new Date('2024-05-01T12:30:00Z') });
  sfn.on(DescribeExecutionCommand, { executionArn: RUNNING }).resolves({ executionArn: RUNNING, status: 'RUNNING', stateMachineArn: MACHINE, startDate: new Date('2024-05-01T12:00:00Z') });
});
afterEach(() => {
  sfn.reset();
  jest.restoreAllMocks();
});

describe('SweepReleases handler', () => {
  it('starts a recovery for each release in flight whose execution ended, and leaves the running ones', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:sweep-r7`, startDate: new Date() });

    // Act
    const out = (await handler({ request: { action: 'sweep' } }, lambdaContext())) as { checked: number; started: { releaseId: string }[]; left: { releaseId: string; why: string }[] };

    // Assess
    expect(out.checked).toBe(2);
    expect(out.started.map((s) => s.releaseId)).toEqual(['r7']);
    expect(out.left).toEqual([{ releaseId: 'r8', why: `execution ${RUNNING} is still running` }]);
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(start?.args[0].input).toEqual({ stateMachineArn: MACHINE, name: expect.stringMatching(/^sweep-r7-[0-9a-f]{12}$/), input: JSON.stringify({ action: 'recover', executionArn: EXECUTION_ARN }) });
  });

  it('with backfill, first indexes what an older version left in progress, and says how many', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:sweep-r7`, startDate: new Date() });
    const backfill = jest.spyOn(ledger, 'indexUnsweptReleases').mockResolvedValue(3);

    const plain = await handler({ request: { action: 'sweep' } }, lambdaContext());
    const backfilled = await handler({ request: { action: 'sweep', backfill: true } }, lambdaContext());

    expect(plain).not.toHaveProperty('indexed');
    expect(backfilled).toMatchObject({ indexed: 3, checked: 2 });
    expect(backfill).toHaveBeenCalledTimes(1);
  });

  it('a second sweep finds the recovery it started still running, and starts no other', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sweepRecoveryIs('RUNNING');
    const out = (await handler({ request: { action: 'sweep' } }, lambdaContext())) as { started: unknown[]; left: { releaseId: string; why: string }[] };
    expect(out.started).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(out.left).toContainEqual({ releaseId: 'r7', why: expect.stringMatching(/^a sweep already started its recovery .*:sweep-r7-[0-9a-f]{12}, which is running$/) });
  });

  it('when the recovery a sweep started ended without finishing the release, the next sweep starts its next attempt', async () => {
    const first = sfn.on(StartExecutionCommand);
    first.rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} })).resolves({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:sweep-r7-x-2`, startDate: new Date() });
    sweepRecoveryIs('FAILED');
    const out = (await handler({ request: { action: 'sweep' } }, lambdaContext())) as { started: { releaseId: string }[] };
    expect(out.started.map((s) => s.releaseId)).toEqual(['r7']);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([expect.stringMatching(/^sweep-r7-[0-9a-f]{12}$/), expect.stringMatching(/^sweep-r7-[0-9a-f]{12}-2$/)]);
  });

  it('refuses a deployment whose state machine ARN is not one (InvalidConfiguration), starting nothing', async () => {
    process.env.RELEASE_STATE_MACHINE_ARN = '';
    try {
      await expect(handler({ request: { action: 'sweep' } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidConfiguration' });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    } finally {
      process.env.RELEASE_STATE_MACHINE_ARN = MACHINE;
    }
  });
});
