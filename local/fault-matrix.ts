/**
 * The fault-injection matrix: for every AWS call the pipeline makes in a baseline scenario, inject
 * throttling, a 5xx and a timeout, once and persistently; lose the answer of every mutating request (each
 * occurrence, the call carried out); stop the execution in every phase; time a Lambda out after its work,
 * at every Task state. Then judge what the run did, by the strict rule:
 *
 * - transient (a fault once, a lost answer, a Lambda timeout): the run must end exactly as it does without
 *   the fault (same outcome, same model served, the same events once each by `detail.eventId`, the ledger saying so).
 * - persistent (a fault always) and stops: either the run still ends as the baseline does, or the endpoint
 *   serves wholly one model, the ledger's release record says which, nothing is left locked (lease, queue
 *   ticket, claim, a record IN_PROGRESS), and exactly one outcome event went out (a failure or a recovery).
 *
 * Every case is bounded in wall time: an execution still running then is aborted and counts as not survived.
 */
import { startMoto, type MotoServer } from './moto';
import type { FaultKind, FaultSpec } from './sagemaker-simulator';
import { phaseOf, type Phase } from './interventions';
import { allStates, loadPackagedStateMachines } from './packaged-template';
import { findScenario, type Scenario } from './scenario';
import { runScenario, type AwsCallCount, type LedgerRecord, type SimulationResult } from './runner';

export type { FaultKind } from './sagemaker-simulator';
export type FaultPersistence = 'once' | 'always';

export const FAULT_KINDS: readonly FaultKind[] = ['throttle', '5xx', 'timeout'];
export const FAULT_PERSISTENCE: readonly FaultPersistence[] = ['once', 'always'];
export const BASELINE_SCENARIOS: readonly string[] = ['realtime-canary-promote', 'realtime-first-deploy', 'realtime-canary-alarm-rollback'];
/** The events that tell the world a release did not go through. */
export const FAILURE_EVENTS: readonly string[] = ['Model Deployment Failed', 'Model Deployment Rolled Back', 'Model Deployment Rollback Failed'];
/** A stopped release's outcome event, sent by the recovery run its end started. */
export const RECOVERY_EVENT = 'Model Deployment Recovered';

/**
 * The families of cases: `aws-fault` (throttle, 5xx, timeout, once or always, per operation), `lost-response`
 * (the n-th request of a mutating operation carried out, its answer lost), `stop-execution` (StopExecution at
 * a moment of a phase), `lambda-timeout` (the n-th invocation of a Task state times out after its work).
 */
export const CASE_FAMILIES = ['aws-fault', 'lost-response', 'stop-execution', 'lambda-timeout'] as const;
export type CaseFamily = (typeof CASE_FAMILIES)[number];

/** Operations that change something: their answers are the ones whose loss matters. */
export const MUTATING_OPERATION = /^(Create|Update|Put|Delete|Transact|Start|Stop|Copy|Tag|Register|BatchWrite|SendMessage)/;

/** When, in each phase, an execution is stopped (virtual seconds after the release entered it). */
export const STOP_MOMENTS: Readonly<Record<Phase, readonly number[]>> = {
  queue: [0],
  deploy: [0, 60, 300],
  smoke: [0],
  bake: [0, 120, 400],
  shift: [0, 30, 60],
  promote: [0, 60, 300],
  rollback: [0, 30, 90, 300],
};

/** What the endpoint serves after a run, judged from the endpoint itself (not from what the pipeline says). */
export type Serving = 'new' | 'previous' | 'none' | 'mixed';

export interface AwsOperation {
  service: FaultSpec['service'];
  operation: string;
}

/** How a case is judged (see the file's comment). */
export type Judgement = 'transient' | 'persistent';

