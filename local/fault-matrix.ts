/**
 * The fault-injection matrix: for every AWS call the pipeline makes in a baseline scenario, inject
 * throttling, a 5xx and a timeout, once and persistently, and judge what the run did.
 *
 * - once: the run must end exactly as it does without the fault (same outcome, same model served, same events).
 * - always: either the run still ends as the baseline does (the call was not essential), or the endpoint
 *   serves wholly one model, the ledger's release record says which, and a failure event went out.
 *
 * Every case is bounded in wall time: an execution still running then is aborted and counts as not survived.
 */
import { startMoto, type MotoServer } from './moto';
import type { FaultKind, FaultSpec } from './sagemaker-simulator';
import { findScenario, type Scenario } from './scenario';
import { runScenario, type AwsCallCount, type LedgerRecord, type SimulationResult } from './runner';

export type { FaultKind } from './sagemaker-simulator';
export type FaultPersistence = 'once' | 'always';

export const FAULT_KINDS: readonly FaultKind[] = ['throttle', '5xx', 'timeout'];
export const FAULT_PERSISTENCE: readonly FaultPersistence[] = ['once', 'always'];
export const BASELINE_SCENARIOS: readonly string[] = ['realtime-canary-promote', 'realtime-first-deploy'];
/** The events that tell the world a release did not go through. */
export const FAILURE_EVENTS: readonly string[] = ['Model Deployment Failed', 'Model Deployment Rolled Back', 'Model Deployment Rollback Failed'];

/** What the endpoint serves after a run, judged from the endpoint itself (not from what the pipeline says). */
export type Serving = 'new' | 'previous' | 'none' | 'mixed';

export interface AwsOperation {
  service: FaultSpec['service'];
  operation: string;
}

export interface FaultCase extends AwsOperation {
  scenario: string;
  kind: FaultKind;
  persistence: FaultPersistence;
  survived: boolean;
  /** Why it did not survive (empty when it did); for survivors, how (e.g. "same outcome as the baseline"). */
  reason: string;
  /** Requests answered by the fault; 0 means the run never made the call, so the case proves nothing. */
  faultHits: number;
  outcome: string;
  baselineOutcome: string;
  /** The execution's error name (e.g. ReleaseRolledBack, OutcomeNotRecorded, ExecutionAborted). */
  error: string | null;
  events: string[];
  serving: Serving;
  /** The release record's servingModel (null: none written, or written without it). */
  ledgerServing: string | null;
  ledgerStatus: string | null;
  wallSeconds: number;
  /** Every operation the faulted run called, with requests and faulted requests (compare with the baseline's). */
  calls: AwsCallCount[];
}

export interface BaselineRun {
  scenario: string;
  outcome: string;
  events: string[];
  serving: Serving;
  /** The release record's servingModel. */
  ledgerServing: string | null;
  operations: AwsOperation[];
  wallSeconds: number;
}

export interface FaultMatrixResult {
  baselines: BaselineRun[];
  cases: FaultCase[];
  total: number;
  survived: number;
  wallSeconds: number;
}

export interface FaultMatrixOptions {
  /** Baseline scenarios by name (default: realtime-canary-promote, realtime-first-deploy). */
  scenarios?: string[];
  kinds?: FaultKind[];
  persistence?: FaultPersistence[];
  /** Only these operations, as `service.Operation` (e.g. `sagemaker.UpdateEndpoint`); default: every one the baseline called. */
  operations?: string[];
  /** At most this many operations per service (the first the baseline called); `--quick` uses 1. */
  operationsPerService?: number;
  /** Which (kind, persistence) pairs to try per operation; default: every pair of `kinds` × `persistence`. */
  combinations?: { kind: FaultKind; persistence: FaultPersistence }[];
  /** Only the cases this accepts (e.g. a test's handful); `operation` is `service.Operation`. */
  only?: (c: { scenario: string; operation: string; kind: FaultKind; persistence: FaultPersistence }) => boolean;
  /**
   * Handlers' SDK request timeout, so a hung call fails fast (default 1000 ms: at 500 ms a busy machine's
   * moto is sometimes slower than that, and a spurious timeout retries a call that did go through).
   */
  requestTimeoutMs?: number;
  /** Wall-time bound of one case (default 120 s); an execution still running is aborted and the case fails. */
  caseTimeoutMs?: number;
  onCase?: (c: FaultCase) => void;
  onBaseline?: (b: BaselineRun) => void;
  loadModule?: (file: string) => unknown;
  /** Reuse a running moto (reset before each run) instead of starting one. */
  moto?: MotoServer;
}

export const opName = (op: AwsOperation): string => `${op.service}.${op.operation}`;

/** What the endpoint serves: every variant with traffic on the candidate (new), none on it (previous), or both. */
export function servingOf(result: SimulationResult): Serving {
  if (!result.endpoint) return 'none';
  const served = new Set(result.endpoint.variants.filter((v) => v.weight > 0).map((v) => v.modelPackageArn));
  if (served.size === 0) return 'none';
  if (served.size > 1) return 'mixed';
  return served.has(result.candidateArn) ? 'new' : 'previous';
}

