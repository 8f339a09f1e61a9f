/**
 * npm run simulate -- [--list] [--scenario NAME|FILE.json] [--all] [--json] [--report FILE.html] [--verbose]
 *
 * Runs the release pipeline end to end against local AWS (moto + our SageMaker simulator): the
 * packaged state machine, the bundled handlers, one virtual clock. Exit code 0 exactly when every
 * scenario run ended with its expected outcome.
 */
import { writeFileSync } from 'node:fs';

// The Lambdas run on Node 22; the SDK's warning about this machine's Node 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { builtInScenarios, findScenario, type Scenario } from './scenario';
import { badInputScenarios } from './bad-input-suite';
import { CASE_FAMILIES, runFaultMatrix, printFaultMatrix, type CaseFamily } from './fault-matrix';
import { runLoadTest } from './load-test';
import { runScenario, type SimulationResult, type TimelineEntry } from './runner';
import { renderReport } from './report';
import { MotoNotInstalledError, startMoto } from './moto';
import { LOCAL_ACCOUNT, TemplateNotPackaged } from './packaged-template';
import { ensurePackaged, needsPackage } from './build-cache';
import { DATA_BUCKET, LEDGER_TABLE, MODEL_BUCKET, setUpLocalAccount } from './account';

interface Args {
  list: boolean;
  all: boolean;
  badInput: boolean;
  load: boolean;
  faults: boolean;
  quick: boolean;
  approvals: number;
  endpoints: number;
  json: boolean;
  verbose: boolean;
  scenario: string;
  /** Every --scenario given (the fault matrix takes several). */
  scenarios: string[];
  report: string | null;
  /** Virtual seconds per wall second of `--serve` (scenarios run on a discrete clock: as fast as they can). */
  speed: number;
  speedGiven: boolean;
  requestTimeoutMs: number | null;
  /** --family: only these families of fault cases. */
  families: CaseFamily[];
  serve: boolean;
  port: number | null;
}

const USAGE = `usage: npm run simulate -- [--list] [--scenario NAME|FILE.json] [--all] [--bad-input] [--json] [--report FILE.html] [--verbose]
       npm run simulate -- --load [--approvals 100] [--endpoints 20] [--json]
       npm run simulate -- --faults [--quick] [--scenario NAME]... [--family aws-fault|lost-response|stop-execution|lambda-timeout]... [--request-timeout-ms 1000] [--json]
       npm run simulate -- --serve [--port N] [--speed N]`;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    list: false,
    all: false,
    badInput: false,
    load: false,
    faults: false,
    quick: false,
    approvals: 100,
    endpoints: 20,
    json: false,
    verbose: false,
    scenario: 'realtime-canary-promote',
    scenarios: [],
    report: null,
    speed: 600,
    speedGiven: false,
    requestTimeoutMs: null,
    families: [],
    serve: false,
    port: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--list') args.list = true;
    else if (a === '--all') args.all = true;
    else if (a === '--bad-input') args.badInput = true;
    else if (a === '--load') args.load = true;
    else if (a === '--faults') args.faults = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--approvals') args.approvals = Number(value());
    else if (a === '--endpoints') args.endpoints = Number(value());
    else if (a === '--json') args.json = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--scenario') {
      args.scenario = value();
      args.scenarios.push(args.scenario);
    } else if (a === '--request-timeout-ms') {
      args.requestTimeoutMs = Number(value());
      if (!(args.requestTimeoutMs > 0)) throw new Error(`--request-timeout-ms must be a positive number\n${USAGE}`);
    }
    else if (a === '--family') {
      const family = value();
      if (!(CASE_FAMILIES as readonly string[]).includes(family)) throw new Error(`--family must be one of ${CASE_FAMILIES.join(', ')}\n${USAGE}`);
      args.families.push(family as CaseFamily);
    }
    else if (a === '--report') args.report = value();
    else if (a === '--serve') args.serve = true;
    else if (a === '--port') {
      args.port = Number(value());
      if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) throw new Error(`--port must be a port number\n${USAGE}`);
    }
    else if (a === '--speed') {
      args.speed = Number(value());
      args.speedGiven = true;
      if (!(args.speed > 0)) throw new Error(`--speed must be a positive number\n${USAGE}`);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  // Scenarios, the load test and the fault matrix run on a discrete clock, which has no speed to set.
  if (args.speedGiven && !args.serve) throw new Error(`--speed applies to --serve only: scenarios run on a discrete clock, as fast as the machine allows\n${USAGE}`);
  return args;
}

