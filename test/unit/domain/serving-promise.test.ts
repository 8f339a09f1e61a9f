import { brokenServingPromise } from '../../../functions/record-outcome/handler';

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
