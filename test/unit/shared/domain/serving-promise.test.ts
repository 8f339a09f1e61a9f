import { brokenServingPromise, servingFromChecks } from '../../../../functions/shared/domain/outcome';

describe('brokenServingPromise: wholly old or wholly new, and say which', () => {
  it.each([
    ['PROMOTED', 'new'],
    ['ROLLED_BACK', 'previous'],
    ['ROLLED_BACK', 'none'],
    ['FAILED', 'previous'],
    ['FAILED', 'none'],
  ] as const)('%s with the endpoint serving the %s model keeps its outcome', (outcome, serving) => {
    expect(brokenServingPromise(outcome, serving)).toBeNull();
  });

  it('escalates a promotion that left the old model (or both) serving to FAILED', () => {
    expect(brokenServingPromise('PROMOTED', 'previous')).toMatchObject({ outcome: 'FAILED', errorName: 'EndpointStateConflict' });
    expect(brokenServingPromise('PROMOTED', 'mixed')?.reason).toMatch(/serves both models/);
  });

  it('escalates a rollback that left the new model (or both) serving to ROLLBACK_FAILED', () => {
    expect(brokenServingPromise('ROLLED_BACK', 'new')).toMatchObject({ outcome: 'ROLLBACK_FAILED', errorName: 'RollbackFailed' });
    expect(brokenServingPromise('FAILED', 'mixed')).toMatchObject({ outcome: 'ROLLBACK_FAILED' });
  });

  it('has nothing to say when no endpoint was involved', () => {
    expect(brokenServingPromise('FAILED', null)).toBeNull();
  });
});

describe('servingFromChecks: what serves when the final read fails', () => {
  it('takes the verified rollback, promotion or first-deployment check', () => {
    expect(servingFromChecks('ROLLED_BACK', { rollbackCheck: { check: 'InService' } })).toBe('previous');
    expect(servingFromChecks('ROLLED_BACK', { rollbackCheck: { check: 'Deleted' } })).toBe('none');
    expect(servingFromChecks('ROLLED_BACK', { deployCheck: { check: 'RolledBack' } })).toBe('previous');
    expect(servingFromChecks('PROMOTED', { promotionCheck: { check: 'InService' } })).toBe('new');
    expect(servingFromChecks('PROMOTED', { deployCheck: { check: 'InService' }, deployment: { firstDeployment: true, style: 'variant-canary' } })).toBe('new');
  });

  it('says unknown rather than guess', () => {
    expect(servingFromChecks('PROMOTED', { deployCheck: { check: 'InService' }, deployment: { firstDeployment: false, style: 'variant-canary' } })).toBe('unknown');
    expect(servingFromChecks('FAILED', {})).toBe('unknown');
  });
});
