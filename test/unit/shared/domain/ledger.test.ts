import { decideClaim, leaseSecondsFor, ledgerTarget } from '../../../../functions/shared/domain/ledger';

describe('ledgerTarget', () => {
  it('is the endpoint, or batch:<group> without one', () => {
    expect(ledgerTarget('churn-prod', 'churn-model')).toBe('churn-prod');
    expect(ledgerTarget(null, 'churn-model')).toBe('batch:churn-model');
  });
});

describe('decideClaim: one release per package version', () => {
  it('claims a package nobody claimed', () => {
    expect(decideClaim(undefined, 'r2', false)).toEqual({ kind: 'new' });
  });

  it("recognises its own claim (a retried ClaimRelease), whatever the claim's status", () => {
    expect(decideClaim({ releaseId: 'r2', status: 'IN_PROGRESS' }, 'r2', false)).toEqual({ kind: 'ours' });
    expect(decideClaim({ releaseId: 'r2', status: 'PROMOTED' }, 'r2', false)).toEqual({ kind: 'ours' });
  });

  it.each(['PROMOTED', 'ROLLED_BACK', 'IN_PROGRESS'] as const)('treats another release of a %s package as the one that stands: a duplicate', (status) => {
    expect(decideClaim({ releaseId: 'r1', status }, 'r2', false)).toEqual({ kind: 'duplicate', existing: { releaseId: 'r1', status } });
  });

  it.each(['REVOKED', 'FAILED', 'DRIFTED'] as const)('takes over a claim whose release ended %s (nothing of it is the release\'s to keep)', (status) => {
    expect(decideClaim({ releaseId: 'r1', status }, 'r2', false)).toEqual({ kind: 'take-over', seen: { releaseId: 'r1', status } });
  });

  it('takes over any claim for a forced run', () => {
    expect(decideClaim({ releaseId: 'r1', status: 'PROMOTED' }, 'r2', true)).toEqual({ kind: 'take-over', seen: { releaseId: 'r1', status: 'PROMOTED' } });
  });
});

describe('leaseSecondsFor: a lease outlasts the release it guards', () => {
  it('covers the bake, four bounded endpoint waits and ten minutes of margin', () => {
    expect(leaseSecondsFor(30, { leaseSeconds: 600, endpointWaitSeconds: 3600 })).toBe(30 * 60 + 4 * 3600 + 600);
  });

  it('never goes below the configured lease', () => {
    expect(leaseSecondsFor(1, { leaseSeconds: 86_400, endpointWaitSeconds: 60 })).toBe(86_400);
  });
});
