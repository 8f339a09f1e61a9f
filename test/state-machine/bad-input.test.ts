/**
 * The bad-input corpus against the packaged state machine: each case ends in its named error,
 * and the account is exactly as it was (no model, config, endpoint, alarm, weight or lease change).
 */
import { BAD_INPUTS, materialize } from '../../local/bad-inputs';
import { createHarness, approvalEvent, type Harness } from '../support/pipeline-harness';

describe('bad input never changes the account', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.restore());

  const accountState = () =>
    JSON.stringify({ models: [...h.aws.models], configs: [...h.aws.configs.keys()], serving: [...h.aws.servingPackages('churn-model')], alarms: [...h.aws.alarms] });

  it('has at least 30 cases', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // Prepare: a live endpoint the bad input must not touch.
    const live = h.aws.addPackage('churn-model', 1);
    h.aws.addLiveEndpoint('churn-model', live);
    const rejectedArn = h.aws.addPackage('churn-model', 3, { ModelApprovalStatus: 'Rejected' });
    const arn = h.aws.addPackage('churn-model', 2, { CustomerMetadataProperties: c.metadata ?? {} });
    const before = accountState();
    const missingArn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/99';
    const input = c.input === null && c.metadata ? approvalEvent(arn, 'churn-model') : materialize(c.input, { arn, rejectedArn, missingArn });

    // Act
    const run = await h.run(input);

    // Assess
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: c.expectedError });
    expect(run.cause ?? '').not.toBe('');
    expect(accountState()).toBe(before);
    expect([...h.aws.servingPackages('churn-model')]).toEqual([[live, 1]]);
    // The ledger may remember a failed attempt, but nothing stays in progress or holds the endpoint.
    expect([...h.ledger.records.values()].map((r) => r.status).filter((s) => s !== 'FAILED')).toEqual([]);
    expect([...h.ledger.claims.values()].filter((claim) => claim.status === 'IN_PROGRESS')).toEqual([]);
    expect(h.ledger.leases.size).toBe(0);
    expect([...h.ledger.queues.values()].flat()).toEqual([]);
    expect(h.aws.events.map((e) => e.detailType).filter((t) => t !== 'Model Deployment Failed')).toEqual([]);
  });

  it('a release that failed on bad settings does not block the corrected package', async () => {
    const arn = h.aws.addPackage('churn-model', 2, { CustomerMetadataProperties: { 'canary.alarmNames': 'churn-business-kpi' } });
    const failed = await h.run(approvalEvent(arn, 'churn-model', 'evt-1'));
    const pkg = h.aws.packages.get(arn);
    if (pkg) pkg.CustomerMetadataProperties = {};

    const fixed = await h.run(approvalEvent(arn, 'churn-model', 'evt-2'));

    expect(failed.error).toBe('InvalidSettings');
    expect(fixed.status).toBe('SUCCEEDED');
    expect(fixed.path).toContain('PrepareDeployment');
  });
});
