/**
 * One scenario end to end on this machine (npm run simulate): the local account seeded as the scenario
 * says, the run started as it says (an approval through the packaged rule, the packaged schedule, or an
 * operator's input), and the account read back afterwards to judge the outcome.
 */
import { performance } from 'node:perf_hooks';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, DescribeModelPackageCommand, ListEndpointConfigsCommand, ListEndpointsCommand, ListModelsCommand, UpdateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LEDGER_TABLE, setUpLocalAccount, type LocalAccount } from './account';
import { InterventionPlan } from './interventions';
import type { MotoServer } from './moto';
import { machineForInput, type PackagedStateMachine } from './packaged-template';
import { EXECUTION_TIMED_OUT, type ExecutionReport } from './run-state-machine';
import type { AlarmStateChange, FaultSpec, MetricSeries, RequestLogEntry } from './sagemaker-simulator';
import type { Scenario } from './scenario';
import { seedScenario } from './seeding';
import { summarizeState, type TimelineEntry } from './timeline';

export type { TimelineEntry };

export interface ExecutionSummary {
  index: number;
  status: 'SUCCEEDED' | 'FAILED';
  outcome: string | null;
  error: string | null;
  cause: string | null;
  states: string[];
  stateTransitions: number;
}

export interface EndpointSummary {
  name: string;
  status: string;
  configName: string | null;
  variants: { name: string; model: string | null; modelPackageArn: string | null; weight: number }[];
}

export interface SimulationResult {
  scenario: string;
  description: string;
  outcome: string;
  expectedOutcome: string;
  passed: boolean;
  failures: string[];
  executionStatus: 'SUCCEEDED' | 'FAILED' | 'NONE';
  error: string | null;
  cause: string | null;
  states: string[];
  stateTransitions: number;
  /**
   * The largest execution state any state of any execution entered or left with, in bytes of JSON (Step
   * Functions refuses one over 256 KB: the run fails States.DataLimitExceeded).
   */
  largestStateBytes: number;
  endpoint: EndpointSummary | null;
  /** Detail types of the outcome events on the bus, every copy included. */
  events: string[];
  /** Each event's `detail.eventId`, in the same order (a copy sent again after a lost answer repeats its id). */
  eventIds: (string | null)[];
  decision: unknown;
  executions: ExecutionSummary[];
  simulatedSeconds: number;
  /** Simulated seconds from the first execution's start to the end: the pipeline's time, seeding left out. */
  pipelineSeconds: number;
  /**
   * The physical floor of the pipeline's time in simulated seconds: the time during which an endpoint or job
   * was changing in the simulator (its lifecycle durations) or the pipeline was baking, however they overlap.
   * `pipelineSeconds - physicalSeconds` is what polling and bookkeeping added.
   */
  physicalSeconds: number;
  wallSeconds: number;
  timeline: TimelineEntry[];
  metrics: MetricSeries[];
  /** The chart data: one row per virtual minute and variant of the released endpoint (`--json` prints these). */
  metricRows: MetricRow[];
  alarmHistory: AlarmStateChange[];
  thresholds: { errorRatePercent: number | null; latencyP99Ms: number | null };
  candidateArn: string;
  /** Virtual epoch ms when the scenario started (timeline `at` counts from here). */
  startEpochMs: number;
  /**
   * The AWS operations the run's handlers called, in first-call order, with how many requests each got and
   * how many of those were answered by an injected fault (the runner's own seeding and read-back are not counted).
   */
  awsCalls: AwsCallCount[];
  /** The ledger's release records (sk RELEASE#...) as the run left them, oldest first. */
  ledger: LedgerRecord[];
  /** What the run left locked (all empty once every release has its outcome). */
  locks: LedgerLocks;
}

/** The Wait states a release bakes in (the rest of its waits are polls). */
const BAKE_STATES = new Set(['BakeCanary', 'ServerlessBake']);

/** [start, end) of every bake wait of an execution, in virtual ms. */
function bakeIntervals(report: ExecutionReport): [number, number][] {
  const intervals: [number, number][] = [];
  report.states.forEach((visit, i) => {
    const next = report.states[i + 1];
    if (visit.type === 'Wait' && BAKE_STATES.has(visit.name) && next !== undefined) intervals.push([visit.enteredAt, next.enteredAt]);
  });
  return intervals;
}

