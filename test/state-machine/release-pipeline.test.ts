import { createHarness, approvalEvent, type Harness } from '../support/pipeline-harness';

const SMOKE = JSON.stringify([{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }]);

describe('release state machine (packaged ASL, handlers in-process, AWS faked)', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.restore());

  it('first deployment creates the endpoint, smoke-tests it and reports it promoted', async () => {
    // Prepare
    const arn = h.aws.addPackage('churn', 1, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE } });
    // Act
    const run = await h.run(approvalEvent(arn, 'churn'));
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['PrepareDeployment', 'StartDeployment', 'CheckDeployment', 'SmokeTest', 'RecordPromotion', 'Released']));
    expect(run.path).not.toContain('StartCanary');
    expect([...h.aws.servingPackages('churn')]).toEqual([[arn, 1]]);
    expect(h.aws.events.map((e) => e.detailType)).toEqual(['Model Deployment Succeeded']);
    expect(h.aws.events[0]?.detail).toMatchObject({ outcome: 'PROMOTED', modelPackageArn: arn, endpointName: 'churn', mode: 'realtime' });
  });

  it('an update bakes a canary and promotes the new model to all traffic on a single-variant config', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE, 'canary.percent': '20', 'canary.bakeMinutes': '5' } });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.filter((s) => s === 'CheckCanary').length).toBeGreaterThanOrEqual(5);
    expect(run.path).toEqual(expect.arrayContaining(['StartCanary', 'ShiftTraffic', 'Promote', 'CheckPromotion', 'RecordPromotion']));
    expect([...h.aws.servingPackages('churn')]).toEqual([[candidate, 1]]);
    const endpoint = h.aws.endpoints.get('churn');
    expect(h.aws.configs.get(endpoint?.configName ?? '')).toHaveLength(1);
    const startCanary = run.states.find((s) => s.name === 'StartCanary')?.output as { canary: { weights: { weight: number }[] } };
    expect(startCanary.canary.weights.map((w) => w.weight)).toEqual([80, 20]);
  });

  it('rolls back to the previous config when a canary alarm fires, and fails the execution saying why', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const previousConfig = h.aws.endpoints.get('churn')?.configName;
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE } });
    h.aws.firingAlarm = /error-rate/;

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/canary alarm: alarm .*error-rate is in ALARM/);
    expect(run.path).toEqual(expect.arrayContaining(['CheckCanary', 'RollBack', 'CheckRollback', 'RecordRollback', 'ReleaseRolledBack']));
    expect(run.path).not.toContain('Promote');
    expect(h.aws.endpoints.get('churn')?.configName).toBe(previousConfig);
    expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
    expect(h.aws.events.map((e) => e.detailType)).toEqual(['Model Deployment Rolled Back']);
    expect(h.aws.events[0]?.detail).toMatchObject({ trigger: 'canary', endpoint: { serving: 'previous' } });
  });

  it('rolls back without sending canary traffic when the smoke test fails', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'smoke.payloads': SMOKE } }, { body: '0.9', contentType: 'text/csv' });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/smoke test failed: 1 of 1 smoke payloads failed; payload 0: body "0.9", expected "0.5"/);
    expect(run.path).not.toContain('StartCanary');
    expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
  });

  it('deletes the endpoint it created when a first deployment ends Failed', async () => {
    const arn = h.aws.addPackage('churn', 1);
    h.aws.failingConfigs = /^churn-/;

    const run = await h.run(approvalEvent(arn, 'churn'));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/deployment Failed: endpoint is Failed: Failed to deploy/);
    expect(h.aws.endpoints.has('churn')).toBe(false);
    expect(h.aws.events[0]?.detail).toMatchObject({ outcome: 'ROLLED_BACK', trigger: 'endpoint', endpoint: { serving: 'none' } });
  });

  it('keeps serving the old model when an update ends Failed', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const candidate = h.aws.addPackage('churn', 2);
    h.aws.failingConfigs = /-canary$/;

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/SageMaker rolled the deployment back: .*ping health check/);
    // SageMaker kept the old config, so there is nothing for RollBack to undo.
    expect(run.path).not.toContain('RollBack');
    expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
  });

  it('refuses invalid input with a named error naming the field, and touches nothing', async () => {
    const run = await h.run({ modelPackageArn: 'not-an-arn', endpointName: 'churn' });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.cause).toMatch(/modelPackageArn/);
    expect(h.aws.sageMaker.calls()).toHaveLength(0);
    expect(h.aws.events.map((e) => e.detailType)).toEqual(['Model Deployment Failed']);
  });

  it('refuses a package that is not Approved, creating nothing', async () => {
    const arn = h.aws.addPackage('churn', 3, { ModelApprovalStatus: 'PendingManualApproval' });

    const run = await h.run({ modelPackageArn: arn });

    expect(run.error).toBe('PackageNotDeployable');
    expect(run.cause).toMatch(/approval status is PendingManualApproval/);
    expect(h.aws.models.size).toBe(0);
    expect(h.aws.endpoints.size).toBe(0);
  });

  it('releases a package once however many times the approval event arrives', async () => {
    const arn = h.aws.addPackage('churn', 1);

    const first = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    const second = await h.run(approvalEvent(arn, 'churn', 'evt-2'));

    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.path).toEqual(expect.arrayContaining(['ClaimRelease', 'RecordDuplicate', 'DuplicateSkipped']));
    expect(second.path).not.toContain('PrepareDeployment');
    expect(h.aws.events.map((e) => e.detailType)).toEqual(['Model Deployment Succeeded', 'Model Deployment Skipped']);
  });

  it('releases a package again when it is approved again after a rejection, recorded as a redeploy', async () => {
    const arn = h.aws.addPackage('churn', 1);
    const first = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    const pkg = h.aws.packages.get(arn);
    if (pkg) pkg.ModelApprovalStatus = 'Rejected';
    const rejection = approvalEvent(arn, 'churn', 'evt-2');
    (rejection.detail as Record<string, unknown>).ModelApprovalStatus = 'Rejected';

    const revoked = await h.run(rejection);
    if (pkg) pkg.ModelApprovalStatus = 'Approved';
    const again = await h.run(approvalEvent(arn, 'churn', 'evt-3'));

    expect(first.status).toBe('SUCCEEDED');
    expect(revoked.path).toEqual(['NormalizeInput', 'RouteRequest', 'RecordRevocation', 'Revoked']);
    expect(revoked.output).toMatchObject({ revoked: true });
    expect(again.status).toBe('SUCCEEDED');
    expect(again.path).toContain('PrepareDeployment');
    const records = await h.ledger.releasesForPackage(arn);
    expect(records.map((r) => [r.status, r.redeploy])).toEqual([
      ['PROMOTED', true],
      ['PROMOTED', false],
    ]);
  });

  it('a release that fails inside ClaimRelease leaves no ticket, lease or running claim behind', async () => {
    const arn = h.aws.addPackage('churn', 1);
    const original = h.ledger.tryAcquireLease.bind(h.ledger);
    h.ledger.tryAcquireLease = async () => {
      throw Object.assign(new Error('DynamoDB Query failed: AccessDeniedException'), { name: 'AwsRequestRejected' });
    };

    const failed = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    h.ledger.tryAcquireLease = original;
    const next = await h.run(approvalEvent(arn, 'churn', 'evt-2'));

    expect(failed.error).toBe('AwsRequestRejected');
    expect([...h.ledger.queues.values()].flat()).toHaveLength(0);
    expect(next.status).toBe('SUCCEEDED');
    expect(next.path).toContain('PrepareDeployment');
  });

  it('retries AWS throttling with backoff and ends as if nothing happened', async () => {
    const arn = h.aws.addPackage('churn', 1);
    h.aws.throttles.set('CreateEndpoint', 2);
    h.aws.throttles.set('DescribeModelPackage', 1);

    const run = await h.run(approvalEvent(arn, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.find((s) => s.name === 'StartDeployment')?.retries).toBe(2);
    expect([...h.aws.servingPackages('churn')]).toEqual([[arn, 1]]);
  });

  it('rolls back when the canary got too little traffic to judge (the default)', async () => {
    const live = h.aws.addPackage('churn', 1);
    h.aws.addLiveEndpoint('churn', live);
    const candidate = h.aws.addPackage('churn', 2);
    h.aws.canaryInvocations = 3;

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/insufficient-traffic: only 3 canary invocations/);
    expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
  });
});