const clock = (seconds: number) => `+${String(Math.floor(seconds / 60)).padStart(3, '0')}:${String(seconds % 60).padStart(2, '0')}`;

function printEntry(entry: TimelineEntry, multi: boolean): void {
  const who = multi && entry.execution > 0 ? `#${entry.execution} ` : '';
  const title = entry.kind === 'alarm' ? `ALARM ${entry.title}` : entry.title;
  console.log(`  ${clock(entry.at)}  ${who}${title.padEnd(22)} ${entry.detail}`);
}

function printSummary(r: SimulationResult): void {
  console.log('');
  console.log(`  outcome:    ${r.outcome} (expected ${r.expectedOutcome}) ${r.passed ? 'as expected' : `NOT as expected: ${r.failures.join('; ')}`}`);
  if (r.error) console.log(`  execution:  ${r.executionStatus} with ${r.error}: ${r.cause ?? ''}`);
  else console.log(`  execution:  ${r.executionStatus}`);
  if (r.endpoint) {
    // Weights are relative: each variant gets weight / total of the traffic.
    const total = r.endpoint.variants.reduce((sum, v) => sum + v.weight, 0);
    const variants = r.endpoint.variants.map((v) => `${v.name} (${v.modelPackageArn?.split('/').slice(-2).join(' v') ?? v.model}) ${total > 0 ? Math.round((v.weight / total) * 100) : 0}%`).join(', ');
    console.log(`  endpoint:   ${r.endpoint.name} ${r.endpoint.status} on ${r.endpoint.configName}: ${variants}`);
  } else console.log('  endpoint:   none');
  console.log(`  events:     ${r.events.join(', ') || 'none'}`);
  console.log(`  cost:       ${r.stateTransitions} state transitions ($${((r.stateTransitions * 0.025) / 1000).toFixed(5)} on Standard workflows)`);
  console.log(`  time:       ${Math.round(r.simulatedSeconds / 60)} simulated minutes in ${r.wallSeconds} s`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  // Bundles and the packaged template are rebuilt only when their sources changed (local/build-cache.ts).
  if (needsPackage(argv)) ensurePackaged();
  if (args.serve) return serve(args);
  if (args.list) {
    for (const s of builtInScenarios()) console.log(`${s.name.padEnd(34)} expect ${s.expect.outcome.padEnd(12)} ${s.description}`);
    return 0;
  }
  if (args.load) return runLoad(args);
  if (args.faults) return runFaults(args);
  const scenarios: Scenario[] = args.badInput ? badInputScenarios() : args.all ? builtInScenarios() : [findScenario(args.scenario)];
  const moto = scenarios.length > 1 ? await startMoto() : undefined;
  const results: SimulationResult[] = [];
  try {
    for (const scenario of scenarios) {
      if (!args.json) console.log(`\nscenario ${scenario.name}: ${scenario.description}\n`);
      const multi = scenario.duplicateEvents > 1;
      const result = await runScenario(scenario, {
        moto,
        verbose: args.verbose,
        onTimeline: args.json ? undefined : (e) => printEntry(e, multi),
      });
      results.push(result);
      if (!args.json) printSummary(result);
    }
  } finally {
    await moto?.stop();
  }
  if (args.json) {
    // The series behind the HTML report stay out; `metrics` is one row per virtual minute and variant.
    const strip = ({ timeline, metrics: _series, metricRows: rows, alarmHistory, ...rest }: SimulationResult) => ({ ...rest, timeline, alarmHistory, metrics: rows });
    console.log(JSON.stringify(results.length === 1 ? strip(results[0] as SimulationResult) : results.map(strip), null, 2));
  }
  if (args.report) {
    writeFileSync(args.report, renderReport(results));
    if (!args.json) console.log(`\nreport written to ${args.report}`);
  }
  if (scenarios.length > 1 && !args.json) console.log(`\n${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
  return results.every((r) => r.passed) ? 0 : 1;
}

/**
 * The local account, served until Ctrl-C: the packaged resources (ledger table, buckets, outcome rule)
 * behind the simulator, for any client. The first line on stdout is the endpoint to point it at.
 */
async function serve(args: Args): Promise<number> {
  const account = await setUpLocalAccount({ flowing: { speed: args.speed }, ...(args.port !== null ? { port: args.port } : {}) });
  console.log(`AWS_ENDPOINT_URL=${account.sim.endpoint}`);
  process.stderr.write(
    [
      `local account ${LOCAL_ACCOUNT} in ${account.sim.region}: SageMaker (simulated hosting, validated, over moto), S3, DynamoDB, CloudWatch, EventBridge, SQS`,
      `ledger table ${LEDGER_TABLE}; buckets ${DATA_BUCKET}, ${MODEL_BUCKET}; virtual time at ${args.speed}x`,
      'any credentials work (e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1); Ctrl-C stops it',
      '',
    ].join('\n'),
  );
  // Kept (not once): Ctrl-C reaches this process twice, from the terminal and relayed by tsx.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await account.close();
  return 0;
}

/** The load test: many approvals over many endpoints in one simulation (local/load-test.ts). */
async function runLoad(args: Args): Promise<number> {
  const result = await runLoadTest({
    approvals: args.approvals,
    endpoints: args.endpoints,
    onProgress: args.json ? undefined : (line) => console.log(`  ${line}`),
  });
  if (args.json) {
    console.log(JSON.stringify(result, null, 2));
    return result.passed ? 0 : 1;
  }
  console.log(`\n  load:        ${result.approvals} approvals over ${result.endpoints} endpoints`);
  console.log(`  outcomes:    ${Object.entries(result.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  ledger:      ${result.ledgerRecords} release records, ${result.outcomeEvents} outcome events`);
  console.log(`  time:        ${(result.simulatedSeconds / 60).toFixed(1)} simulated minutes in ${result.wallSeconds.toFixed(1)} s wall, ${result.stateTransitions} state transitions`);
  console.log(`  verdict:     ${result.passed ? 'one release at a time per endpoint, in approval order, nothing lost' : `FAILED: ${result.failures.slice(0, 10).join('; ')}`}`);
  return result.passed ? 0 : 1;
}

/** The fault matrix: every AWS call the pipeline makes, with throttling, 5xx and timeouts (local/fault-matrix.ts). */
async function runFaults(args: Args): Promise<number> {
  const result = await runFaultMatrix({
    operationsPerService: args.quick ? 1 : undefined,
    ...(args.scenarios.length > 0 ? { scenarios: args.scenarios } : {}),
    ...(args.requestTimeoutMs !== null ? { requestTimeoutMs: args.requestTimeoutMs } : {}),
    ...(args.families.length > 0 ? { families: args.families } : {}),
    onCase: args.json ? undefined : (c) => console.log(`  ${c.survived ? 'ok  ' : 'FAIL'} ${c.scenario} ${c.row} ${c.column}${c.survived ? '' : `: ${c.reason ?? ''}`}`),
  });
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else printFaultMatrix(result);
  return result.cases.every((c) => c.survived) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MotoNotInstalledError || error instanceof TemplateNotPackaged) console.error(error.message);
    else console.error(error);
    process.exit(2);
  },
);