/** Seconds covered by the union of the intervals, within [from, to). */
export function physicalSeconds(intervals: readonly [number, number][], from: number, to: number): number {
  const clipped = intervals.map(([a, b]): [number, number] => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return Math.round(covered / 1000);
}

/** One minute of one variant, as `--json` reports it for charts. */
export interface MetricRow {
  /** Whole minutes since the scenario started. */
  minute: number;
  variant: string;
  /** The package the variant serves (null when its model was not built from a package). */
  modelPackageArn: string | null;
  invocations: number;
  errors5xx: number;
  /** p99 ModelLatency in ms (null in a minute without invocations). */
  p99Ms: number | null;
}

/** The rows of the released endpoint's series, in minute then variant order. */
export function metricRows(series: readonly MetricSeries[], endpointName: string, startEpochMs: number, packageOfVariant: ReadonlyMap<string, string>): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const s of series) {
    if (s.endpointName !== endpointName) continue;
    for (const p of s.points) {
      rows.push({
        minute: Math.floor((p.timestamp - startEpochMs) / 60_000),
        variant: s.variantName,
        modelPackageArn: packageOfVariant.get(s.variantName) ?? null,
        invocations: p.invocations,
        errors5xx: p.errors5xx,
        p99Ms: p.invocations > 0 && p.latencyP99Us !== undefined ? Math.round(p.latencyP99Us / 100) / 10 : null,
      });
    }
  }
  return rows.sort((a, b) => a.minute - b.minute || a.variant.localeCompare(b.variant));
}

/** Variant name -> the model package its model was built from, over every endpoint config in the account. */
async function packagesOfVariants(sageMaker: SageMakerClient): Promise<Map<string, string>> {
  const byVariant = new Map<string, string>();
  const packageOfModel = new Map<string, string | null>();
  const configs = (await sageMaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 }))).EndpointConfigs ?? [];
  for (const c of configs) {
    const config = await sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: c.EndpointConfigName }));
    for (const v of config.ProductionVariants ?? []) {
      const modelName = v.ModelName ?? '';
      if (!packageOfModel.has(modelName)) {
        const model = await sageMaker.send(new DescribeModelCommand({ ModelName: modelName })).catch(() => null);
        const containers = model?.Containers ?? (model?.PrimaryContainer ? [model.PrimaryContainer] : []);
        packageOfModel.set(modelName, containers.find((x) => x.ModelPackageName)?.ModelPackageName ?? null);
      }
      const arn = packageOfModel.get(modelName);
      if (v.VariantName && arn) byVariant.set(v.VariantName, arn);
    }
  }
  return byVariant;
}

export interface AwsCallCount {
  service: RequestLogEntry['service'];
  operation: string;
  requests: number;
  faulted: number;
}

/** The pipeline's calls (its handlers'), per operation; the simulation's own requests are not counted. */
function countCalls(log: RequestLogEntry[]): AwsCallCount[] {
  const counts = new Map<string, AwsCallCount>();
  for (const { service, operation, fault, principal } of log) {
    if (principal === undefined) continue;
    const key = `${service}.${operation}`;
    const count = counts.get(key) ?? { service, operation, requests: 0, faulted: 0 };
    count.requests += 1;
    if (fault) count.faulted += 1;
    counts.set(key, count);
  }
  return [...counts.values()];
}

/** A release record in the ledger table (functions/shared/domain/ledger.ts, ReleaseRecord). */
export interface LedgerRecord {
  releaseId: string;
  modelPackageArn: string;
  target: string;
  status: string;
  /** What the endpoint served when the run ended: new, previous, none or mixed; null when no deployment began. */
  servingModel?: string | null;
  reason?: string | null;
  [attribute: string]: unknown;
}

