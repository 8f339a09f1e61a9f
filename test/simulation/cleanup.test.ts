/**
 * Clean-up on the local account: what finished releases leave behind is deleted once nothing can go back
 * to it, by the packaged state machine's CleanUp step, with IAM evaluated against its role.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListEndpointConfigsCommand, ListModelsCommand } from '@aws-sdk/client-sagemaker';
import { approvalEvent, useMoto, useSimHarness, type SimHarness } from '../support/sim-harness';

const SMOKE = [{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }];
const TRAFFIC = { requestsPerMinute: 1200, body: '1,2,3', contentType: 'text/csv' };
const CANARY = { 'canary.percent': '20', 'canary.bakeMinutes': '5' };

const moto = useMoto();

async function inventory(h: SimHarness) {
  const configs = ((await h.account.sageMaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 }))).EndpointConfigs ?? []).map((c) => c.EndpointConfigName ?? '').sort();
  const models = ((await h.account.sageMaker.send(new ListModelsCommand({ MaxResults: 100 }))).Models ?? []).map((m) => m.ModelName ?? '').sort();
  const cw = new CloudWatchClient(h.account.clientConfig);
  const alarms = ((await cw.send(new DescribeAlarmsCommand({ MaxRecords: 100 }))).MetricAlarms ?? []).map((a) => a.AlarmName ?? '').sort();
  return { configs, models, alarms };
}

/** The run's CleanUp output. */
const cleanupOf = (run: { states: { name: string; output?: unknown }[] }) => (run.states.find((s) => s.name === 'CleanUp')?.output as { cleanup?: Record<string, unknown> } | undefined)?.cleanup;

describe('clean-up after each release', () => {
  const h = useSimHarness(moto);

  it('after a promotion: the canary config and alarms are gone; the final config, its model and the config it replaced stay', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const before = await inventory(h);
    const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: CANARY });
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const after = await inventory(h);
    const endpoint = await h.endpoint('churn');
    expect(after.configs).toEqual([...before.configs, endpoint?.configName ?? '?'].sort());
    expect(after.models.filter((m) => !before.models.includes(m))).toEqual([expect.stringMatching(/^churn-v2-[0-9a-f]{8}$/)]);
    expect(after.alarms).toEqual(before.alarms);
    expect(cleanupOf(run)).toMatchObject({ deleted: { configs: [expect.stringMatching(/-canary$/)], alarms: [expect.stringMatching(/error-rate$/), expect.stringMatching(/latency-p99$/)] } });
  });

  it('after a rollback: the candidate\'s model, configs and alarms are deleted; the live endpoint is untouched', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const before = await inventory(h);
    const candidate = await h.addPackage('churn', { behaviour: { errorRate: 0.5 } });
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });

    // Act
    const run = await h.run(approvalEvent(candidate, 'churn'));

    // Assess
    expect(run.error).toBe('ReleaseRolledBack');
    expect(await inventory(h)).toEqual(before);
    expect(await h.serving('churn')).toEqual([[live, 1]]);
  });
});

describe('clean-up keeps the last keepPromotedReleases promoted releases for rollback', () => {
  const h = useSimHarness(moto, { env: { KEEP_PROMOTED_RELEASES: '1' } });

  it('with 1 kept: after three promotions, the first one\'s config and model are deleted; the live one and the one it replaced stay', async () => {
    // Prepare
    const live = await h.addPackage('churn');
    await h.addLiveEndpoint('churn', live);
    const seeded = await inventory(h);
    h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });
    const finals: string[] = [];
    let last: Awaited<ReturnType<SimHarness['run']>> | undefined;

    // Act
    for (let i = 0; i < 3; i++) {
      const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: CANARY });
      const run = await h.run(approvalEvent(candidate, 'churn'));
      last = run;
      expect(run.status).toBe('SUCCEEDED');
      finals.push((await h.endpoint('churn'))?.configName ?? '?');
    }

    // Assess: the third is live, the second is what a manual rollback restores; the first is gone, model too.
    const after = await inventory(h);
    expect(after.configs).toEqual([...seeded.configs, finals[1] ?? '', finals[2] ?? ''].sort());
    expect(after.models.filter((m) => !seeded.models.includes(m)).map((m) => m.replace(/-[0-9a-f]{8}$/, ''))).toEqual(['churn-v3', 'churn-v4']);
    expect(after.alarms).toEqual(seeded.alarms);
    // The seeded config is no release's: never a candidate for deletion.
    expect(after.configs).toEqual(expect.arrayContaining(seeded.configs));
    // The second release is past the window but still what a rollback restores: kept, and said so.
    expect(cleanupOf(last ?? { states: [] })).toMatchObject({ deleted: { configs: expect.arrayContaining([finals[0]]) }, stillNeeded: expect.arrayContaining([finals[1]]), notOurs: [] });
  });
});
