/**
 * npm run bench [-- --runs N] [--skip-scenarios] [--skip-tests]
 *
 * One report, from one run of each thing measured:
 * 1. every built-in scenario once: wall seconds, state transitions, simulated minutes, the physical floor
 *    (the simulator's endpoint and job lifecycles plus the bake, however they overlap) and what the
 *    pipeline's polling and bookkeeping add over it;
 * 2. what a cold start costs each step: the size of its bundle (dist/functions/<step>/index.js, what
 * ships) and the time to load it in a fresh Node.js process, median of N runs (default 11), as Lambda loads
 * it: tracing on (the X-Ray SDK loads) and the packaged NODE_OPTIONS. Then whether the goals hold:
 * a step that calls no AWS service at most 150 KB and 40 ms, every step at most 1 MB and 200 ms.
 *
 * 3. the wall time of each test tier (unit; templates and stubbed ASL; local account and simulation).
 *
 * Figures only, never a test: they depend on this machine and its load.
 */
// The Lambdas run on Node 22; the SDK's warning about this machine's Node 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensurePackaged } from '../local/build-cache';
import { startMoto } from '../local/moto';
import { loadPackagedStateMachines } from '../local/packaged-template';
import { runScenario } from '../local/runner';
import { builtInScenarios } from '../local/scenario';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist', 'functions');

const GOALS = {
  withoutAws: { bytes: 150 * 1000, ms: 40 },
  any: { bytes: 1000 * 1000, ms: 200 },
};

interface BundleFigures {
  step: string;
  callsAws: boolean;
  bytes: number;
  requireMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** NODE_OPTIONS as the packaged functions get it (serverless.yml provider.environment), if any. */
function packagedNodeOptions(): string | undefined {
  const value = loadPackagedStateMachines().functions[0]?.environment.NODE_OPTIONS;
  return typeof value === 'string' ? value : undefined;
}

/** Milliseconds to require the bundle in a fresh process, as a Lambda cold start loads it (before the first invocation). */
function requireMs(file: string, nodeOptions: string | undefined): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    encoding: 'utf8',
  });
  return Number(out);
}

/** A step calls AWS when its handler is built with awsStepHandler (functions/shared/runtime/aws-step-handler.ts). */
function callsAws(step: string): boolean {
  return readFileSync(join(ROOT, 'functions', step, 'handler.ts'), 'utf8').includes('awsStepHandler(');
}