export interface SimulationOptions {
  /** Reuse a running moto (reset first) instead of starting one. */
  moto?: MotoServer;
  /** Live timeline lines as they happen. */
  onTimeline?: (entry: TimelineEntry) => void;
  /** Show the handlers' own logs. */
  verbose?: boolean;
  /**
   * Loads a bundled handler as a fresh module. Each scenario needs fresh bundles, since a bundle caches
   * SDK clients pointed at the previous scenario's simulator. Under jest, pass one built on
   * jest.isolateModules (jest keeps its own module registry).
   */
  loadModule?: (file: string) => unknown;
  /** Faults to inject into local AWS once the account is seeded, just before the run starts. */
  faults?: FaultSpec[];
  /**
   * Lambda timeouts after the work, in the first execution: the `occurrence`-th invocation (0-based, default 0)
   * of the Task state `state` makes its calls, then its Lambda times out (Sandbox.Timedout) and the answer is lost.
   */
  lambdaTimeouts?: { state: string; occurrence?: number }[];
  /** Handlers' SDK request timeout (AWS_REQUEST_TIMEOUT_MS); short in fault tests so a hung call fails fast. */
  requestTimeoutMs?: number;
  /** Aborts the executions still running (they end FAILED with `ExecutionAborted`); the result is still read. */
  signal?: AbortSignal;
}


/**
 * Where every scenario's virtual clock starts (a Monday, 09:00 UTC): with the discrete clock, the same
 * scenario and seed give the same run, timestamps included, on any machine and any day.
 */
export const SCENARIO_START_MS = Date.UTC(2026, 2, 2, 9, 0, 0);

/** The packaged sweep schedule's period (stage param sweepSchedule, rate(10 minutes)). */
const SWEEP_PERIOD_SECONDS = 600;

