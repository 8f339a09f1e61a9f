/**
 * Runs the packaged release state machine in-process: real ASL, the step handlers from source,
 * AWS faked by FakeAwsAccount, the ledger in memory, and a clock that jumps forward on every Wait
 * state so a 10-minute bake costs no real time.
 */
import { loadPackagedStateMachine, resolveEnvironment, type PackagedStateMachine } from '../../local/packaged-template';
import { runStateMachine, type ExecutionReport, type LambdaHandler } from '../../local/run-state-machine';
import { setReleaseLedger } from '../../functions/shared/aws/ledger';
import { resetAwsClients } from '../../functions/shared/aws/clients';
import { FakeAwsAccount, ROLE_ARN } from './fake-aws';
import { MemoryLedger } from './memory-ledger';

let packaged: PackagedStateMachine | undefined;

export function packagedPipeline(): PackagedStateMachine {
  packaged ??= loadPackagedStateMachine();
  return packaged;
}

function sourceHandlers(machine: PackagedStateMachine): Record<string, LambdaHandler> {
  const handlers: Record<string, LambdaHandler> = {};
  for (const [state, fn] of Object.entries(machine.functionsByState)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handlers[state] = (require(`../../functions/${fn.handlerDir}/handler`) as { handler: LambdaHandler }).handler;
  }
  return handlers;
}

export interface Harness {
  aws: FakeAwsAccount;
  ledger: MemoryLedger;
  run(input: unknown, executionName?: string): Promise<ExecutionReport & { path: string[] }>;
  restore(): void;
}

export interface HarnessOptions {
  /**
   * Environment on top of the packaged one, e.g. BATCH_JOBS standing in for the stage param batchJobs.
   * Handlers validate their environment once per module load and are required once per test file, so
   * every harness of a file must pass the same values (or the file must use jest.isolateModules).
   */
  env?: Record<string, string>;
  /** Where the clock starts (ISO timestamp); it then moves with real time plus every Wait. Default: now. */
  startAt?: string;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const machine = packagedPipeline();
  // All functions share the provider environment; resolve its intrinsics to local values once.
  for (const fn of machine.functions) {
    Object.assign(
      process.env,
      resolveEnvironment(fn, (_intrinsic, variable) => (variable === 'LEDGER_TABLE' ? 'ledger' : variable === 'SAGEMAKER_EXECUTION_ROLE_ARN' ? ROLE_ARN : '')),
    );
  }
  Object.assign(process.env, options.env ?? {});
  resetAwsClients();
  const aws = new FakeAwsAccount();
  const ledger = new MemoryLedger();
  setReleaseLedger(ledger);
  const handlers = sourceHandlers(machine);
  const realNow = Date.now;
  let offsetMs = options.startAt === undefined ? 0 : Date.parse(options.startAt) - realNow();
  Date.now = () => realNow() + offsetMs;
  let runs = 0;
  return {
    aws,
    ledger,
    async run(input, executionName) {
      runs += 1;
      const report = await runStateMachine({
        definition: machine.definition,
        handlers,
        input,
        executionId: `arn:aws:states:us-east-1:123456789012:execution:${machine.name}:${executionName ?? `run-${runs}`}`,
        msPerWaitSecond: 0,
        onWait: (seconds) => {
          offsetMs += seconds * 1000;
        },
      });
      return { ...report, path: report.states.map((s) => s.name) };
    },
    restore() {
      Date.now = realNow;
      aws.restore();
      setReleaseLedger(undefined);
    },
  };
}

export function approvalEvent(modelPackageArn: string, group: string, id = 'evt-1'): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Model Package State Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [modelPackageArn],
    detail: { ModelPackageGroupName: group, ModelPackageArn: modelPackageArn, ModelApprovalStatus: 'Approved', ModelPackageStatus: 'Completed' },
  };
}
