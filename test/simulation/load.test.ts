/**
 * The load test, smaller: 12 approvals over 3 endpoints in one simulation (`npm run simulate -- --load`
 * runs 100 over 20). Judged from the execution reports, the ledger table in moto, the outcome events
 * and the endpoints afterwards.
 */
import { runLoadTest, type LoadTestResult } from '../../local/load-test';
import { loadFreshModule as loadModule } from '../support/fresh-module';

describe('load: 12 approvals over 3 endpoints', () => {
  let result: LoadTestResult;

  beforeAll(async () => {
    result = await runLoadTest({ approvals: 12, endpoints: 3, loadModule });
  }, 120_000);

  it('holds every property', () => {
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('ends every execution with the outcome its candidate deserves', () => {
    expect(result.releases).toHaveLength(12);
    for (const r of result.releases) {
      expect(r.outcome).toBe(r.expectedOutcome);
      // A rollback ends in the Fail state ReleaseRolledBack.
      expect(r.status).toBe(r.expectedOutcome === 'PROMOTED' ? 'SUCCEEDED' : 'FAILED');
    }
    // The 6th approval is the bad one (every 7th): its smoke test fails.
    expect(result.outcomes).toEqual({ PROMOTED: 11, ROLLED_BACK: 1 });
  });

  it('releases to each endpoint one at a time, in approval order', () => {
    for (const endpoint of ['load-ep-00', 'load-ep-01', 'load-ep-02']) {
      const mine = result.releases.filter((r) => r.endpointName === endpoint).sort((a, b) => (a.claimAcquiredAt ?? 0) - (b.claimAcquiredAt ?? 0));
      expect(mine).toHaveLength(4);
      expect(mine.map((r) => r.approval)).toEqual([...mine].sort((a, b) => a.approval - b.approval).map((r) => r.approval));
      for (let i = 1; i < mine.length; i++) expect(mine[i]?.claimAcquiredAt ?? 0).toBeGreaterThanOrEqual(mine[i - 1]?.recordEnteredAt ?? Infinity);
    }
    // Later approvals did queue behind earlier releases (otherwise ordering was never tested).
    expect(result.releases.some((r) => r.queuedPolls > 0)).toBe(true);
  });

  it('loses nothing: one ledger record and one outcome event per approval, no ticket or lease left', () => {
    expect(result.ledgerRecords).toBe(12);
    expect(result.outcomeEvents).toBe(12);
    expect(result.leftoverTickets).toBe(0);
    expect(result.leftoverLeases).toBe(0);
  });

  it('leaves each endpoint wholly on its last healthy approval', () => {
    for (const e of result.finalEndpoints) {
      const serving = (e.summary?.variants ?? []).filter((v) => v.weight > 0).map((v) => v.modelPackageArn);
      expect(serving.length).toBeGreaterThan(0);
      expect(new Set(serving)).toEqual(new Set([e.expectedModelPackageArn]));
    }
  });

  it('runs in reasonable wall time', () => {
    // ~50 s on an idle 2-CPU machine; headroom for a busy one.
    expect(result.wallSeconds).toBeLessThan(90);
  });
});
