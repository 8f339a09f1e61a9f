/**
 * Releasing each inference mode on the local account (packaged ASL, steps from source, moto + our
 * SageMaker simulator): serverless all at once, SageMaker's own guardrails for real-time and async,
 * batch-only registration, serial inference pipelines.
 */
import { DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { approvalEvent, itemsOf, lastDeploymentConfig, modelContainers, useMoto, useSimHarness } from '../support/sim-harness';

const SMOKE = [{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }];
const TRAFFIC = { requestsPerMinute: 1200, body: '1,2,3', contentType: 'text/csv' };

const moto = useMoto();
const h = useSimHarness(moto);

describe('releasing each inference mode on the local account', () => {
  describe('serverless: all at once, bake, revert on alarm', () => {
    const serverless = { 'workload.traffic': 'intermittent' };

    it('replaces the model in one update, bakes against its alarms, and promotes', async () => {
      const live = await h.addPackage('faq');
      await h.addLiveEndpoint('faq', live, 'serverless');
      const candidate = await h.addPackage('faq', { smokePayloads: SMOKE, metadata: serverless });
      h.account.sim.startTraffic({ endpointName: 'faq', ...TRAFFIC });

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).toEqual(expect.arrayContaining(['ServerlessStartDeployment', 'ServerlessSmokeTest', 'ServerlessStartBake', 'ServerlessCheckBake', 'RecordPromotion']));
      expect(run.path).not.toContain('ShiftTraffic');
      expect(run.path).not.toContain('Promote');
      const endpoint = await h.endpoint('faq');
      expect(endpoint?.variants).toHaveLength(1);
      const config = await h.account.sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint?.configName ?? '' }));
      expect(config.ProductionVariants?.[0]?.ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });
      expect(await h.serving('faq')).toEqual([[candidate, 1]]);
      expect((await h.events())[0]?.detail).toMatchObject({ mode: 'serverless', decision: { rule: 'intermittent-fits-serverless' } });
    });

    it('reverts to the previous serverless config when an alarm fires during the bake', async () => {
      const live = await h.addPackage('faq');
      await h.addLiveEndpoint('faq', live, 'serverless');
      const candidate = await h.addPackage('faq', { smokePayloads: SMOKE, metadata: serverless, behaviour: { latencyMs: { p50: 600, p99: 2500 } } });
      h.account.sim.startTraffic({ endpointName: 'faq', ...TRAFFIC });

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.error).toBe('ReleaseRolledBack');
      expect(run.cause).toMatch(/canary alarm: alarm .*latency-p99 is in ALARM/);
      expect((await h.endpoint('faq'))?.configName).toBe('faq-live');
      expect(await h.serving('faq')).toEqual([[live, 1]]);
    });

    it('refuses to turn an instance-based endpoint serverless, before creating anything', async () => {
      const live = await h.addPackage('faq');
      await h.addLiveEndpoint('faq', live);
      const candidate = await h.addPackage('faq', { smokePayloads: SMOKE, metadata: serverless });

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.error).toBe('ModeNotSupported');
      expect(run.cause).toMatch(/instance-based and this release is serverless/);
      expect(await h.models()).toEqual(['faq-live']);
      expect((await h.endpoint('faq'))?.configName).toBe('faq-live');
    });
  });

  describe('native deployment guardrails (real-time strategy native, and async)', () => {
    it('real-time native: one guarded UpdateEndpoint with a canary and auto-rollback alarms, then promoted', async () => {
      const live = await h.addPackage('churn');
      await h.addLiveEndpoint('churn', live);
      const candidate = await h.addPackage('churn', { smokePayloads: SMOKE, metadata: { 'deploy.strategy': 'native', 'canary.percent': '25', 'canary.bakeMinutes': '20' } });

      const run = await h.run(approvalEvent(candidate, 'churn'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).not.toContain('StartCanary');
      expect(await lastDeploymentConfig(h, 'churn')).toMatchObject({
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 1200 } },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: expect.stringMatching(/error-rate$/) }, { AlarmName: expect.stringMatching(/latency-p99$/) }] },
      });
      expect(await h.serving('churn')).toEqual([[candidate, 1]]);
    });

    it('real-time native: a SageMaker-side rollback is detected and reported as one', async () => {
      const live = await h.addPackage('churn');
      await h.addLiveEndpoint('churn', live);
      const candidate = await h.addPackage('churn', { metadata: { 'deploy.strategy': 'native' }, behaviour: { errorRate: 0.5 } });
      h.account.sim.startTraffic({ endpointName: 'churn', ...TRAFFIC });

      const run = await h.run(approvalEvent(candidate, 'churn'));

      expect(run.error).toBe('ReleaseRolledBack');
      expect(run.cause).toMatch(/SageMaker rolled the deployment back: .*went into ALARM/);
      expect(run.path).not.toContain('RollBack');
      expect((await h.events())[0]?.detail).toMatchObject({ trigger: 'sagemaker-rollback', endpoint: { serving: 'previous' } });
      expect(await h.serving('churn')).toEqual([[live, 1]]);
    });

    it('async: AsyncInferenceConfig from the settings, released with guardrails', async () => {
      const live = await h.addPackage('docs');
      await h.addLiveEndpoint('docs', live, 'async');
      const candidate = await h.addPackage('docs', { metadata: { 'workload.maxPayloadMB': '200', 'async.outputPath': 's3://sagemaker-local-data/docs' } });

      const run = await h.run(approvalEvent(candidate, 'docs'));

      expect(run.status).toBe('SUCCEEDED');
      expect((await h.events())[0]?.detail).toMatchObject({ mode: 'async', decision: { rule: 'exceeds-realtime-limits' } });
      expect(await lastDeploymentConfig(h, 'docs')).toMatchObject({ AutoRollbackConfiguration: { Alarms: expect.any(Array) } });
    });

    it('async without async.outputPath is refused before anything is created', async () => {
      const candidate = await h.addPackage('docs', { metadata: { 'workload.inferenceSeconds': '300' } });

      const run = await h.run(approvalEvent(candidate, 'docs'));

      expect(run.error).toBe('InvalidSettings');
      expect(run.cause).toMatch(/async.outputPath/);
      expect(await h.models()).toEqual([]);
    });
  });

  describe('batch only', () => {
    it("creates no endpoint, registers the model as its group's active batch model", async () => {
      const candidate = await h.addPackage('nightly-churn', { metadata: { 'workload.online': 'false' } });

      const run = await h.run(approvalEvent(candidate, 'nightly-churn'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).toEqual(expect.arrayContaining(['RegisterBatchModel', 'RecordRegistration', 'Released']));
      expect(await h.endpoint('nightly-churn')).toBeNull();
      expect(itemsOf(await h.ledgerItems(), 'batchModels')).toEqual([expect.objectContaining({ groupName: 'nightly-churn', modelPackageArn: candidate })]);
      expect((await h.events())[0]).toMatchObject({ detailType: 'Model Deployment Succeeded', detail: { outcome: 'REGISTERED', mode: 'batch' } });
    });
  });

  it('a package with several containers is deployed as one serial inference pipeline model', async () => {
    const candidate = await h.addPackage('pipeline', { containers: [{ Image: 'pre:1' }, { Image: 'xgb:1' }, { Image: 'post:1' }] });

    const run = await h.run(approvalEvent(candidate, 'pipeline'));

    expect(run.status).toBe('SUCCEEDED');
    const model = (await h.models()).find((name) => name.startsWith('pipeline-v1'));
    expect(model).toBeDefined();
    expect(await modelContainers(h, model ?? '')).toEqual([expect.objectContaining({ ModelPackageName: candidate })]);
  });
});