export async function runScenario(scenario: Scenario, options: SimulationOptions = {}): Promise<SimulationResult> {
  const wallStart = performance.now();
  const account = await setUpLocalAccount({ startMs: SCENARIO_START_MS, moto: options.moto, seed: scenario.seed, duplicateEvents: scenario.duplicateEvents });
  const { machines, sim, sageMaker, dynamo, outcomeQueue, virtualStart, since } = account;
  const timeline: TimelineEntry[] = [];
  const note = (entry: Omit<TimelineEntry, 'at'>) => {
    const full = { at: since(), ...entry };
    timeline.push(full);
    options.onTimeline?.(full);
  };

  try {
    const { candidateArn, endpointName, liveArn } = await seedScenario(account, scenario, note);
    const machineFor = (input: unknown): PackagedStateMachine => machineForInput(machines, input);

    const approvalQueue = await account.createApprovalQueue();
    const recoveryQueue = await account.createRecoveryQueue();
    const accountBefore = await accountSnapshot(sageMaker);
    const endpointBefore = await endpointSummary(sageMaker, endpointName);

    if (scenario.traffic.requestsPerMinute > 0) {
      sim.startTraffic({ endpointName, requestsPerMinute: scenario.traffic.requestsPerMinute, body: scenario.traffic.body, contentType: scenario.traffic.contentType });
      note({ kind: 'traffic', execution: 0, title: 'traffic', detail: `${scenario.traffic.requestsPerMinute} requests/minute to ${endpointName}` });
    }

    // What starts the state machine: the approval event(s) as EventBridge delivered them, the packaged
    // schedule's input, or an operator's input.
    const inputsFor = async (trigger: NonNullable<Scenario['then']>): Promise<unknown[]> => {
      if (typeof trigger === 'object' && 'replayApprovalOf' in trigger) {
        // EventBridge delivers at least once: the live version's approval, again, long after its release.
        if (liveArn === null) throw new Error('then.replayApprovalOf "live": the scenario has no live model');
        await replayApprovalEvent(account, liveArn);
        const events = (await account.drainQueue(approvalQueue)).map((b) => JSON.parse(b) as unknown);
        note({ kind: 'note', execution: 0, title: 'event replayed', detail: `the approval event of ${liveArn} delivered again: ${events.length} event(s) matched the packaged rule` });
        return events;
      }
      if (trigger === 'approval') {
        await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: candidateArn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'approved by the simulation' }));
        const events = (await account.drainQueue(approvalQueue)).map((b) => JSON.parse(b) as unknown);
        note({ kind: 'note', execution: 0, title: 'approved', detail: `${candidateArn}: ${events.length} event(s) matched the packaged rule` });
        return events;
      }
      if (trigger === 'sweep') {
        // The packaged sweep schedule fires next a period after the run ended (past the sweep's grace).
        await account.waitVirtual(SWEEP_PERIOD_SECONDS);
        const input = machines.release.scheduleInputs[0] ?? { action: 'sweep' };
        note({ kind: 'note', execution: 0, title: 'schedule', detail: `the sweep schedule starts ${machines.release.name} with ${JSON.stringify(input)}` });
        return [input];
      }
      if (trigger === 'schedule') {
        note({ kind: 'note', execution: 0, title: 'schedule', detail: `the nightly schedule starts ${machines.batchScoring.name} with ${JSON.stringify(machines.batchScoring.scheduleInputs[0] ?? null)}` });
        return machines.batchScoring.scheduleInputs.slice(0, 1);
      }
      const input = JSON.parse(JSON.stringify(trigger.manual).replaceAll('$CANDIDATE_ARN', candidateArn)) as unknown;
      note({ kind: 'note', execution: 0, title: 'manual run', detail: JSON.stringify(input) });
      return [input];
    };

    // StartExecution through the local account (the sweep's recoveries) starts a run like any other.
    sim.executions.onStart((stateMachineArn, name, input) => {
      note({ kind: 'note', execution: 0, title: 'StartExecution', detail: `${name}: ${JSON.stringify(input)}` });
      laterRuns.push(account.detached(() => runAll([input], name)));
      return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    });
    // A scenario's batch jobs stand in for the stage param batchJobs.
    account.installHandlers({ verbose: options.verbose, loadModule: options.loadModule, requestTimeoutMs: options.requestTimeoutMs, env: scenario.batchJobs ? { BATCH_JOBS: JSON.stringify(scenario.batchJobs) } : {} });
    let alarmsSeen = 0;
    const flushAlarms = () => {
      const history = sim.alarmHistory();
      for (const change of history.slice(alarmsSeen)) {
        note({ kind: 'alarm', execution: 0, title: change.alarmName, detail: `${change.oldState ?? 'new'} -> ${change.newState}: ${change.reason}` });
      }
      alarmsSeen = history.length;
    };
    // A request the service model refuses, or IAM denies, shows in the timeline where it happened.
    let requestsSeen = 0;
    const flushRejections = (execution: number) => {
      const log = sim.requestLog();
      for (const entry of log.slice(requestsSeen)) {
        if (entry.rejected !== undefined) note({ kind: 'note', execution, title: 'refused by AWS', detail: `${entry.service}.${entry.operation}: ${entry.rejected}` });
        if (entry.denied !== undefined) note({ kind: 'note', execution, title: 'denied by IAM', detail: `${entry.service}.${entry.operation}: ${entry.denied}` });
      }
      requestsSeen = log.length;
    };
    let executionCount = 0;
    const reportsByIndex = new Map<number, ExecutionReport>();
    // The first execution can be stopped by an intervention (StopExecution), as well as by the caller.
    const stopFirst = new AbortController();
    options.signal?.addEventListener('abort', () => stopFirst.abort(options.signal?.reason), { once: true });
    const laterRuns: Promise<unknown>[] = [];
    const liveVariants = new Set(endpointBefore?.variants.map((v) => v.name) ?? []);
    const interventions = new InterventionPlan(scenario.interventions, {
      account,
      scenario,
      group: scenario.group,
      candidateArn,
      endpointName,
      liveVariants,
      liveConfigName: `${endpointName}-live`,
      stopFirstExecution: (reason: string) => stopFirst.abort(new Error(reason)),
      loseFirstExecutionEndEvent: () => sim.executions.loseEndEvent(`${machines.release.arn.replace(':stateMachine:', ':execution:')}:sim-1`),
      startExecution: (input: unknown) => {
        note({ kind: 'note', execution: 0, title: 'manual run', detail: JSON.stringify(input) });
        laterRuns.push(account.detached(() => runAll([input])));
      },
      deliverApprovalEvents: async () => {
        const events = (await account.drainQueue(approvalQueue)).map((b) => JSON.parse(b) as unknown);
        note({ kind: 'note', execution: 0, title: 'registry event', detail: `${events.length} event(s) matched the packaged rule` });
        laterRuns.push(account.detached(() => runAll(events)));
      },
      note,
    });
    const invocationsOf = new Map<string, number>();
    const timesOutAfterWork = (stateName: string): boolean => {
      const n = invocationsOf.get(stateName) ?? 0;
      invocationsOf.set(stateName, n + 1);
      const timedOut = (options.lambdaTimeouts ?? []).some((t) => t.state === stateName && (t.occurrence ?? 0) === n);
      if (timedOut) note({ kind: 'note', execution: 1, title: 'Lambda timeout', detail: `${stateName}'s Lambda made its calls, then timed out (Sandbox.Timedout): its answer is lost` });
      return timedOut;
    };
    const runAll = (inputs: unknown[], name?: string): Promise<ExecutionReport[]> =>
      Promise.all(
        inputs.map(async (input) => {
          const index = ++executionCount;
          const machine = machineFor(input);
          const report = await account.execute(input, index, {
            ...(name !== undefined ? { name } : {}),
            signal: index === 1 ? stopFirst.signal : options.signal,
            onStateExited: (visit) => {
              flushAlarms();
              flushRejections(index);
              if (['Choice', 'Wait', 'Succeed', 'Fail', 'Map'].includes(visit.type)) return;
              const title = visit.iteration !== undefined ? `[${visit.iteration}] ${visit.name}` : visit.name;
              note({ kind: 'state', execution: index, title, detail: summarizeState(machine, visit) });
            },
            beforeWork: (stateName) => interventions.onEnter(index, stateName),
            ...(index === 1 && options.lambdaTimeouts ? { timesOutAfterWork } : {}),
            ...(index === 1 && scenario.executionTimeoutSeconds !== undefined ? { timeoutSeconds: scenario.executionTimeoutSeconds } : {}),
            onStateEntered: (visit) => {
              if (visit.type === 'Fail' || visit.type === 'Succeed') note({ kind: 'state', execution: index, title: visit.name, detail: visit.type === 'Succeed' ? 'execution succeeded' : 'execution failed' });
            },
          });
          reportsByIndex.set(index, report);
          if (index === 1) interventions.firstExecutionEnded();
          // Its end went to the bus; the packaged recovery rule may start a recovery run for it.
          const ended = await account.exclusive(() => account.drainQueue(recoveryQueue));
          if (ended.length > 0) {
            note({ kind: 'note', execution: index, title: 'recovery rule', detail: `the end of execution ${index} (${report.error === 'ExecutionAborted' ? 'ABORTED' : report.status}) matched the packaged recovery rule: a recovery run starts` });
            laterRuns.push(account.detached(() => runAll(ended.map((b) => JSON.parse(b) as unknown))));
          }
          if (report.error === 'ExecutionAborted') note({ kind: 'state', execution: index, title: 'aborted', detail: report.cause ?? 'execution aborted' });
          return report;
        }),
      );
    // The runner's own steps take turns like everything else, so nothing runs beside them.
    const firstInputs = await account.exclusive(() => inputsFor(scenario.trigger));
    // From here on every request is the pipeline's (but a follow-up approval's): record them, fault them.
    sim.resetRequestLog();
    requestsSeen = 0;
    // A scenario's faults hit the pipeline's calls, never the simulation's own (queue reads, interventions).
    for (const fault of options.faults ?? []) sim.injectFault({ from: 'pipeline', ...fault });
    await runAll(firstInputs);
    // Executions the interventions started (a rejection's, a newer version's), until none is left.
    for (let seen = ''; seen !== `${interventions.started()}/${laterRuns.length}`; ) {
      seen = `${interventions.started()}/${laterRuns.length}`;
      await interventions.settle();
      await Promise.all(laterRuns);
    }
    const then = scenario.then;
    if (then) {
      // Waiting for the sweep's period is time passing, not a turn: it is not held while it waits.
      const inputs = then === 'sweep' ? await inputsFor(then) : await account.exclusive(() => inputsFor(then));
      await runAll(inputs);
      // Executions it started (a sweep's recoveries) and theirs.
      for (let seen = -1; seen !== laterRuns.length; ) {
        seen = laterRuns.length;
        await Promise.all(laterRuns);
      }
    }
    const reports = [...reportsByIndex.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
    flushRejections(executionCount);
    const awsCalls = countCalls(sim.requestLog());
    // The runner reads the account back unfaulted.
    sim.clearFaults();
    account.uninstallClock();
    flushAlarms();
    sim.stopTraffic();

    const accountAfter = await accountSnapshot(sageMaker);
    const endpoint = await endpointSummary(sageMaker, endpointName);
    const busEvents = (await account.drainQueue(outcomeQueue)).map((b) => JSON.parse(b) as { 'detail-type': string; detail?: { eventId?: string } });
    const events_ = busEvents.map((e) => e['detail-type']);
    const eventIds = busEvents.map((e) => e.detail?.eventId ?? null);
    const ledger = await ledgerRecords(dynamo);
    const locks = await ledgerLocks(dynamo);
    const executions = reports.map((r, i) => executionSummary(r, i + 1));
    // The run a scenario is judged by: the follow-up if there is one, else the one that was not a duplicate;
    // a run that was stopped is judged by the recovery that made its endpoint whole. Recovery runs that found
    // their release finished (every rolled-back release's FAILED end starts one) are not judged.
    const judged = executions.filter((e) => e.outcome !== 'NOTHING_TO_RECOVER');
    const first = scenario.then ? judged[judged.length - 1] : (judged.find((e) => e.outcome !== 'SKIPPED') ?? judged[0]);
    // The run that took a stopped release over: a recovery, or an operator's abort (which stopped it).
    const takeover = judged.find((e) => e !== first && e.states.includes('PrepareRecovery') && (e.outcome === 'RECOVERED' || e.outcome === 'ABORTED'));
    const main = (first?.outcome === 'ABORTED' || first?.outcome === 'TIMED_OUT') && takeover ? takeover : first;
    const skipped = executions.filter((e) => e.outcome === 'SKIPPED').length;
    const outcome = main?.outcome ?? 'NONE';
    const failures: string[] = [];
    if (outcome !== scenario.expect.outcome) failures.push(`outcome ${outcome}, expected ${scenario.expect.outcome}`);
    if (skipped !== scenario.expect.skipped) failures.push(`${skipped} duplicate execution(s) skipped, expected ${scenario.expect.skipped}`);
    if (scenario.expect.error !== undefined && main?.error !== scenario.expect.error) failures.push(`error ${main?.error ?? 'none'}, expected ${scenario.expect.error}`);
    failures.push(...interventions.unapplied());
    if (scenario.expect.endpoint !== undefined) {
      const serves = wholeServing(endpoint, endpointBefore, { live: liveArn, candidate: candidateArn });
      if (serves !== scenario.expect.endpoint) failures.push(`the endpoint ${serves === null ? 'does not wholly serve one model' : serves === 'unchanged' ? 'is unchanged' : `wholly serves the ${serves} model`}, expected ${scenario.expect.endpoint}: ${JSON.stringify(endpoint?.variants ?? null)}`);
    }
    if (scenario.expect.accountUnchanged && JSON.stringify(accountBefore) !== JSON.stringify(accountAfter)) {
      failures.push(`the account changed: before ${JSON.stringify(accountBefore)}, after ${JSON.stringify(accountAfter)}`);
    }
    const mainReport = main ? reports[main.index - 1] : undefined;
    const plan = findPlan(mainReport);
    // Seeding (the live endpoint's creation, whole minutes of traffic) is not the pipeline's time.
    const virtualEnd = virtualStart + since() * 1000;
    const pipelineStart = Math.min(virtualEnd, ...reports.map((r) => r.states[0]?.enteredAt ?? virtualEnd));
    return {
      scenario: scenario.name,
      description: scenario.description,
      outcome,
      expectedOutcome: scenario.expect.outcome,
      passed: failures.length === 0,
      failures,
      executionStatus: main?.status ?? 'NONE',
      error: main?.error ?? null,
      cause: main?.cause ?? null,
      states: main?.states ?? [],
      stateTransitions: executions.reduce((n, e) => n + e.stateTransitions, 0),
      largestStateBytes: Math.max(0, ...reports.flatMap((r) => r.states.flatMap((v) => [v.input, v.output].map((state) => Buffer.byteLength(JSON.stringify(state ?? null)))))),
      endpoint,
      events: events_,
      eventIds,
      decision: plan?.decision ?? null,
      executions,
      simulatedSeconds: since(),
      pipelineSeconds: Math.round((virtualEnd - pipelineStart) / 1000),
      physicalSeconds: physicalSeconds([...sim.lifecycles(), ...reports.flatMap(bakeIntervals)], pipelineStart, virtualEnd),
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
      timeline,
      metrics: sim.metrics(),
      metricRows: metricRows(sim.metrics(), endpointName, virtualStart, new Map([...releasedVariants(reports), ...(await packagesOfVariants(sageMaker))])),
      alarmHistory: sim.alarmHistory(),
      thresholds: { errorRatePercent: plan?.settings?.slo?.errorRatePercent ?? null, latencyP99Ms: plan?.settings?.slo?.latencyP99Ms ?? null },
      candidateArn,
      startEpochMs: virtualStart,
      awsCalls,
      ledger,
      locks,
    };
  } finally {
    await account.close();
  }
}