/** The release record of the run's main execution: the newest record of the candidate package. */
function releaseRecord(result: SimulationResult): LedgerRecord | undefined {
  return result.ledger.filter((r) => r.modelPackageArn === result.candidateArn).at(-1);
}

const sameEvents = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

export function judgeCase(
  c: Pick<FaultCase, 'persistence'>,
  baseline: BaselineRun,
  result: SimulationResult,
  /** What the endpoint served before the run: previous (a live model) or none (a first deployment). */
  before: Serving,
): { survived: boolean; reason: string } {
  const serving = servingOf(result);
  if (result.error === 'ExecutionAborted') return { survived: false, reason: `the execution was still running at the wall-time bound (${result.cause ?? ''})` };
  // The same outcome means the same everywhere it shows: the execution, the endpoint, the bus and the ledger.
  const asBaseline =
    result.outcome === baseline.outcome &&
    serving === baseline.serving &&
    sameEvents(result.events, baseline.events) &&
    (releaseRecord(result)?.servingModel ?? null) === baseline.ledgerServing;
  if (asBaseline) return { survived: true, reason: 'same outcome as without the fault' };
  if (c.persistence === 'once') {
    return {
      survived: false,
      reason: `${result.outcome} (${result.error ?? 'no error'}: ${(result.cause ?? '').slice(0, 200)}), serving ${serving}, ledger ${String(releaseRecord(result)?.servingModel ?? null)}, events [${result.events.join(', ')}]; without the fault: ${baseline.outcome}, serving ${baseline.serving}, ledger ${String(baseline.ledgerServing)}`,
    };
  }
  const problems: string[] = [];
  if (serving === 'mixed') problems.push('the endpoint serves both models');
  const record = releaseRecord(result);
  // A FAILED release failed before changing anything (README, "Outcome events"): its record need not name a model.
  const ledgerSays = record ? (record.servingModel ?? (record.status === 'FAILED' ? before : null)) : null;
  if (!record) problems.push('no release record in the ledger');
  else if (ledgerSays !== serving) problems.push(`the ledger says ${record.status}/${String(record.servingModel ?? 'no servingModel')} but the endpoint serves ${serving}`);
  if (!result.events.some((e) => FAILURE_EVENTS.includes(e))) problems.push(`no failure event (events: [${result.events.join(', ') || 'none'}])`);
  if (problems.length > 0) return { survived: false, reason: `${result.outcome} (${result.error ?? 'no error'}: ${(result.cause ?? '').slice(0, 200)}): ${problems.join('; ')}` };
  const serves = serving === 'none' ? 'no model (no endpoint)' : `the ${serving} model`;
  return { survived: true, reason: `${result.outcome}: the endpoint serves ${serves}, the ledger says so, "${result.events.join(', ')}" sent` };
}

/** Runs one scenario, bounded in wall time: the executions are aborted at the bound, the whole run given a minute more. */
async function boundedRun(scenario: Scenario, options: Parameters<typeof runScenario>[1], timeoutMs: number): Promise<SimulationResult> {
  const controller = new AbortController();
  const abortTimer = setTimeout(() => controller.abort(new Error(`case exceeded ${timeoutMs} ms of wall time`)), timeoutMs);
  let hardTimer: NodeJS.Timeout | undefined;
  const hard = new Promise<never>((_, reject) => {
    hardTimer = setTimeout(() => reject(new Error(`the run did not end within ${timeoutMs + 60_000} ms even after its executions were aborted`)), timeoutMs + 60_000);
  });
  try {
    return await Promise.race([runScenario(scenario, { ...options, signal: controller.signal }), hard]);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(hardTimer);
  }
}

function pickOperations(calls: AwsOperation[], options: FaultMatrixOptions): AwsOperation[] {
  let ops = calls;
  if (options.operations) ops = ops.filter((op) => options.operations?.includes(opName(op)));
  if (options.operationsPerService !== undefined) {
    const perService = new Map<string, number>();
    ops = ops.filter((op) => {
      const n = perService.get(op.service) ?? 0;
      perService.set(op.service, n + 1);
      return n < (options.operationsPerService ?? Infinity);
    });
  }
  return ops;
}

