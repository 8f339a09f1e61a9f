import { DETAIL_TYPES, errorMessageOf, explainOutcome } from '../../../../functions/shared/domain/outcome';

const LAMBDA_CAUSE = JSON.stringify({
  errorType: 'EndpointStateConflict',
  errorMessage: 'Endpoint churn is Updating, not InService',
  trace: ['EndpointStateConflict: Endpoint churn is Updating', '    at run (/var/task/index.js:1:1)'],
});

describe('errorMessageOf', () => {
  it('takes errorMessage out of a Lambda Cause', () => {
    expect(errorMessageOf(LAMBDA_CAUSE)).toBe('Endpoint churn is Updating, not InService');
  });

  it('keeps a cause that is not JSON as it is', () => {
    expect(errorMessageOf('States.Timeout after 300 s')).toBe('States.Timeout after 300 s');
  });

  it('keeps JSON without a string errorMessage as it is', () => {
    expect(errorMessageOf('{"errorMessage":42}')).toBe('{"errorMessage":42}');
    expect(errorMessageOf('"just a string"')).toBe('"just a string"');
  });

  it('says when there is no cause', () => {
    expect(errorMessageOf(undefined)).toBe('no cause given');
  });

  it('does not throw on a JSON null cause', () => {
    expect(() => errorMessageOf('null')).not.toThrow();
  });
});

describe('explainOutcome', () => {
  const failingEverything = {
    error: { Error: 'AwsRequestRejected', Cause: LAMBDA_CAUSE },
    deployCheck: { check: 'Failed', reason: 'endpoint is Failed: image not found' },
    smoke: { passed: false, reason: '1 of 1 smoke payloads failed' },
    canaryCheck: { verdict: 'alarm', reason: 'alarm x is in ALARM' },
  };

  it('an error is the first cause found', () => {
    expect(explainOutcome({ outcome: 'FAILED', ...failingEverything })).toEqual({
      trigger: 'error',
      reason: 'AwsRequestRejected: Endpoint churn is Updating, not InService',
      errorName: 'AwsRequestRejected',
    });
  });

  it('then a deployment that did not reach InService', () => {
    const { error: _e, ...rest } = failingEverything;
    expect(explainOutcome({ outcome: 'ROLLED_BACK', ...rest })).toEqual({
      trigger: 'endpoint',
      reason: 'deployment Failed: endpoint is Failed: image not found',
      errorName: 'ReleaseRolledBack',
    });
  });

  it('then a failed smoke test', () => {
    const { error: _e, deployCheck: _d, ...rest } = failingEverything;
    expect(explainOutcome({ outcome: 'ROLLED_BACK', deployCheck: { check: 'InService', reason: null }, ...rest })).toMatchObject({
      trigger: 'smoke-test',
      reason: 'smoke test failed: 1 of 1 smoke payloads failed',
    });
  });

  it('then an unhealthy canary', () => {
    expect(explainOutcome({ outcome: 'ROLLED_BACK', smoke: { passed: true, reason: 'ok' }, canaryCheck: { verdict: 'insufficient-traffic', reason: 'only 3' } })).toMatchObject({
      trigger: 'canary',
      reason: 'canary insufficient-traffic: only 3',
    });
  });

  it('a failure with nothing recorded says so, and fails as ReleaseFailed', () => {
    expect(explainOutcome({ outcome: 'FAILED' })).toEqual({ trigger: 'unknown', reason: 'no reason recorded', errorName: 'ReleaseFailed' });
  });

  it('a failed rollback adds why the rollback failed and fails as RollbackFailed', () => {
    // Act
    const explanation = explainOutcome({
      outcome: 'ROLLBACK_FAILED',
      canaryCheck: { verdict: 'alarm', reason: 'alarm x is in ALARM' },
      rollbackCheck: { check: 'TimedOut', reason: 'endpoint still Updating after 3600 s' },
    });

    // Assess
    expect(explanation).toEqual({
      trigger: 'canary',
      reason: 'canary alarm: alarm x is in ALARM; then the rollback failed: endpoint still Updating after 3600 s',
      errorName: 'RollbackFailed',
    });
  });

  it('a promotion reports the canary verdict and no error', () => {
    expect(explainOutcome({ outcome: 'PROMOTED', smoke: { passed: true, reason: 'smoke ok' }, canaryCheck: { verdict: 'healthy', reason: 'no alarm fired' } })).toEqual({
      trigger: 'promoted',
      reason: 'no alarm fired',
      errorName: null,
    });
  });

  it('a promotion without a canary (serverless) reports the smoke result', () => {
    expect(explainOutcome({ outcome: 'PROMOTED', smoke: { passed: true, reason: '2 of 2 smoke payloads passed' } }).reason).toBe('2 of 2 smoke payloads passed');
  });

  it('a batch registration is a success with no error, whatever else was recorded', () => {
    expect(explainOutcome({ outcome: 'REGISTERED', smoke: { passed: false, reason: 'irrelevant' } })).toEqual({
      trigger: 'registered',
      reason: 'registered as the active batch model of its group; scored by the nightly batch branch',
      errorName: null,
    });
  });

  it('a deployment SageMaker rolled back itself (guardrails) is its own trigger', () => {
    // Act
    const explanation = explainOutcome({
      outcome: 'ROLLED_BACK',
      deployCheck: { check: 'RolledBack', reason: 'SageMaker kept the endpoint on live-config: alarm churn-error-rate in ALARM' },
      smoke: { passed: false, reason: 'later, irrelevant' },
    });

    // Assess
    expect(explanation).toEqual({
      trigger: 'sagemaker-rollback',
      reason: 'SageMaker rolled the deployment back: SageMaker kept the endpoint on live-config: alarm churn-error-rate in ALARM',
      errorName: 'ReleaseRolledBack',
    });
  });

  it('an error still comes before a SageMaker rollback', () => {
    expect(explainOutcome({ outcome: 'FAILED', error: { Error: 'AwsUnavailable', Cause: 'down' }, deployCheck: { check: 'RolledBack', reason: 'x' } }).trigger).toBe('error');
  });

  it('a duplicate names the release that already did it and how to force', () => {
    const explanation = explainOutcome({ outcome: 'SKIPPED', claim: { status: 'duplicate', existingReleaseId: 'ffff0000', existingStatus: 'PROMOTED' } });
    expect(explanation.trigger).toBe('duplicate');
    expect(explanation.errorName).toBeNull();
    expect(explanation.reason).toContain('release ffff0000 (PROMOTED)');
    expect(explanation.reason).toContain('"force": true');
  });
});

describe('DETAIL_TYPES', () => {
  it('gives every outcome its own event except the two successes', () => {
    expect(DETAIL_TYPES.PROMOTED).toBe(DETAIL_TYPES.REGISTERED);
    const failures = [DETAIL_TYPES.ROLLED_BACK, DETAIL_TYPES.FAILED, DETAIL_TYPES.ROLLBACK_FAILED, DETAIL_TYPES.SKIPPED, DETAIL_TYPES.PROMOTED];
    expect(new Set(failures).size).toBe(failures.length);
  });
});