function bundles(runs: number): BundleFigures[] {
  if (!existsSync(DIST)) throw new Error('dist/functions is missing: run `npm run package` first');
  const nodeOptions = packagedNodeOptions();
  const steps = readdirSync(DIST)
    .filter((step) => existsSync(join(DIST, step, 'index.js')))
    .sort();
  // Round-robin over the steps, so a burst of load from elsewhere on a shared machine lands on one
  // run of many steps rather than on every run of one step.
  const times = new Map<string, number[]>(steps.map((step) => [step, []]));
  for (let run = 0; run < runs; run++) {
    for (const step of steps) times.get(step)?.push(requireMs(join(DIST, step, 'index.js'), nodeOptions));
  }
  return steps.map((step) => ({
    step,
    callsAws: callsAws(step),
    bytes: statSync(join(DIST, step, 'index.js')).size,
    requireMs: median(times.get(step) ?? []),
  }));
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

function printBundles(figures: BundleFigures[], runs: number): void {
  console.log(`\nBundles: size and cold require time (median of ${runs} fresh processes)\n`);
  console.log(`  ${'step'.padEnd(26)} ${'AWS'.padEnd(4)} ${'size'.padStart(8)} ${'require'.padStart(9)}`);
  for (const f of figures) console.log(`  ${f.step.padEnd(26)} ${(f.callsAws ? 'yes' : 'no').padEnd(4)} ${kb(f.bytes).padStart(8)} ${`${f.requireMs.toFixed(0)} ms`.padStart(9)}`);
  const total = figures.reduce((sum, f) => sum + f.bytes, 0);
  console.log(`  ${'all'.padEnd(26)} ${''.padEnd(4)} ${kb(total).padStart(8)}`);

  const without = figures.filter((f) => !f.callsAws);
  const worst = (list: BundleFigures[], key: 'bytes' | 'requireMs') => list.reduce((a, b) => (b[key] > a[key] ? b : a));
  const line = (what: string, value: string, goal: string, met: boolean) => console.log(`  ${what.padEnd(46)} ${value.padStart(8)}  goal ${goal.padEnd(8)} ${met ? 'met' : 'MISSED'}`);
  console.log('\nGoals\n');
  if (without.length > 0) {
    const bigA = worst(without, 'bytes');
    const slowA = worst(without, 'requireMs');
    line(`largest step without AWS (${bigA.step})`, kb(bigA.bytes), `≤ ${kb(GOALS.withoutAws.bytes)}`, bigA.bytes <= GOALS.withoutAws.bytes);
    line(`slowest step without AWS (${slowA.step})`, `${slowA.requireMs.toFixed(0)} ms`, `≤ ${GOALS.withoutAws.ms} ms`, slowA.requireMs <= GOALS.withoutAws.ms);
  }
  const big = worst(figures, 'bytes');
  const slow = worst(figures, 'requireMs');
  line(`largest step (${big.step})`, kb(big.bytes), `≤ ${kb(GOALS.any.bytes)}`, big.bytes <= GOALS.any.bytes);
  line(`slowest step (${slow.step})`, `${slow.requireMs.toFixed(0)} ms`, `≤ ${GOALS.any.ms} ms`, slow.requireMs <= GOALS.any.ms);
}

interface ScenarioFigures {
  scenario: string;
  outcome: string;
  passed: boolean;
  wallSeconds: number;
  stateTransitions: number;
  simulatedMinutes: number;
  floorMinutes: number;
}

/** Every built-in scenario once, on one moto, as `npm run simulate -- --all` runs them. */
async function scenarios(): Promise<ScenarioFigures[]> {
  const moto = await startMoto();
  const figures: ScenarioFigures[] = [];
  try {
    for (const scenario of builtInScenarios()) {
      const r = await runScenario(scenario, { moto });
      figures.push({ scenario: r.scenario, outcome: r.outcome, passed: r.passed, wallSeconds: r.wallSeconds, stateTransitions: r.stateTransitions, simulatedMinutes: r.pipelineSeconds / 60, floorMinutes: r.physicalSeconds / 60 });
    }
  } finally {
    await moto.stop();
  }
  return figures;
}

function printScenarios(figures: ScenarioFigures[]): void {
  console.log('\nScenarios: one run each (simulated minutes on the virtual clock from the first execution\'s start; floor = lifecycles + bake)\n');
  console.log(`  ${'scenario'.padEnd(34)} ${'outcome'.padEnd(13)} ${'wall'.padStart(7)} ${'trans.'.padStart(7)} ${'sim min'.padStart(8)} ${'floor'.padStart(7)} ${'overhead'.padStart(9)}`);
  for (const f of figures) {
    const overhead = f.simulatedMinutes - f.floorMinutes;
    const pct = f.floorMinutes > 0 ? ` (${((overhead / f.floorMinutes) * 100).toFixed(1)}%)` : '';
    console.log(
      `  ${f.scenario.padEnd(34)} ${`${f.outcome}${f.passed ? '' : '!'}`.padEnd(13)} ${`${f.wallSeconds.toFixed(1)} s`.padStart(7)} ${String(f.stateTransitions).padStart(7)} ${f.simulatedMinutes.toFixed(1).padStart(8)} ${f.floorMinutes.toFixed(1).padStart(7)} ${`${overhead.toFixed(1)}${pct}`.padStart(9)}`,
    );
  }
  const wall = figures.reduce((a, f) => a + f.wallSeconds, 0);
  const transitions = figures.reduce((a, f) => a + f.stateTransitions, 0);
  console.log(`  ${'all'.padEnd(34)} ${`${figures.filter((f) => f.passed).length}/${figures.length} as expected`.padEnd(13)} ${`${wall.toFixed(0)} s`.padStart(7)} ${String(transitions).padStart(7)}   ($${((transitions * 0.025) / 1000).toFixed(4)} of Standard transitions)`);
}

/** Wall seconds of one jest run over the given tests (the tiers of CONTRIBUTING.md). */
function testTier(paths: string[]): { seconds: number; passed: boolean } {
  const started = performance.now();
  let passed = true;
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'jest'), [...paths, '--silent'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    passed = false;
  }
  return { seconds: (performance.now() - started) / 1000, passed };
}

function printTestTiers(): void {
  console.log('\nTest tiers: wall time of one run each (after packaging)\n');
  for (const [name, paths] of [
    ['unit (test/unit)', ['test/unit']],
    ['templates + stubbed ASL (test/templates, test/asl)', ['test/templates', 'test/asl']],
    ['local account + simulation (test/local, test/simulation)', ['test/local', 'test/simulation']],
  ] as const) {
    const tier = testTier([...paths]);
    console.log(`  ${name.padEnd(58)} ${`${tier.seconds.toFixed(0)} s`.padStart(7)}${tier.passed ? '' : '  (FAILED)'}`);
  }
}

async function main(argv: string[]): Promise<void> {
  // Packages only when the sources changed (local/build-cache.ts), as `npm run simulate` does.
  ensurePackaged();
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 11;
  if (!(runs >= 1)) throw new Error('--runs takes a whole number ≥ 1');
  if (!argv.includes('--skip-scenarios')) printScenarios(await scenarios());
  printBundles(bundles(runs), runs);
  if (!argv.includes('--skip-tests')) printTestTiers();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
