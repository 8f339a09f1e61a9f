/**
 * Load test: many approvals over many endpoints in one simulation. Every endpoint is seeded
 * with a live model; several candidate packages per endpoint are approved a few virtual seconds apart
 * (round robin over the endpoints), each approval event travels through the packaged rule and starts
 * its own execution, all running concurrently. Later approvals arrive while earlier releases to the
 * same endpoint are still deploying or baking, so they queue in the ledger.
 *
 * Everything is judged from what happened, not from log lines: the execution reports (virtual times
 * of the states), the ledger table scanned in moto, the outcome events on their queue, and the
 * endpoints as the simulator describes them afterwards.
 */
import { performance } from 'node:perf_hooks';
import { CreateModelPackageGroupCommand, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_PLATFORM_LIMITS } from '../functions/shared/domain/platform-limits';
import type { MotoServer } from './moto';
import type { ExecutionReport, StateVisit } from './run-state-machine';
import { LEDGER_TABLE, setUpLocalAccount } from './account';
import { endpointSummary, executionSummary, RECORD_STATE, type EndpointSummary } from './runner';
import { createModelPackage, putSmokePayloads, seedLiveEndpoint, smokePayloadsUri, waitInService } from './seeding';

export interface LoadTestOptions {
  /** Packages approved in all (default 100). */
  approvals?: number;
  /** Endpoints they are spread over, round robin (default 20). */
  endpoints?: number;
  /** Reuse a running moto (reset first). */
  moto?: MotoServer;
  /** Loads a bundled handler fresh (see SimulationOptions.loadModule). */
  loadModule?: (file: string) => unknown;
  /** Progress lines (approvals sent, executions finished). */
  onProgress?: (message: string) => void;
  /** Virtual seconds between two consecutive approvals (default 3; an endpoint's approvals are `endpoints` times this apart). */
  approvalSpacingSeconds?: number;
  /** Every `badEvery`-th approval is a candidate whose smoke test fails (expected ROLLED_BACK); 0: none (default 7). */
  badEvery?: number;
  /** Production-like requests per minute to each endpoint (default 60). */
  requestsPerMinute?: number;
}

export interface ReleaseTrace {
  /** 0-based position in the approval order. */
  approval: number;
  endpointName: string;
  modelPackageArn: string;
  healthy: boolean;
  expectedOutcome: 'PROMOTED' | 'ROLLED_BACK';
  /** 1-based execution index (sim-N), null if no event started one. */
  execution: number | null;
  status: 'SUCCEEDED' | 'FAILED' | 'NOT_STARTED';
  outcome: string | null;
  error: string | null;
  cause: string | null;
  /** The approval event's time, as NormalizeInput read it. */
  requestedAt: string | null;
  /** Virtual ms: when the ClaimRelease that returned `acquired` ended (the next state's entry). */
  claimAcquiredAt: number | null;
  /** Virtual ms: when the Record* state was entered (the lease is still held then) and when it ended. */
  recordEnteredAt: number | null;
  recordEndedAt: number | null;
  /** ClaimRelease calls that returned `queued`. */
  queuedPolls: number;
  /** Virtual seconds from the first ClaimRelease (joining the endpoint's queue) to the lease. */
  queuedSeconds: number | null;
  stateTransitions: number;
}

export interface LoadTestResult {
  approvals: number;
  endpoints: number;
  passed: boolean;
  failures: string[];
  /** Executions by outcome (PROMOTED, ROLLED_BACK, ...). */
  outcomes: Record<string, number>;
  releases: ReleaseTrace[];
  finalEndpoints: { endpointName: string; expectedModelPackageArn: string; summary: EndpointSummary | null }[];
  /** RELEASE# records in the ledger table, and queue tickets / leases left behind (should be 0). */
  ledgerRecords: number;
  leftoverTickets: number;
  leftoverLeases: number;
  outcomeEvents: number;
  stateTransitions: number;
  /** Longest time a release waited in its endpoint's queue (virtual seconds). */
  maxQueuedSeconds: number;
  wallSeconds: number;
  simulatedSeconds: number;
}

const HEALTHY_REPLY = '0.37';
const BAD_REPLY = '9.99';

interface ApprovalPlan {
  index: number;
  endpoint: number;
  endpointName: string;
  group: string;
  healthy: boolean;
  arn: string;
}

