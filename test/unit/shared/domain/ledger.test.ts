import { ledgerTarget } from '../../../../functions/shared/domain/ledger';

describe('ledgerTarget', () => {
  it('is the endpoint, or batch:<group> without one', () => {
    expect(ledgerTarget('churn-prod', 'churn-model')).toBe('churn-prod');
    expect(ledgerTarget(null, 'churn-model')).toBe('batch:churn-model');
  });
});