/** What a run left locked in the ledger: leases held, queue tickets, package claims still IN_PROGRESS, release records IN_PROGRESS. */
export interface LedgerLocks {
  leases: string[];
  tickets: string[];
  claimsInProgress: string[];
  releasesInProgress: string[];
}

export async function ledgerLocks(dynamo: DynamoDBClient): Promise<LedgerLocks> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const locks: LedgerLocks = { leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: LEDGER_TABLE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const key = `${String(item.pk)} ${String(item.sk)}`;
      if (item.sk === 'LEASE') locks.leases.push(key);
      else if (String(item.sk).startsWith('QUEUE#')) locks.tickets.push(key);
      else if (item.sk === 'CLAIM' && item.status === 'IN_PROGRESS') locks.claimsInProgress.push(key);
      else if (String(item.sk).startsWith('RELEASE#') && item.status === 'IN_PROGRESS') locks.releasesInProgress.push(key);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return locks;
}

export async function ledgerRecords(dynamo: DynamoDBClient): Promise<LedgerRecord[]> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const records: LedgerRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: LEDGER_TABLE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) if (String(item.sk).startsWith('RELEASE#')) records.push(item as LedgerRecord);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

interface PlanLike {
  decision?: unknown;
  settings?: { slo?: { errorRatePercent?: number; latencyP99Ms?: number } };
}