export interface FaultCase {
  family: CaseFamily;
  scenario: string;
  /** What was faulted: `service.Operation` (AWS faults, lost answers), `stop in <phase>`, `<State> Lambda`. */
  row: string;
  /** Which fault: `throttle once`, `lost #2` (the second request), `+120 s`, `#1` (the first invocation). */
  column: string;
  /** The AWS service and operation (for stops and Lambda timeouts: `states`/`lambda` and the phase or state). */
  service: string;
  operation: string;
  kind: FaultKind | 'stop-execution' | 'lambda-timeout';
  persistence: FaultPersistence;
  judged: Judgement;
  survived: boolean;
  /** Why it did not survive (empty when it did); for survivors, how (e.g. "same outcome as the baseline"). */
  reason: string;
  /** Requests answered by the fault; 0 means the run never made the call, so the case proves nothing. */
  faultHits: number;
  outcome: string;
  baselineOutcome: string;
  /** The execution's error name (e.g. ReleaseRolledBack, OutcomeNotRecorded, ExecutionAborted). */
  error: string | null;
  /** The outcome events, once each by `detail.eventId`. */
  events: string[];
  /** Copies of an event sent again (same eventId) after a lost answer: at-least-once, as EventBridge is. */
  eventCopies: number;
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
  /** Requests per mutating operation (each one's answer is lost in a case of its own). */
  mutatingRequests: (AwsOperation & { requests: number })[];
  /** Task states the first execution ran, with how often (each first invocation times out in a case). */
  taskStates: string[];
  /** Phases the first execution entered (it is stopped in each). */
  phases: Phase[];
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
  /** Baseline scenarios by name (default: realtime-canary-promote, realtime-first-deploy, realtime-canary-alarm-rollback). */
  scenarios?: string[];
  /** Which families of cases (default: all). */
  families?: CaseFamily[];
  kinds?: FaultKind[];
  persistence?: FaultPersistence[];
  /** Only these operations, as `service.Operation` (e.g. `sagemaker.UpdateEndpoint`); default: every one the baseline called. */
  operations?: string[];
  /** At most this many operations per service (the first the baseline called); `--quick` uses 1. */
  operationsPerService?: number;
  /** Which (kind, persistence) pairs to try per operation; default: every pair of `kinds` × `persistence`. */
  combinations?: { kind: FaultKind; persistence: FaultPersistence }[];
  /** Only the cases this accepts (e.g. a test's handful); `operation` is the case's row (`service.Operation` for AWS faults). */
  only?: (c: { scenario: string; family: CaseFamily; operation: string; column: string; kind: FaultCase['kind']; persistence: FaultPersistence }) => boolean;
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

export const opName = (op: { service: string; operation: string }): string => `${op.service}.${op.operation}`;

/** The events once each: a copy sent again after a lost answer carries the same `detail.eventId`. */
export function distinctEvents(result: Pick<SimulationResult, 'events' | 'eventIds'>): { events: string[]; copies: number } {
  const seen = new Set<string>();
  const events: string[] = [];
  result.events.forEach((event, i) => {
    const id = result.eventIds[i];
    if (id !== null && id !== undefined) {
      if (seen.has(id)) return;
      seen.add(id);
    }
    events.push(event);
  });
  return { events, copies: result.events.length - events.length };
}

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
  c: Pick<FaultCase, 'judged'>,
  baseline: BaselineRun,
  result: SimulationResult,
  /** What the endpoint served before the run: previous (a live model) or none (a first deployment). */
  before: Serving,
): { survived: boolean; reason: string } {
  const serving = servingOf(result);
  const { events } = distinctEvents(result);
  // The wall-time bound aborts what still runs (a stop intervention aborts only the first execution, on purpose).
  const bounded = result.executions.find((e) => e.error === 'ExecutionAborted' && (e.cause ?? '').includes('of wall time'));
  if (bounded) return { survived: false, reason: `execution ${bounded.index} was still running at the wall-time bound (${bounded.cause ?? ''})` };
  const record = releaseRecord(result);
  const locked = [...result.locks.leases, ...result.locks.tickets, ...result.locks.claimsInProgress, ...result.locks.releasesInProgress];
  // The same outcome means the same everywhere it shows: the execution, the endpoint, the bus and the ledger.
  const asBaseline =
    result.outcome === baseline.outcome && serving === baseline.serving && sameEvents(events, baseline.events) && (record?.servingModel ?? null) === baseline.ledgerServing && locked.length === 0;
  if (asBaseline) return { survived: true, reason: 'same outcome as without the fault' };
  const summary = `${result.outcome} (${result.error ?? 'no error'}: ${(result.cause ?? '').slice(0, 200)})`;
  if (c.judged === 'transient') {
    return {
      survived: false,
      reason: `${summary}, serving ${serving}, ledger ${String(record?.servingModel ?? null)}, events [${events.join(', ')}]${locked.length ? `, left locked: ${locked.join('; ')}` : ''}; without the fault: ${baseline.outcome}, serving ${baseline.serving}, ledger ${String(baseline.ledgerServing)}`,
    };
  }
  const problems: string[] = [];
  if (serving === 'mixed') problems.push('the endpoint serves both models');
  if (locked.length > 0) problems.push(`left locked: ${locked.join('; ')}`);
  // A FAILED release failed before changing anything (README, "Outcome events"): its record need not name a model.
  const ledgerSays = record ? (record.servingModel ?? (record.status === 'FAILED' ? before : null)) : null;
  const announced = events.filter((e) => FAILURE_EVENTS.includes(e) || e === RECOVERY_EVENT);
  if (!record) {
    // Failed or stopped before it claimed anything: the endpoint as it was, nothing to record, and at most the
    // failure announced (a stop before the claim announces nothing: there is nothing to recover).
    if (!(serving === before && events.length <= 1 && events.every((e) => FAILURE_EVENTS.includes(e)))) problems.push(`no release record in the ledger (serving ${serving}, events [${events.join(', ')}])`);
  } else {
    if (ledgerSays !== serving) problems.push(`the ledger says ${record.status}/${String(record.servingModel ?? 'no servingModel')} but the endpoint serves ${serving}`);
    if (announced.length !== 1 || events.length !== 1) problems.push(`not exactly one failure or recovery event (events: [${events.join(', ') || 'none'}])`);
  }
  if (problems.length > 0) return { survived: false, reason: `${summary}: ${problems.join('; ')}` };
  if (!record) {
    return { survived: true, reason: events.length === 0 ? 'stopped before it claimed the release: nothing to recover, the endpoint unchanged, nothing sent' : `${result.outcome} before it claimed anything: the endpoint unchanged, "${events.join(', ')}" sent` };
  }
  const serves = serving === 'none' ? 'no model (no endpoint)' : `the ${serving} model`;
  return { survived: true, reason: `${result.outcome}: the endpoint serves ${serves}, the ledger says so, nothing locked, "${events.join(', ')}" sent` };
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

/** One case to run: what it is, how it is judged, and what the run gets. */
interface PlannedCase {
  family: CaseFamily;
  row: string;
  column: string;
  service: string;
  operation: string;
  kind: FaultCase['kind'];
  persistence: FaultPersistence;
  judged: Judgement;
  /** The AWS operation whose calls are counted as the fault's hits (none for stops and Lambda timeouts). */
  faulted?: AwsOperation;
  scenario: Scenario;
  run: Pick<NonNullable<Parameters<typeof runScenario>[1]>, 'faults' | 'lambdaTimeouts'>;
}

/** Every case of a baseline, family by family. */
function planCases(scenario: Scenario, baseline: BaselineRun, options: FaultMatrixOptions, combinations: { kind: FaultKind; persistence: FaultPersistence }[]): PlannedCase[] {
  const families = new Set(options.families ?? CASE_FAMILIES);
  const cases: PlannedCase[] = [];
  if (families.has('aws-fault')) {
    for (const op of pickOperations(baseline.operations, options)) {
      for (const { kind, persistence } of combinations) {
        cases.push({
          family: 'aws-fault',
          row: opName(op),
          column: `${kind} ${persistence}`,
          ...op,
          kind,
          persistence,
          judged: persistence === 'once' ? 'transient' : 'persistent',
          faulted: op,
          scenario,
          run: { faults: [{ ...op, kind, times: persistence === 'once' ? 1 : 'always' }] },
        });
      }
    }
  }
  if (families.has('lost-response')) {
    for (const op of baseline.mutatingRequests) {
      if (options.operations && !options.operations.includes(opName(op))) continue;
      for (let n = 0; n < op.requests; n++) {
        cases.push({
          family: 'lost-response',
          row: opName(op),
          column: `lost #${n + 1}`,
          service: op.service,
          operation: op.operation,
          kind: 'lost-response',
          persistence: 'once',
          judged: 'transient',
          faulted: op,
          scenario,
          run: { faults: [{ service: op.service, operation: op.operation, kind: 'lost-response', times: 1, skip: n }] },
        });
      }
    }
  }
  if (families.has('stop-execution')) {
    for (const phase of baseline.phases) {
      for (const afterSeconds of STOP_MOMENTS[phase]) {
        cases.push({
          family: 'stop-execution',
          row: `stop in ${phase}`,
          column: `+${afterSeconds} s`,
          service: 'states',
          operation: `StopExecution in ${phase}`,
          kind: 'stop-execution',
          persistence: 'once',
          judged: 'persistent',
          scenario: { ...scenario, interventions: [...scenario.interventions, { during: phase, afterSeconds, do: 'stop-execution', statusEvent: 'sent' }] },
          run: {},
        });
      }
    }
  }
  if (families.has('lambda-timeout')) {
    for (const state of baseline.taskStates) {
      cases.push({
        family: 'lambda-timeout',
        row: `${state} Lambda`,
        column: '#1 times out',
        service: 'lambda',
        operation: state,
        kind: 'lambda-timeout',
        persistence: 'once',
        judged: 'transient',
        scenario,
        run: { lambdaTimeouts: [{ state, occurrence: 0 }] },
      });
    }
  }
  return cases;
}

export async function runFaultMatrix(options: FaultMatrixOptions = {}): Promise<FaultMatrixResult> {
  const started = performance.now();
  const requestTimeoutMs = options.requestTimeoutMs ?? 1000;
  const caseTimeoutMs = options.caseTimeoutMs ?? 120_000;
  const combinations =
    options.combinations ?? (options.kinds ?? [...FAULT_KINDS]).flatMap((kind) => (options.persistence ?? [...FAULT_PERSISTENCE]).map((persistence) => ({ kind, persistence })));
  // Task states whose handler is a Lambda (the local Wait stand-ins are not).
  const release = loadPackagedStateMachines().release;
  const releaseTasks = new Set(allStates(release.definition).filter(([name, state]) => state.Type === 'Task' && release.functionsByState[name] !== undefined).map(([name]) => name));
  const moto = options.moto ?? (await startMoto());
  const baselines: BaselineRun[] = [];
  const cases: FaultCase[] = [];
  try {
    for (const name of options.scenarios ?? BASELINE_SCENARIOS) {
      const scenario = findScenario(name);
      const common = { moto, loadModule: options.loadModule, requestTimeoutMs };
      const base = await boundedRun(scenario, common, caseTimeoutMs);
      // Requests the simulator could not name cannot be targeted by a fault.
      const calls = base.awsCalls.flatMap((call) => (call.service === 'unknown' ? [] : [{ ...call, service: call.service }]));
      const firstStates = base.executions[0]?.states ?? [];
      const baseline: BaselineRun = {
        scenario: name,
        outcome: base.outcome,
        events: distinctEvents(base).events,
        serving: servingOf(base),
        ledgerServing: releaseRecord(base)?.servingModel ?? null,
        operations: calls.map(({ service, operation }) => ({ service, operation })),
        mutatingRequests: calls.filter((c) => MUTATING_OPERATION.test(c.operation)).map(({ service, operation, requests }) => ({ service, operation, requests })),
        taskStates: [...new Set(firstStates.filter((state) => releaseTasks.has(state)))],
        phases: [...new Set(firstStates.map((state) => phaseOf(state)).filter((p): p is Phase => p !== null))],
        wallSeconds: base.wallSeconds,
      };
      baselines.push(baseline);
      options.onBaseline?.(baseline);
      const before: Serving = scenario.live ? 'previous' : 'none';
      for (const planned of planCases(scenario, baseline, options, combinations)) {
        const { family, row, column, service, operation, kind, persistence, judged } = planned;
        if (options.only && !options.only({ scenario: name, family, operation: row, column, kind, persistence })) continue;
        const identity = { family, scenario: name, row, column, service, operation, kind, persistence, judged };
        const caseStart = performance.now();
        let c: FaultCase;
        try {
          const result = await boundedRun(planned.scenario, { ...common, ...planned.run }, caseTimeoutMs);
          const verdict = judgeCase({ judged }, baseline, result, before);
          const record = releaseRecord(result);
          const faulted = planned.faulted;
          const hits = faulted
            ? (result.awsCalls.find((a) => a.service === faulted.service && a.operation === faulted.operation)?.faulted ?? 0)
            : family === 'stop-execution'
              ? (result.executions[0]?.outcome === 'ABORTED' ? 1 : 0)
              : result.timeline.filter((t) => t.title === 'Lambda timeout').length;
          const { events, copies } = distinctEvents(result);
          c = {
            ...identity,
            ...verdict,
            ...(hits === 0 ? { reason: `${verdict.reason} (the fault never fired)` } : {}),
            faultHits: hits,
            outcome: result.outcome,
            baselineOutcome: baseline.outcome,
            error: result.error,
            events,
            eventCopies: copies,
            serving: servingOf(result),
            ledgerServing: record?.servingModel ?? null,
            ledgerStatus: record?.status ?? null,
            wallSeconds: result.wallSeconds,
            calls: result.awsCalls,
          };
        } catch (error) {
          c = {
            ...identity,
            survived: false,
            reason: `the run threw: ${error instanceof Error ? error.message : String(error)}`,
            faultHits: 0,
            outcome: 'NONE',
            baselineOutcome: baseline.outcome,
            error: null,
            events: [],
            eventCopies: 0,
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
  } finally {
    if (!options.moto) await moto.stop();
  }
  return { baselines, cases, total: cases.length, survived: cases.filter((c) => c.survived).length, wallSeconds: Math.round((performance.now() - started) / 100) / 10 };
}

/** One family's table: one row per thing faulted, one column per fault (✓ survived in every scenario). */
function familyTable(cases: FaultCase[]): string[] {
  // Columns in their natural order: +0 s before +30 s, lost #2 before lost #10.
  const columns = [...new Set(cases.map((c) => c.column))].sort((a, b) => {
    const n = (col: string) => Number(/\d+/.exec(col)?.[0] ?? NaN);
    return Number.isNaN(n(a)) || Number.isNaN(n(b)) || a.replace(/\d+/, '') !== b.replace(/\d+/, '') ? 0 : n(a) - n(b);
  });
  const rows = [...new Set(cases.map((c) => c.row))];
  const width = Math.max(20, ...rows.map((r) => r.length));
  const cell = Math.max(10, ...columns.map((col) => col.length + 2));
  const lines = [`${''.padEnd(width)}  ${columns.map((col) => col.padEnd(cell)).join('')}`.trimEnd()];
  for (const row of rows) {
    const cells = columns.map((col) => {
      const tried = cases.filter((c) => c.row === row && c.column === col);
      if (tried.length === 0) return ''.padEnd(cell);
      const failed = tried.filter((c) => !c.survived).length;
      return (failed === 0 ? '✓' : tried.length > 1 ? `✗ ${failed}/${tried.length}` : '✗').padEnd(cell);
    });
    lines.push(`${row.padEnd(width)}  ${cells.join('')}`.trimEnd());
  }
  return lines;
}

const FAMILY_TITLES: Record<CaseFamily, string> = {
  'aws-fault': 'AWS faults (throttle, 5xx, timeout; once or always)',
  'lost-response': 'lost answers (the n-th request of a mutating call carried out, its answer never arrives)',
  'stop-execution': 'StopExecution in each phase (seconds after the phase began)',
  'lambda-timeout': 'Lambda timeouts after the work (Sandbox.Timedout on the first invocation)',
};

/** The matrix as tables, one per family of cases, then totals and what did not survive. */
export function formatFaultMatrix(result: FaultMatrixResult): string {
  const lines: string[] = [];
  for (const family of CASE_FAMILIES) {
    const cases = result.cases.filter((c) => c.family === family);
    if (cases.length === 0) continue;
    const survived = cases.filter((c) => c.survived).length;
    lines.push(`${FAMILY_TITLES[family]}: ${cases.length} cases, ${survived} survived`, ...familyTable(cases), '');
  }
  const copies = result.cases.filter((c) => c.eventCopies > 0);
  lines.push(`${result.total} cases, ${result.survived} survived (${result.baselines.map((b) => b.scenario).join(', ')}; ${result.wallSeconds} s)`);
  if (copies.length > 0) lines.push(`${copies.length} case(s) sent an event twice after its answer was lost, both with the same detail.eventId: ${copies.map((c) => `${c.scenario} ${c.row} ${c.column}`).join('; ')}`);
  const failed = result.cases.filter((c) => !c.survived);
  if (failed.length > 0) {
    lines.push('', 'not survived:');
    for (const c of failed) lines.push(`  ${c.scenario}  ${c.row}  ${c.column}: ${c.reason}`);
  }
  const idle = result.cases.filter((c) => c.faultHits === 0);
  if (idle.length > 0) lines.push('', `${idle.length} case(s) where the fault never fired: ${idle.map((c) => `${c.scenario} ${c.row} ${c.column}`).join('; ')}`);
  return lines.join('\n');
}

export function printFaultMatrix(result: FaultMatrixResult, write: (line: string) => void = (line) => console.log(line)): void {
  write(formatFaultMatrix(result));
}
