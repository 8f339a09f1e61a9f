/**
 * Runs the packaged release state machine in-process: real ASL, the step handlers from source,
 * AWS faked by FakeAwsAccount, the ledger in memory, and a clock that jumps forward on every Wait
 * state so a 10-minute bake costs no real time.
 */
import { handlerEnvironment, loadPackagedStateMachines, machineForInput, type PackagedStateMachine, type PackagedStateMachines } from '../../local/packaged-template';
import { runStateMachine, type ExecutionReport, type LambdaHandler } from '../../local/run-state-machine';
import type { ReleaseLedger } from '../../functions/shared/domain/ledger';
import { stepHandler, type StepDefinition } from '../../functions/shared/runtime/step-handler';
import type { Schema } from '../../functions/shared/schema';
import { FakeAwsAccount, ROLE_ARN } from './fake-aws';
import { MemoryLedger } from './memory-ledger';

let packaged: PackagedStateMachines | undefined;

export function packagedPipeline(): PackagedStateMachines {
  packaged ??= loadPackagedStateMachines();
  return packaged;
}

type AnyStep = StepDefinition<Schema, Schema, { ledger?: ReleaseLedger }, unknown>;

/** Each function's step from source, built with the harness's ledger (its AWS clients are mocked by FakeAwsAccount). */
function sourceHandlers(machine: PackagedStateMachine, ledger: ReleaseLedger, byDir: Map<string, LambdaHandler>): Record<string, LambdaHandler> {
  const handlers: Record<string, LambdaHandler> = {};
  for (const [state, fn] of Object.entries(machine.functionsByState)) {
    let handler = byDir.get(fn.handlerDir);
    if (!handler) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exports = require(`../../functions/${fn.handlerDir}/handler`) as Record<string, unknown>;
      const step = Object.values(exports).find((v): v is AnyStep => typeof v === 'object' && v !== null && 'step' in v && 'run' in v);
      if (!step) throw new Error(`functions/${fn.handlerDir}/handler exports no step definition`);
      handler = stepHandler(step, { aws: 'ledger' in step.aws ? { ledger } : {} }) as LambdaHandler;
      byDir.set(fn.handlerDir, handler);
    }
    handlers[state] = handler;
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
  const machines = packagedPipeline();
  Object.assign(process.env, handlerEnvironment(machines.functions, { ledgerTable: 'ledger', sageMakerExecutionRoleArn: ROLE_ARN }));
  Object.assign(process.env, options.env ?? {});
  const aws = new FakeAwsAccount();
  const ledger = new MemoryLedger();
  const byDir = new Map<string, LambdaHandler>();
  const handlers = new Map([machines.release, machines.batchScoring].map((m) => [m.id, sourceHandlers(m, ledger, byDir)]));
  const realNow = Date.now;
  let offsetMs = options.startAt === undefined ? 0 : Date.parse(options.startAt) - realNow();
  Date.now = () => realNow() + offsetMs;
  let runs = 0;
  return {
    aws,
    ledger,
    async run(input, executionName) {
      runs += 1;
      const machine = machineForInput(machines, input);
      const report = await runStateMachine({
        definition: machine.definition,
        handlers: handlers.get(machine.id) ?? {},
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