/**
 * The variant each run's release created, with its package: read from the runs rather than the account,
 * because CleanUp deletes a rolled-back candidate's model and configs by the time a run is reported.
 */
function releasedVariants(reports: readonly ExecutionReport[]): Map<string, string> {
  const byVariant = new Map<string, string>();
  for (const report of reports) {
    const planned = report.states.find((s) => s.name === 'PlanRelease' && s.output)?.output as { plan?: { names?: { variant?: string } }; package?: { arn?: string } } | undefined;
    const variant = planned?.plan?.names?.variant;
    const arn = planned?.package?.arn;
    if (variant !== undefined && arn !== undefined) byVariant.set(variant, arn);
  }
  return byVariant;
}

function findPlan(report: ExecutionReport | undefined): PlanLike | undefined {
  const visit = report?.states.find((s) => s.name === 'PlanRelease' && s.output);
  return (visit?.output as { plan?: PlanLike } | undefined)?.plan;
}

/** The release states that record an outcome (RecordOutcome's, each with its own outcome). */
export const RECORD_STATE = /^Record(Promotion|Rollback|Failure|RollbackFailure|Duplicate|Registration|Drift)$/;

export function executionSummary(report: ExecutionReport, index: number): ExecutionSummary {
  const summary = report.states.find((s) => s.name === 'SummarizeBatchRun' && s.output);
  const recorded = [...report.states].reverse().find((s) => RECORD_STATE.test(s.name) && s.output);
  const outcome = summary
    ? ((summary.output as { batchSummary?: { failed?: number } }).batchSummary?.failed ?? 0) > 0
      ? 'SCORING_FAILED'
      : 'SCORED'
    : report.states.some((s) => s.name === 'DryRunDone')
      ? 'PREVIEWED'
      : report.states.some((s) => s.name === 'NothingToRecover' || s.name === 'LeftToSweep')
        ? 'NOTHING_TO_RECOVER'
      : ((recorded?.output as { outcome?: { outcome?: string } } | undefined)?.outcome?.outcome ??
        // A run refused before it recorded anything (a batch-scoring run with bad input) failed all the same.
        // StopExecution runs no Catch: a stopped run records nothing itself.
        (report.error === 'ExecutionAborted' ? 'ABORTED' : report.error === EXECUTION_TIMED_OUT ? 'TIMED_OUT' : report.status === 'FAILED' ? 'FAILED' : null));
  return { index, status: report.status, outcome, error: report.error, cause: report.cause, states: report.states.map((s) => s.name), stateTransitions: report.stateTransitions };
}