export async function runFaultMatrix(options: FaultMatrixOptions = {}): Promise<FaultMatrixResult> {
  const started = performance.now();
  const requestTimeoutMs = options.requestTimeoutMs ?? 1000;
  const caseTimeoutMs = options.caseTimeoutMs ?? 120_000;
  const combinations =
    options.combinations ?? (options.kinds ?? [...FAULT_KINDS]).flatMap((kind) => (options.persistence ?? [...FAULT_PERSISTENCE]).map((persistence) => ({ kind, persistence })));
  const moto = options.moto ?? (await startMoto());
  const baselines: BaselineRun[] = [];
  const cases: FaultCase[] = [];
  try {
    for (const name of options.scenarios ?? BASELINE_SCENARIOS) {
      const scenario = findScenario(name);
      const common = { moto, loadModule: options.loadModule, requestTimeoutMs };
      const base = await boundedRun(scenario, common, caseTimeoutMs);
      const baseline: BaselineRun = {
        scenario: name,
        outcome: base.outcome,
        events: base.events,
        serving: servingOf(base),
        ledgerServing: releaseRecord(base)?.servingModel ?? null,
        // Requests the simulator could not name cannot be targeted by a fault.
        operations: base.awsCalls.flatMap(({ service, operation }) => (service === 'unknown' ? [] : [{ service, operation }])),
        wallSeconds: base.wallSeconds,
      };
      baselines.push(baseline);
      options.onBaseline?.(baseline);
      const before: Serving = scenario.live ? 'previous' : 'none';
      for (const op of pickOperations(baseline.operations, options)) {
        for (const { kind, persistence } of combinations) {
          if (options.only && !options.only({ scenario: name, operation: opName(op), kind, persistence })) continue;
          const fault: FaultSpec = { service: op.service, operation: op.operation, kind, times: persistence === 'once' ? 1 : 'always' };
          const caseStart = performance.now();
          let c: FaultCase;
          try {
            const result = await boundedRun(scenario, { ...common, faults: [fault] }, caseTimeoutMs);
            const verdict = judgeCase({ persistence }, baseline, result, before);
            const record = releaseRecord(result);
            const hits = result.awsCalls.find((a) => a.service === op.service && a.operation === op.operation)?.faulted ?? 0;
            c = {
              ...op,
              scenario: name,
              kind,
              persistence,
              ...verdict,
              ...(hits === 0 ? { reason: `${verdict.reason} (the call was never made: the fault never fired)` } : {}),
              faultHits: hits,
              outcome: result.outcome,
              baselineOutcome: baseline.outcome,
              error: result.error,
              events: result.events,
              serving: servingOf(result),
              ledgerServing: record?.servingModel ?? null,
              ledgerStatus: record?.status ?? null,
              wallSeconds: result.wallSeconds,
              calls: result.awsCalls,
            };
          } catch (error) {
            c = {
              ...op,
              scenario: name,
              kind,
              persistence,
              survived: false,
              reason: `the run threw: ${error instanceof Error ? error.message : String(error)}`,
              faultHits: 0,
              outcome: 'NONE',
              baselineOutcome: baseline.outcome,
              error: null,
              events: [],
              serving: 'mixed',
              ledgerServing: null,
              ledgerStatus: null,
              wallSeconds: Math.round((performance.now() - caseStart) / 10) / 100,
              calls: [],
            };
          }
          cases.push(c);
          options.onCase?.(c);
        }
      }
    }
  } finally {
    if (!options.moto) await moto.stop();
  }
  return { baselines, cases, total: cases.length, survived: cases.filter((c) => c.survived).length, wallSeconds: Math.round((performance.now() - started) / 100) / 10 };
}

/** The matrix as a table: one row per service.operation, one column per kind × persistence (✓ survived in every scenario). */
export function formatFaultMatrix(result: FaultMatrixResult): string {
  const columns = FAULT_KINDS.flatMap((kind) => FAULT_PERSISTENCE.map((persistence) => ({ kind, persistence }))).filter((col) =>
    result.cases.some((c) => c.kind === col.kind && c.persistence === col.persistence),
  );
  const rows = [...new Set(result.cases.map((c) => opName(c)))];
  const width = Math.max(20, ...rows.map((r) => r.length));
  const cell = 16;
  const header = columns.map((col) => `${col.kind} ${col.persistence}`.padEnd(cell)).join('');
  const lines = [`${'operation'.padEnd(width)}  ${header}`.trimEnd()];
  for (const row of rows) {
    const cells = columns.map((col) => {
      const tried = result.cases.filter((c) => opName(c) === row && c.kind === col.kind && c.persistence === col.persistence);
      if (tried.length === 0) return ''.padEnd(cell);
      const failed = tried.filter((c) => !c.survived).length;
      return (failed === 0 ? '✓' : tried.length > 1 ? `✗ ${failed}/${tried.length}` : '✗').padEnd(cell);
    });
    lines.push(`${row.padEnd(width)}  ${cells.join('')}`.trimEnd());
  }
  lines.push('', `${result.total} cases, ${result.survived} survived (${result.baselines.map((b) => b.scenario).join(', ')}; ${result.wallSeconds} s)`);
  const failed = result.cases.filter((c) => !c.survived);
  if (failed.length > 0) {
    lines.push('', 'not survived:');
    for (const c of failed) lines.push(`  ${c.scenario}  ${opName(c)}  ${c.kind} ${c.persistence}: ${c.reason}`);
  }
  const idle = result.cases.filter((c) => c.faultHits === 0 && c.reason.includes('never fired'));
  if (idle.length > 0) lines.push('', `${idle.length} case(s) where the fault never fired: ${idle.map((c) => `${c.scenario} ${opName(c)} ${c.kind} ${c.persistence}`).join('; ')}`);
  return lines.join('\n');
}

export function printFaultMatrix(result: FaultMatrixResult, write: (line: string) => void = (line) => console.log(line)): void {
  write(formatFaultMatrix(result));
}
