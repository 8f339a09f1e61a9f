import { judgeSmokeCase, summarizeSmoke, type SmokeResponse } from '../../../../functions/shared/domain/smoke';

const PAYLOAD = { contentType: 'text/csv', body: '1,2,3' };
const BUDGET_MS = 500;

function reply(overrides: Partial<SmokeResponse> = {}): SmokeResponse {
  return { ok: true, errorName: null, errorMessage: null, contentType: 'text/csv; charset=utf-8', body: '0.42\n', latencyMs: 40, invokedVariant: 'v7-new', ...overrides };
}

describe('judgeSmokeCase', () => {
  it('passes a good reply with no expectations', () => {
    expect(judgeSmokeCase(0, PAYLOAD, reply(), BUDGET_MS, 'v7-new')).toEqual({ index: 0, passed: true, problems: [], latencyMs: 40 });
  });

  it('compares the expected body ignoring surrounding whitespace', () => {
    expect(judgeSmokeCase(0, { ...PAYLOAD, expect: ' 0.42 ' }, reply(), BUDGET_MS, null).passed).toBe(true);
  });

  it('fails on a body that differs from the expected one, quoting both', () => {
    // Act
    const result = judgeSmokeCase(2, { ...PAYLOAD, expect: '0.5' }, reply({ body: '0.42' }), BUDGET_MS, null);

    // Assess
    expect(result.passed).toBe(false);
    expect(result.index).toBe(2);
    expect(result.problems).toEqual(['body "0.42", expected "0.5"']);
  });

  it('fails on a failed invocation, naming the error', () => {
    const result = judgeSmokeCase(0, { ...PAYLOAD, expect: '0.5' }, reply({ ok: false, errorName: 'ModelError', errorMessage: 'Received server error (500)', body: '' }), BUDGET_MS, null);
    // The body check is skipped: a failed call has no body to compare.
    expect(result.problems).toEqual(['invocation failed: ModelError: Received server error (500)']);
  });

  it('checks the content type prefix against accept', () => {
    expect(judgeSmokeCase(0, { ...PAYLOAD, accept: 'text/csv' }, reply(), BUDGET_MS, null).passed).toBe(true);
    expect(judgeSmokeCase(0, { ...PAYLOAD, accept: 'application/json' }, reply(), BUDGET_MS, null).problems).toEqual([
      'content type text/csv; charset=utf-8, expected application/json',
    ]);
  });

  it('fails when another variant answered', () => {
    const result = judgeSmokeCase(0, PAYLOAD, reply({ invokedVariant: 'v6-old' }), BUDGET_MS, 'v7-new');
    expect(result.problems).toEqual(['served by variant v6-old, not the new variant v7-new']);
  });

  it('does not check the variant when none is expected (first deployment)', () => {
    expect(judgeSmokeCase(0, PAYLOAD, reply({ invokedVariant: 'anything' }), BUDGET_MS, null).passed).toBe(true);
  });

  it('fails over the latency budget, and passes exactly at it', () => {
    expect(judgeSmokeCase(0, PAYLOAD, reply({ latencyMs: 500.4 }), BUDGET_MS, null).problems).toEqual(['took 500 ms, budget 500 ms']);
    expect(judgeSmokeCase(0, PAYLOAD, reply({ latencyMs: 500 }), BUDGET_MS, null).passed).toBe(true);
  });

  it('reports latency for failed invocations too', () => {
    const result = judgeSmokeCase(0, PAYLOAD, reply({ ok: false, errorName: 'ModelError', latencyMs: 900 }), BUDGET_MS, null);
    expect(result.problems).toHaveLength(2);
  });
});

describe('summarizeSmoke', () => {
  it('passes with nothing to test, saying the smoke test was skipped', () => {
    expect(summarizeSmoke([])).toEqual({ passed: true, reason: "no smoke payloads configured (smoke.payloadsUrl, smoke.payloads or the package's SamplePayloadUrl): smoke test skipped" });
  });

  it('passes when every case passed', () => {
    expect(summarizeSmoke([{ index: 0, passed: true, problems: [], latencyMs: 1 }, { index: 1, passed: true, problems: [], latencyMs: 1 }])).toEqual({
      passed: true,
      reason: '2 of 2 smoke payloads passed',
    });
  });

  it('fails if any case failed, quoting the first failure', () => {
    // Prepare
    const results = [
      { index: 0, passed: true, problems: [], latencyMs: 1 },
      { index: 1, passed: false, problems: ['body "x", expected "y"'], latencyMs: 1 },
      { index: 2, passed: false, problems: ['took 900 ms, budget 500 ms'], latencyMs: 900 },
    ];

    // Act
    const summary = summarizeSmoke(results);

    // Assess
    expect(summary).toEqual({ passed: false, reason: '2 of 3 smoke payloads failed; payload 1: body "x", expected "y"' });
  });
});
