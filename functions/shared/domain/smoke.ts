import type { SmokeRequest } from './smoke-payloads';
import type { InvocationReply } from './views';

export type SmokeResponse = InvocationReply;

export interface SmokeCaseResult {
  index: number;
  passed: boolean;
  problems: string[];
  latencyMs: number;
}

/** Judges one smoke-test reply against its payload's expectations and the latency budget. */
export function judgeSmokeCase(index: number, payload: SmokeRequest, response: SmokeResponse, latencyBudgetMs: number, expectedVariant: string | null): SmokeCaseResult {
  const problems: string[] = [];
  if (!response.ok) problems.push(`invocation failed: ${response.errorName ?? 'Error'}: ${response.errorMessage ?? ''}`.trim());
  else {
    if (payload.accept !== undefined && response.contentType !== null && !response.contentType.startsWith(payload.accept)) {
      problems.push(`content type ${response.contentType}, expected ${payload.accept}`);
    }
    if (payload.expect !== undefined && response.body.trim() !== payload.expect.trim()) {
      problems.push(`body ${JSON.stringify(response.body.slice(0, 200))}, expected ${JSON.stringify(payload.expect)}`);
    }
    if (expectedVariant !== null && response.invokedVariant !== null && response.invokedVariant !== expectedVariant) {
      problems.push(`served by variant ${response.invokedVariant}, not the new variant ${expectedVariant}`);
    }
  }
  if (response.latencyMs > latencyBudgetMs) problems.push(`took ${Math.round(response.latencyMs)} ms, budget ${latencyBudgetMs} ms`);
  return { index, passed: problems.length === 0, problems, latencyMs: Math.round(response.latencyMs) };
}

export function summarizeSmoke(results: SmokeCaseResult[]): { passed: boolean; reason: string } {
  if (results.length === 0) return { passed: true, reason: 'no smoke payloads configured (smoke.payloadsUrl, smoke.payloads or the package\'s SamplePayloadUrl): smoke test skipped' };
  const failed = results.filter((r) => !r.passed);
  if (failed.length === 0) return { passed: true, reason: `${results.length} of ${results.length} smoke payloads passed` };
  const first = failed[0];
  return {
    passed: false,
    reason: `${failed.length} of ${results.length} smoke payloads failed; payload ${first?.index ?? 0}: ${first?.problems.join('; ') ?? ''}`,
  };
}