async function accountSnapshot(sageMaker: SageMakerClient): Promise<Record<string, string[]>> {
  const [models, configs, endpoints] = await Promise.all([
    sageMaker.send(new ListModelsCommand({ MaxResults: 100 })),
    sageMaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 })),
    sageMaker.send(new ListEndpointsCommand({ MaxResults: 100 })),
  ]);
  return {
    models: (models.Models ?? []).map((m) => m.ModelName ?? '').sort(),
    endpointConfigs: (configs.EndpointConfigs ?? []).map((c) => c.EndpointConfigName ?? '').sort(),
    endpoints: (endpoints.Endpoints ?? []).map((e) => `${e.EndpointName ?? ''}:${e.EndpointStatus ?? ''}`).sort(),
  };
}

export async function endpointSummary(sageMaker: SageMakerClient, name: string): Promise<EndpointSummary | null> {
  try {
    const endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    const config = endpoint.EndpointConfigName ? await sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })) : undefined;
    const models = new Map((config?.ProductionVariants ?? []).map((v) => [v.VariantName ?? '', v.ModelName ?? null]));
    const variants = [];
    for (const v of endpoint.ProductionVariants ?? []) {
      const model = models.get(v.VariantName ?? '') ?? null;
      const described = model ? await sageMaker.send(new DescribeModelCommand({ ModelName: model })) : undefined;
      const pkg = described?.PrimaryContainer?.ModelPackageName ?? described?.Containers?.[0]?.ModelPackageName ?? null;
      variants.push({ name: v.VariantName ?? '', model, modelPackageArn: pkg, weight: v.CurrentWeight ?? 0 });
    }
    return { name, status: endpoint.EndpointStatus ?? 'Unknown', configName: endpoint.EndpointConfigName ?? null, variants };
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationException') return null;
    throw error;
  }
}

