/**
 * Real-time releases on the local account: the packaged release state machine, each step from source,
 * moto + our SageMaker simulator; Wait states jump the clock. What the endpoint serves, the events and the
 * ledger are read back from the account.
 */
import { approvalEvent, itemsOf, useMoto, useSimHarness } from '../support/sim-harness';

const SMOKE = [{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }];
/** Enough production traffic that a 10 % canary serves a few hundred requests in a short bake. */
const TRAFFIC = { requestsPerMinute: 1200, body: '1,2,3', contentType: 'text/csv' };

const moto = useMoto();
const h = useSimHarness(moto);

describe('release state machine on the local account', () => {
  it("smoke-tests with the package's own SamplePayloadUrl archive when no setting names payloads", async () => {
    // Prepare: a model that fails every request, so a smoke test that sends anything fails.
    const arn = await h.addPackage('churn', { samplePayloads: ['1,2,3', '4,5,6'], behaviour: { errorRate: 1 } });

    // Act
    const run = await h.run(approvalEvent(arn, 'churn'));

    // Assess: both archive files were sent to the new endpoint, and their failures failed the release.
    expect(run.cause ?? '').toMatch(/smoke test failed: 2 of 2 smoke payloads failed; payload 0: invocation failed/);
  });

  it('first deployment creates the endpoint, smoke-tests it and reports it promoted', async () => {
    // Prepare
    const arn = await h.addPackage('churn', { smokePayloads: SMOKE });
    // Act
    const run = await h.run(approvalEvent(arn, 'churn'));
    // Every call a step made was its function's, evaluated against that function's role.
    expect(h.account.sim.requestLog().find((r) => r.operation === 'CreateEndpointConfig')?.principal).toBe('sagemaker-release-pipeline-dev-prepareDeployment');
    expect(h.account.sim.requestLog().filter((r) => r.denied !== undefined)).toEqual([]);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual(expect.arrayContaining(['PrepareDeployment', 'StartDeployment', 'CheckDeployment', 'SmokeTest', 'RecordPromotion', 'Released']));
    expect(run.path).not.toContain('StartCanary');
    expect(await h.serving('churn')).toEqual([[arn, 1]]);
    const events = await h.events();
    expect(events.map((e) => e.detailType)).toEqual(['Model Deployment Succeeded']);
    expect(events[0]?.detail).toMatchObject({ outcome: 'PROMOTED', modelPackageArn: arn, endpointName: 'churn', mode: 'realtime' });
  });

  it('an update bakes a canary and promotes the new model to all traffic on a single-variant config', async () => {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: { 'canary.percent': '20', 'canary.bakeMinutes': '5' } });
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    // A 5-minute bake is looked at as it starts, once its alarms can first fire (3 minutes in), then each minute to its end.
    expect(run.path.filter((s) => s === 'CheckCanary').length).toBe(4);
    expect(run.path).toEqual(expect.arrayContaining(['StartCanary', 'ShiftTraffic', 'Promote', 'CheckPromotion', 'RecordPromotion']));
    expect(await h.serving('churn')).toEqual([[candidate, 1]]);
    expect((await h.endpoint('churn'))?.variants).toHaveLength(1);
    const startCanary = run.states.find((s) => s.name === 'StartCanary')?.output as { canary: { weights: { weight: number }[] } };
    expect(startCanary.canary.weights.map((w) => w.weight)).toEqual([80, 20]);
  });

  it('rolls back to the previous config when a canary alarm fires, and fails the execution saying why', async () => {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const previousConfig = (await h.endpoint('churn'))?.configName;
    // No smoke payloads: a model failing half its requests would fail the smoke test first, by chance.
    const candidate = await h.addPackage('churn', { behaviour: { errorRate: 0.5 } });
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/canary alarm: alarm .*error-rate is in ALARM/);
    expect(run.path).toEqual(expect.arrayContaining(['CheckCanary', 'RollBack', 'CheckRollback', 'RecordRollback', 'ReleaseRolledBack']));
    expect(run.path).not.toContain('Promote');
    expect((await h.endpoint('churn'))?.configName).toBe(previousConfig);
    expect(await h.serving('churn')).toEqual([[live, 1]]);
    const events = await h.events();
    expect(events.map((e) => e.detailType)).toEqual(['Model Deployment Rolled Back']);
    expect(events[0]?.detail).toMatchObject({ trigger: 'canary', endpoint: { serving: 'previous' } });
  });

  it('rolls back without sending canary traffic when the smoke test fails', async () => {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, behaviour: { body: '0.9' } });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/smoke test failed: 1 of 1 smoke payloads failed; payload 0: body "0.9", expected "0.5"/);
    expect(run.path).not.toContain('StartCanary');
    expect(await h.serving('churn')).toEqual([[live, 1]]);
  });

  it('deletes the endpoint it created when a first deployment ends Failed', async () => {
    const arn = await h.addPackage('churn', { behaviour: { failOnCreate: 'Failed to deploy: the primary container did not pass the ping health check' } });

    const run = await h.run(approvalEvent(arn, 'churn'));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/deployment Failed: endpoint is Failed: Failed to deploy/);
    expect(await h.endpoint('churn')).toBeNull();
    expect((await h.events())[0]?.detail).toMatchObject({ outcome: 'ROLLED_BACK', trigger: 'endpoint', endpoint: { serving: 'none' } });
  });

  it('keeps serving the old model when an update ends Failed', async () => {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const candidate = await h.addPackage('churn', { behaviour: { failOnCreate: 'The primary container for production variant did not pass the ping health check' } });

    const run = await h.run(approvalEvent(candidate, 'churn'));

    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.cause).toMatch(/SageMaker rolled the deployment back: .*ping health check/);
    // SageMaker kept the old config, so there is nothing for RollBack to undo.
    expect(run.path).not.toContain('RollBack');
    expect(await h.serving('churn')).toEqual([[live, 1]]);
  });

  it('refuses invalid input with a named error naming the field, and touches nothing', async () => {
    h.account.sim.resetRequestLog();

    const run = await h.run({ modelPackageArn: 'not-an-arn', endpointName: 'churn' });

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.cause).toMatch(/modelPackageArn/);
    expect(h.account.sim.requestLog().filter((r) => r.service === 'sagemaker')).toHaveLength(0);
    expect((await h.events()).map((e) => e.detailType)).toEqual(['Model Deployment Failed']);
  });

  it('refuses a package that is not Approved, creating nothing', async () => {
    const arn = await h.addPackage('churn', { approval: 'PendingManualApproval' });

    const run = await h.run({ modelPackageArn: arn });

    expect(run.error).toBe('PackageNotDeployable');
    expect(run.cause).toMatch(/approval status is PendingManualApproval/);
    expect(await h.models()).toEqual([]);
    expect(await h.endpoint('churn')).toBeNull();
  });

  it('releases a package once however many times the approval event arrives', async () => {
    const arn = await h.addPackage('churn');

    const first = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    const second = await h.run(approvalEvent(arn, 'churn', 'evt-2'));

    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.path).toEqual(expect.arrayContaining(['ClaimRelease', 'RecordDuplicate', 'DuplicateSkipped']));
    expect(second.path).not.toContain('PrepareDeployment');
    expect((await h.events()).map((e) => e.detailType)).toEqual(['Model Deployment Succeeded', 'Model Deployment Skipped']);
  });

  it('releases a package again when it is approved again after a rejection, recorded as a redeploy', async () => {
    const arn = await h.addPackage('churn');
    const first = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    // The redeploy canaries the package against itself: the canary needs traffic to be judged.
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });
    await h.setApproval(arn, 'Rejected');

    const revoked = await h.run(approvalEvent(arn, 'churn', 'evt-2', 'Rejected'));
    await h.setApproval(arn, 'Approved');
    const again = await h.run(approvalEvent(arn, 'churn', 'evt-3'));

    expect(first.status).toBe('SUCCEEDED');
    expect(revoked.path).toEqual(['NormalizeInput', 'RouteRequest', 'RecordRevocation', 'Revoked']);
    expect(revoked.output).toMatchObject({ revoked: true });
    expect(again.status).toBe('SUCCEEDED');
    expect(again.path).toContain('PrepareDeployment');
    const records = itemsOf(await h.ledgerItems(), 'records')
      .filter((r) => r.modelPackageArn === arn)
      .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
    expect(records.map((r) => [r.status, r.redeploy])).toEqual([
      ['PROMOTED', true],
      ['PROMOTED', false],
    ]);
  });

  it('a release that fails inside ClaimRelease leaves no ticket, lease or running claim behind', async () => {
    const arn = await h.addPackage('churn');
    // The lease is taken by a Query of the endpoint's queue, refused here as IAM would refuse it.
    const denied = h.account.sim.injectFault({ service: 'dynamodb', operation: 'Query', kind: 'denied', times: 'always' });

    const failed = await h.run(approvalEvent(arn, 'churn', 'evt-1'));
    denied.clear();
    const next = await h.run(approvalEvent(arn, 'churn', 'evt-2'));

    expect(failed.error).toBe('AwsRequestRejected');
    expect(itemsOf(await h.ledgerItems(), 'tickets')).toHaveLength(0);
    expect(next.status).toBe('SUCCEEDED');
    expect(next.path).toContain('PrepareDeployment');
  });

  it('retries AWS throttling with backoff and ends as if nothing happened', async () => {
    const arn = await h.addPackage('churn');
    // The SDK tries each call twice before the step fails AwsThrottled: four throttles are two step retries.
    h.account.sim.injectFault({ service: 'sagemaker', operation: 'CreateEndpoint', kind: 'throttle', times: 4 });
    h.account.sim.injectFault({ service: 'sagemaker', operation: 'DescribeModelPackage', kind: 'throttle', times: 2 });

    const run = await h.run(approvalEvent(arn, 'churn'));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.find((s) => s.name === 'StartDeployment')?.retries).toBe(2);
    expect(await h.serving('churn')).toEqual([[arn, 1]]);
  });

  it('rolls back when the canary got too little traffic to judge (the default)', async () => {
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const candidate = await h.addPackage('churn');
    // Some traffic, but too little: about 30 of 300 requests reach a 10 % canary over the bake, fewer than 100.
    h.account.sim.startTraffic({ endpointName: 'churn', requestsPerMinute: 30, body: '1,2,3', contentType: 'text/csv' });

    const run = await h.run(approvalEvent(candidate, 'churn'));
    h.account.sim.stopTraffic('churn');

    expect(run.error).toBe('ReleaseRolledBack');
    const counted = /insufficient-traffic: only (\d+) canary invocations during the bake; canary.minInvocations is 100/.exec(run.cause ?? '');
    expect(Number(counted?.[1])).toBeGreaterThan(0);
    expect(await h.serving('churn')).toEqual([[live, 1]]);
  });
});