export async function runLoadTest(opts: LoadTestOptions = {}): Promise<LoadTestResult> {
  const approvals = opts.approvals ?? 100;
  const endpointCount = opts.endpoints ?? 20;
  const spacing = opts.approvalSpacingSeconds ?? 3;
  const badEvery = opts.badEvery ?? 7;
  const rpm = opts.requestsPerMinute ?? 60;
  const progress = opts.onProgress ?? (() => undefined);
  if (!(approvals >= 1) || !(endpointCount >= 1) || endpointCount > approvals) throw new RangeError('need 1 <= endpoints <= approvals');
  // Approvals to one endpoint are endpoints*spacing apart; event times have whole seconds, so keep them distinct.
  if (spacing * endpointCount < 1) throw new RangeError('approvals to one endpoint must be at least a second apart');

  const wallStart = performance.now();
  const account = await setUpLocalAccount({ moto: opts.moto, seed: 11 });
  const { clock, sim, sageMaker, dynamo } = account;
  try {
    // ---- the registry and the endpoints as earlier releases left them -----------------------------
    const pad = (n: number) => String(n).padStart(2, '0');
    const groups = Array.from({ length: endpointCount }, (_, e) => ({ group: `load-model-${pad(e)}`, endpointName: `load-ep-${pad(e)}` }));
    await Promise.all(
      groups.map(async ({ group, endpointName }) => {
        await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
        const liveArn = await createModelPackage(sageMaker, group, { 'endpoint.name': endpointName }, 1, true);
        sim.setBehaviour(liveArn, { latencyMs: { p50: 60, p99: 180 }, errorRate: 0.001, response: { contentType: 'text/csv', body: '0.41' } });
        await seedLiveEndpoint(account, { group, endpointName, liveArn, wait: false });
      }),
    );
    await waitInService(account, groups.map((g) => g.endpointName));
    progress(`${endpointCount} endpoints InService`);

    // Candidates, awaiting approval: short bakes so the run is quick, a smoke test that tells a bad one
    // (one JSON Lines file in S3 all of them name, as real packages would).
    const smokeUrl = smokePayloadsUri('load-test', 'candidates');
    await putSmokePayloads(account, smokeUrl, [{ contentType: 'text/csv', body: '5,3.1,0.4', expect: HEALTHY_REPLY }]);
    const metadataFor = (endpointName: string) => ({
      'endpoint.name': endpointName,
      'canary.percent': '10',
      'canary.bakeMinutes': '1',
      'canary.minInvocations': '0',
      'slo.latencyP99Ms': '500',
      'slo.errorRatePercent': '5',
      'smoke.payloadsUrl': smokeUrl,
    });
    const plans: ApprovalPlan[] = Array.from({ length: approvals }, (_, index) => {
      const endpoint = index % endpointCount;
      const g = groups[endpoint] as (typeof groups)[number];
      return { index, endpoint, endpointName: g.endpointName, group: g.group, healthy: !(badEvery > 0 && index % badEvery === badEvery - 1), arn: '' };
    });
    // Versions within a group in approval order; groups in parallel.
    await Promise.all(
      groups.map(async (_g, e) => {
        for (const plan of plans.filter((p) => p.endpoint === e)) {
          plan.arn = await createModelPackage(sageMaker, plan.group, metadataFor(plan.endpointName), 1, false);
          sim.setBehaviour(plan.arn, {
            latencyMs: { p50: 45, p99: 140 },
            errorRate: 0.001,
            response: { contentType: 'text/csv', body: plan.healthy ? HEALTHY_REPLY : BAD_REPLY },
          });
        }
      }),
    );
    const planByArn = new Map(plans.map((p) => [p.arn, p]));
    const approvalQueue = await account.createApprovalQueue();
    for (const g of groups) sim.startTraffic({ endpointName: g.endpointName, requestsPerMinute: rpm, body: '1,2,3', contentType: 'text/csv' });
    progress(`${approvals} candidates registered (${plans.filter((p) => !p.healthy).length} bad); ${rpm} requests/minute to each endpoint`);

    // ---- approvals: each event through the packaged rule ---------------------------------------------
    // Approvals are made back to back with the clock jumped `spacing` seconds between them, so their event
    // times are exactly `spacing` apart whatever the machine's load (a driver racing 100 executions for the
    // event loop would otherwise space them minutes apart in virtual time, and nothing would ever queue).
    const delivered: { event: unknown; time: number; plan: ApprovalPlan | undefined }[] = [];
    const eventsPerApproval = new Map<string, number>();
    for (const plan of plans) {
      if (plan.index > 0) await sim.advance(spacing);
      await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: plan.arn, ModelApprovalStatus: 'Approved', ApprovalDescription: `load test approval ${plan.index}` }));
      for (const body of await account.drainQueue(approvalQueue)) {
        const event = JSON.parse(body) as { time?: string; detail?: { ModelPackageArn?: string } };
        const arn = event.detail?.ModelPackageArn ?? '';
        eventsPerApproval.set(arn, (eventsPerApproval.get(arn) ?? 0) + 1);
        delivered.push({ event, time: Date.parse(event.time ?? ''), plan: planByArn.get(arn) });
      }
    }
    progress(`${approvals} approvals made, ${delivered.length} events matched the packaged rule`);

    // ---- each event starts its own execution when it arrives, all running concurrently --------------
    // Delivered as they were sent: event i reaches the state machine (time_i - time_0) after the first,
    // so later approvals arrive while earlier releases to the same endpoint deploy and bake.
    // The load test's stage lets packages bake for a minute without minimum traffic (platform limits are stage
    // params): what it measures is concurrency and ordering, not the canary's judgement.
    const limits = { ...DEFAULT_PLATFORM_LIMITS, minBakeMinutes: 1, minInvocations: 0 };
    account.installHandlers({ loadModule: opts.loadModule, env: { PLATFORM_LIMITS: JSON.stringify(Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, String(v)]))) } });
    const virtualStart = clock.now();
    const firstEventTime = Math.min(...delivered.map((d) => d.time));
    const running: Promise<{ execution: number; approvals: ApprovalPlan[]; report: ExecutionReport }>[] = [];
    let executionCount = 0;
    let finished = 0;
    for (const d of [...delivered].sort((a, b) => a.time - b.time)) {
      const dueIn = (virtualStart + (d.time - firstEventTime) - clock.now()) / 1000;
      if (dueIn > 0) await account.waitVirtual(dueIn);
      const execution = ++executionCount;
      running.push(
        account.execute(d.event, execution).then((report) => {
          finished += 1;
          if (finished % Math.max(1, Math.round(approvals / 10)) === 0) progress(`${finished} executions finished (+${Math.round((clock.now() - virtualStart) / 1000)} s simulated)`);
          return { execution, approvals: d.plan ? [d.plan] : [], report };
        }),
      );
    }
    progress(`${executionCount} executions started, the last +${Math.round((clock.now() - virtualStart) / 1000)} s in`);
    const done = await Promise.all(running);
    account.uninstallClock();
    sim.stopTraffic();
    const simulatedSeconds = Math.round((clock.now() - virtualStart) / 1000);

    // ---- what happened -------------------------------------------------------------------------------
    const failures: string[] = [];
    const byArn = new Map<string, { execution: number; report: ExecutionReport }[]>();
    for (const d of done) for (const p of d.approvals) byArn.set(p.arn, [...(byArn.get(p.arn) ?? []), { execution: d.execution, report: d.report }]);
    const unknownEvents = done.filter((d) => d.approvals.length === 0).length;
    if (unknownEvents > 0) failures.push(`${unknownEvents} execution(s) started by events for packages the test did not approve`);

    const releases: ReleaseTrace[] = plans.map((plan) => {
      const runs = byArn.get(plan.arn) ?? [];
      const expectedOutcome = plan.healthy ? 'PROMOTED' : 'ROLLED_BACK';
      const base = { approval: plan.index, endpointName: plan.endpointName, modelPackageArn: plan.arn, healthy: plan.healthy, expectedOutcome } as const;
      const run = runs[0];
      if (!run) {
        return { ...base, execution: null, status: 'NOT_STARTED', outcome: null, error: null, cause: null, requestedAt: null, claimAcquiredAt: null, recordEnteredAt: null, recordEndedAt: null, queuedPolls: 0, queuedSeconds: null, stateTransitions: 0 };
      }
      return { ...base, ...traceOf(run.report, run.execution) };
    });
    for (const [arn, count] of eventsPerApproval) if (count !== 1 && planByArn.has(arn)) failures.push(`approval of ${arn} produced ${count} events`);

    for (const r of releases) {
      const tag = `approval ${r.approval} (${r.endpointName}, execution ${r.execution ?? '-'})`;
      if (r.status === 'NOT_STARTED') failures.push(`${tag}: no approval event, no execution`);
      else if (r.outcome !== r.expectedOutcome) failures.push(`${tag}: ${r.outcome ?? r.status} (${r.error ?? 'no error'}: ${String(r.cause).slice(0, 200)}), expected ${r.expectedOutcome}`);
      if (r.status !== 'NOT_STARTED' && r.claimAcquiredAt === null) failures.push(`${tag}: never acquired the endpoint's lease`);
    }

    // Per endpoint: one release at a time, in approval order.
    for (const g of groups) {
      const mine = releases.filter((r) => r.endpointName === g.endpointName);
      const byApproval = [...mine].sort((a, b) => a.approval - b.approval);
      // The test's own premise: approval events are in approval order.
      for (let i = 1; i < byApproval.length; i++) {
        const [a, b] = [byApproval[i - 1], byApproval[i]] as [ReleaseTrace, ReleaseTrace];
        if (a.requestedAt !== null && b.requestedAt !== null && !(a.requestedAt < b.requestedAt)) failures.push(`${g.endpointName}: approval ${b.approval} has requestedAt ${b.requestedAt}, not after approval ${a.approval}'s ${a.requestedAt}`);
      }
      const claimed = mine.filter((r) => r.claimAcquiredAt !== null).sort((a, b) => (a.claimAcquiredAt as number) - (b.claimAcquiredAt as number));
      const claimOrder = claimed.map((r) => r.approval);
      const requestOrder = [...claimed].sort((a, b) => String(a.requestedAt).localeCompare(String(b.requestedAt))).map((r) => r.approval);
      if (claimOrder.join() !== requestOrder.join()) failures.push(`${g.endpointName}: releases took the endpoint in order ${claimOrder.join(', ')}, approved in order ${requestOrder.join(', ')}`);
      for (let i = 1; i < claimed.length; i++) {
        const [a, b] = [claimed[i - 1], claimed[i]] as [ReleaseTrace, ReleaseTrace];
        // a's lease is held from inside its ClaimRelease to inside its Record* state; b's from inside its ClaimRelease.
        if (a.recordEnteredAt === null || (b.claimAcquiredAt as number) < a.recordEnteredAt) {
          failures.push(`${g.endpointName}: approval ${b.approval} took the endpoint at +${rel(b.claimAcquiredAt, virtualStart)} s while approval ${a.approval} (since +${rel(a.claimAcquiredAt, virtualStart)} s) had not reached its Record state (${a.recordEnteredAt === null ? 'never' : `+${rel(a.recordEnteredAt, virtualStart)} s`})`);
        }
      }
    }

    // The ledger: exactly one final record per approval, nothing left queued or leased.
    const items = await scanLedger(dynamo);
    const records = items.filter((i) => String(i.sk).startsWith('RELEASE#'));
    const leftoverTickets = items.filter((i) => String(i.sk).startsWith('QUEUE#')).length;
    const leftoverLeases = items.filter((i) => i.sk === 'LEASE').length;
    for (const r of releases) {
      const mine = records.filter((rec) => rec.modelPackageArn === r.modelPackageArn);
      if (mine.length !== 1) failures.push(`approval ${r.approval}: ${mine.length} release record(s) in the ledger, expected 1`);
      else if (mine[0]?.status !== r.outcome) failures.push(`approval ${r.approval}: ledger says ${String(mine[0]?.status)}, the execution ${r.outcome ?? 'nothing'}`);
    }
    if (records.length !== approvals) failures.push(`${records.length} release records in the ledger for ${approvals} approvals`);
    if (leftoverTickets > 0) failures.push(`${leftoverTickets} queue ticket(s) left in the ledger`);
    if (leftoverLeases > 0) failures.push(`${leftoverLeases} lease(s) left in the ledger`);

    // The outcome events: one per approval, saying what the execution said.
    const outcomeEvents = (await account.drainQueue(account.outcomeQueue)).map((b) => JSON.parse(b) as { 'detail-type': string; detail?: { modelPackageArn?: string; outcome?: string } });
    for (const r of releases) {
      const mine = outcomeEvents.filter((e) => e.detail?.modelPackageArn === r.modelPackageArn);
      if (mine.length !== 1) failures.push(`approval ${r.approval}: ${mine.length} outcome event(s), expected 1`);
      else if (mine[0]?.detail?.outcome !== r.outcome) failures.push(`approval ${r.approval}: outcome event says ${String(mine[0]?.detail?.outcome)}, the execution ${r.outcome ?? 'nothing'}`);
    }
    if (outcomeEvents.length !== approvals) failures.push(`${outcomeEvents.length} outcome events for ${approvals} approvals`);

    // Each endpoint serves, wholly, the last healthy package approved for it.
    const finalEndpoints: LoadTestResult['finalEndpoints'] = [];
    for (const g of groups) {
      const lastHealthy = [...plans].reverse().find((p) => p.endpointName === g.endpointName && p.healthy);
      const summary = await endpointSummary(sageMaker, g.endpointName);
      const expected = lastHealthy?.arn ?? `${g.group} live model`;
      finalEndpoints.push({ endpointName: g.endpointName, expectedModelPackageArn: expected, summary });
      const serving = (summary?.variants ?? []).filter((v) => v.weight > 0).map((v) => v.modelPackageArn);
      if (summary?.status !== 'InService') failures.push(`${g.endpointName}: ${summary?.status ?? 'absent'}, expected InService`);
      if (lastHealthy && (serving.length === 0 || serving.some((arn) => arn !== lastHealthy.arn))) {
        failures.push(`${g.endpointName}: serves ${serving.join(' + ') || 'nothing'}, expected wholly ${lastHealthy.arn} (approval ${lastHealthy.index})`);
      }
    }

    const outcomes: Record<string, number> = {};
    for (const r of releases) outcomes[r.outcome ?? r.status] = (outcomes[r.outcome ?? r.status] ?? 0) + 1;
    return {
      approvals,
      endpoints: endpointCount,
      passed: failures.length === 0,
      failures,
      outcomes,
      releases,
      finalEndpoints,
      ledgerRecords: records.length,
      leftoverTickets,
      leftoverLeases,
      outcomeEvents: outcomeEvents.length,
      stateTransitions: done.reduce((n, d) => n + d.report.stateTransitions, 0),
      maxQueuedSeconds: Math.max(0, ...releases.map((r) => r.queuedSeconds ?? 0)),
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
      simulatedSeconds,
    };
  } finally {
    await account.close();
  }
}

