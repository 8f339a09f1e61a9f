/**
 * The bad-input corpus (local/bad-inputs.ts) on the local account: every case ends in its named error, and
 * the account is exactly as it was (no model, config, endpoint, alarm, weight, lease or claim left behind).
 * Every case runs on the steps from source; a sample also runs as `npm run simulate -- --bad-input` does,
 * with the bundles, through the scenario runner.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListEndpointConfigsCommand } from '@aws-sdk/client-sagemaker';
import { BAD_INPUTS, materialize } from '../../local/bad-inputs';
import { badInputScenario } from '../../local/bad-input-suite';
import { runScenario } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';
import { approvalEvent, createSimHarness, itemsOf, useMoto, type SimHarness } from '../support/sim-harness';

const SAMPLE = [
  'an empty object',
  'event with a non-ARN package',
  'event for a package that does not exist',
  'manual run of a rejected package',
  'rollback of an endpoint the ledger never promoted',
  'score without a date',
  'canary.percent 0',
  'serverless on a GPU instance type',
  'canary alarm that does not exist',
];

const moto = useMoto();

describe('bad input never changes the account', () => {
  // One account for the whole corpus: no bad input may change it, so each case starts where the last left it.
  let h: SimHarness;
  let live: string;
  let rejectedArn: string;
  /** The account as it was before the first bad input. */
  let before: string;
  beforeAll(async () => {
    h = await createSimHarness({ moto: moto() });
    live = await h.addPackage('churn-model');
    await h.addLiveEndpoint('churn-model', live);
    rejectedArn = await h.addPackage('churn-model', { approval: 'Rejected' });
    before = await accountState();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Models, endpoint configs, what the endpoint serves, and the alarms: what a bad input must not change. */
  const accountState = async () =>
    JSON.stringify({
      models: await h.models(),
      configs: ((await h.account.sageMaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 }))).EndpointConfigs ?? []).map((c) => c.EndpointConfigName).sort(),
      serving: await h.serving('churn-model'),
      alarms: ((await h.cloudWatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName).sort(),
    });

  it('has at least 30 cases', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_INPUTS.filter((c) => c.refusedBy !== undefined).map((c) => [c.name, c] as const))('%s: SageMaker refuses the package, as it would in a real account', async (_name, c) => {
    // Act
    const created = h.addPackage('churn-model', { metadata: c.metadata ?? {} });

    // Assess
    await expect(created).rejects.toMatchObject({ name: c.expectedError, message: expect.stringMatching(/customerMetadataProperties/) });
    expect(await accountState()).toBe(before);
  });

  it.each(BAD_INPUTS.filter((c) => c.refusedBy === undefined).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // Prepare: the live endpoint the bad input must not touch, this case's S3 objects and packages.
    for (const [uri, body] of Object.entries(c.objects ?? {})) await h.putObject(uri, body);
    const arn = await h.addPackage('churn-model', { metadata: c.metadata ?? {} });
    const missingArn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/99';
    const input = c.input === null && c.metadata ? approvalEvent(arn, 'churn-model') : materialize(c.input, { arn, rejectedArn, missingArn });

    // Act
    const run = await h.run(input);

    // Assess
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: c.expectedError });
    expect(run.cause ?? '').not.toBe('');
    expect(await accountState()).toBe(before);
    expect(await h.serving('churn-model')).toEqual([[live, 1]]);
    // The ledger may remember a failed attempt, but nothing stays in progress or holds the endpoint.
    const items = await h.ledgerItems();
    expect(itemsOf(items, 'records').map((r) => r.status).filter((s) => s !== 'FAILED')).toEqual([]);
    expect(itemsOf(items, 'claims').filter((claim) => claim.status === 'IN_PROGRESS')).toEqual([]);
    expect(itemsOf(items, 'leases')).toEqual([]);
    expect(itemsOf(items, 'tickets')).toEqual([]);
    expect((await h.events()).map((e) => e.detailType).filter((t) => t !== 'Model Deployment Failed')).toEqual([]);
  });

});

describe('a corrected package after bad settings', () => {
  it('a release that failed on bad settings does not block the corrected package', async () => {
    const h = await createSimHarness({ moto: moto() });
    try {
      const arn = await h.addPackage('churn-model', { metadata: { 'canary.alarmNames': 'churn-business-kpi' } });
      const failed = await h.run(approvalEvent(arn, 'churn-model', 'evt-1'));
      await h.setMetadata(arn, {});

      const fixed = await h.run(approvalEvent(arn, 'churn-model', 'evt-2'));

      expect(failed.error).toBe('InvalidSettings');
      expect(fixed.status).toBe('SUCCEEDED');
      expect(fixed.path).toContain('PrepareDeployment');
    } finally {
      await h.close();
    }
  });
});

describe('bad input as `npm run simulate -- --bad-input` runs it (bundles, scenario runner)', () => {
  it.each(SAMPLE)('%s: a named error, and the account unchanged', async (name) => {
    const c = BAD_INPUTS.find((b) => b.name === name);
    if (!c) throw new Error(`no corpus case named ${name}`);

    const result = await runScenario(badInputScenario(c), { moto: moto(), loadModule });

    expect(result.failures).toEqual([]);
    expect(result.error).toBe(c.expectedError);
    expect(result.endpoint?.variants.filter((v) => v.weight > 0).map((v) => v.model)).toEqual(['churn-model-live']);
  });
});