/**
 * What the endpoint wholly serves, compared with the run's start: `unchanged` (the very config it had),
 * `live` or `candidate` (every variant with traffic serves that package), or null (split, or no endpoint).
 */
export function wholeServing(
  after: EndpointSummary | null,
  before: EndpointSummary | null,
  packages: { live: string | null; candidate: string },
): 'live' | 'candidate' | 'unchanged' | null {
  if (after === null) return null;
  if (before !== null && after.configName === before.configName && after.status === 'InService') return 'unchanged';
  const serving = new Set(after.variants.filter((v) => v.weight > 0).map((v) => v.modelPackageArn));
  if (serving.size !== 1) return null;
  const [only] = [...serving];
  if (only === packages.candidate) return 'candidate';
  if (only !== null && only === packages.live) return 'live';
  return null;
}

/** The package's "SageMaker Model Package State Change" event once more, as EventBridge may redeliver it. */
async function replayApprovalEvent(account: LocalAccount, packageArn: string): Promise<void> {
  const pkg = await account.sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
  const { $metadata: _metadata, ...detail } = pkg;
  await account.events.send(
    new PutEventsCommand({
      Entries: [{ Time: new Date(account.clock.now()), Source: 'aws.sagemaker', DetailType: 'SageMaker Model Package State Change', Detail: JSON.stringify(detail), Resources: [packageArn], EventBusName: 'default' }],
    }),
  );
}