function rel(ms: number | null, origin: number): number {
  return ms === null ? NaN : Math.round((ms - origin) / 1000);
}

/** What one execution's report says about its release: outcome, when it held the endpoint. */
function traceOf(report: ExecutionReport, execution: number): Omit<ReleaseTrace, 'approval' | 'endpointName' | 'modelPackageArn' | 'healthy' | 'expectedOutcome'> {
  const summary = executionSummary(report, execution);
  const states = report.states;
  // A state's end is the next state's entry (the report stamps entries with the virtual clock).
  const endOf = (visit: StateVisit): number | null => {
    const next = states[states.indexOf(visit) + 1];
    return next ? next.enteredAt : null;
  };
  const claims = states.filter((s) => s.name === 'ClaimRelease');
  const claimStatus = (s: StateVisit) => (s.output as { claim?: { status?: string } } | undefined)?.claim?.status;
  const acquired = claims.find((s) => claimStatus(s) === 'acquired');
  const record = [...states].reverse().find((s) => RECORD_STATE.test(s.name));
  const normalized = states.find((s) => s.name === 'NormalizeInput');
  const requestedAt = (normalized?.output as { request?: { requestedAt?: string } } | undefined)?.request?.requestedAt ?? null;
  const claimAcquiredAt = acquired ? endOf(acquired) : null;
  return {
    execution,
    status: report.status,
    outcome: summary.outcome,
    error: report.error,
    cause: report.cause ?? (record?.output as { outcome?: { cause?: string } } | undefined)?.outcome?.cause ?? null,
    requestedAt,
    claimAcquiredAt,
    recordEnteredAt: record?.enteredAt ?? null,
    recordEndedAt: record ? endOf(record) : null,
    queuedPolls: claims.filter((s) => claimStatus(s) === 'queued').length,
    queuedSeconds: claimAcquiredAt !== null && claims[0] ? Math.round((claimAcquiredAt - claims[0].enteredAt) / 1000) : null,
    stateTransitions: report.stateTransitions,
  };
}

async function scanLedger(dynamo: import('@aws-sdk/client-dynamodb').DynamoDBClient): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: LEDGER_TABLE, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
