/**
 * The load test (issue 6) from the command line:
 *   npx tsx bench/load.ts [--approvals N] [--endpoints M] [--speed S] [--json]
 * Packages the service first if the packaged template or the bundles are missing (npm run package).
 * Exit code 0 exactly when every property held.
 */
import { parseArgs } from 'node:util';
import { runLoadTest } from '../local/load-test';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      approvals: { type: 'string', default: '100' },
      endpoints: { type: 'string', default: '20' },
      speed: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const log = (line: string) => {
    if (!values.quiet && !values.json) process.stderr.write(`${line}\n`);
  };
  const result = await runLoadTest({ approvals: Number(values.approvals), endpoints: Number(values.endpoints), speed: Number(values.speed), onProgress: log });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.passed ? 0 : 1;
  }
  const queued = result.releases.map((r) => r.queuedSeconds ?? 0).sort((a, b) => a - b);
  const median = queued[Math.floor(queued.length / 2)] ?? 0;
  const lines = [
    '',
    `  load:         ${result.approvals} approvals over ${result.endpoints} endpoints, one simulation`,
    `  outcomes:     ${Object.entries(result.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  ledger:       ${result.ledgerRecords} release records; ${result.leftoverTickets} queue tickets and ${result.leftoverLeases} leases left`,
    `  events:       ${result.outcomeEvents} outcome events`,
    `  queueing:     median ${median} s, longest ${result.maxQueuedSeconds} s simulated in the endpoint queue (first ClaimRelease to lease); ${result.releases.reduce((n, r) => n + r.queuedPolls, 0)} queued polls`,
    `  transitions:  ${result.stateTransitions} state transitions`,
    `  time:         ${(result.simulatedSeconds / 60).toFixed(1)} simulated minutes in ${result.wallSeconds.toFixed(1)} s wall`,
    `  verdict:      ${result.passed ? 'PASS: all ended, one release at a time per endpoint in approval order, nothing lost, each endpoint on its last healthy approval' : `FAIL (${result.failures.length})`}`,
    ...result.failures.slice(0, 30).map((f) => `    - ${f}`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
