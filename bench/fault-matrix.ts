/**
 * Issue 6's fault-injection matrix: every AWS call the pipeline makes in the baseline scenarios, with
 * throttling, a 5xx and a timeout, once and persistently (local/fault-matrix.ts says how each case is judged).
 *
 *   npx tsx bench/fault-matrix.ts [--quick] [--scenario NAME]... [--request-timeout-ms MS] [--json FILE]
 *
 * --quick tries one operation per service. Prints the matrix, "N cases, M survived" and the wall time;
 * exits 1 when a case did not survive.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { opName, printFaultMatrix, runFaultMatrix, type FaultMatrixOptions } from '../local/fault-matrix';

process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: FaultMatrixOptions = {};
  let jsonFile: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--quick') options.operationsPerService = 1;
    else if (arg === '--scenario') options.scenarios = [...(options.scenarios ?? []), args[++i] ?? ''];
    else if (arg === '--json') jsonFile = args[++i] ?? null;
    else if (arg === '--request-timeout-ms') options.requestTimeoutMs = Number(args[++i]);
    else {
      console.error(`usage: npx tsx bench/fault-matrix.ts [--quick] [--scenario NAME]... [--request-timeout-ms MS] [--json FILE] (unknown argument ${arg ?? ''})`);
      process.exit(2);
    }
  }
  const started = performance.now();
  const result = await runFaultMatrix({
    ...options,
    onBaseline: (b) => console.error(`baseline ${b.scenario}: ${b.outcome} in ${b.wallSeconds} s; ${b.operations.length} operations: ${b.operations.map(opName).join(', ')}`),
    onCase: (c) => console.error(`  ${c.survived ? '✓' : '✗'} ${c.scenario} ${opName(c)} ${c.kind} ${c.persistence} (${c.wallSeconds} s): ${c.reason}`),
  });
  console.log('');
  printFaultMatrix(result);
  console.log(`\nwall time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(result, null, 2));
  process.exitCode = result.survived === result.total ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
