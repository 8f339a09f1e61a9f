import { createHarness, approvalEvent, type Harness } from '../support/pipeline-harness';

const SMOKE = JSON.stringify([{ contentType: 'text/csv', body: '1,2,3', expect: '0.5' }]);

describe('releasing each inference mode (packaged ASL, handlers in-process, AWS faked)', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => h.restore());

  describe('serverless: all at once, bake, revert on alarm', () => {
    const serverless = { 'workload.traffic': 'intermittent', 'smoke.payloads': SMOKE };

    it('replaces the model in one update, bakes against its alarms, and promotes', async () => {
      const live = h.aws.addPackage('faq', 1);
      h.aws.addLiveServerlessEndpoint('faq', live);
      const candidate = h.aws.addPackage('faq', 2, { CustomerMetadataProperties: serverless });

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).toEqual(expect.arrayContaining(['ServerlessStartDeployment', 'ServerlessSmokeTest', 'ServerlessStartBake', 'ServerlessCheckBake', 'RecordPromotion']));
      expect(run.path).not.toContain('ShiftTraffic');
      expect(run.path).not.toContain('Promote');
      const config = h.aws.configs.get(h.aws.endpoints.get('faq')?.configName ?? '') ?? [];
      expect(config).toHaveLength(1);
      expect(config[0]?.ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });
      expect([...h.aws.servingPackages('faq')]).toEqual([[candidate, 1]]);
      expect(h.aws.events[0]?.detail).toMatchObject({ mode: 'serverless', decision: { rule: 'intermittent-fits-serverless' } });
    });

    it('reverts to the previous serverless config when an alarm fires during the bake', async () => {
      const live = h.aws.addPackage('faq', 1);
      h.aws.addLiveServerlessEndpoint('faq', live);
      const candidate = h.aws.addPackage('faq', 2, { CustomerMetadataProperties: serverless });
      h.aws.firingAlarm = /latency-p99/;

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.error).toBe('ReleaseRolledBack');
      expect(run.cause).toMatch(/canary alarm: alarm .*latency-p99 is in ALARM/);
      expect(h.aws.endpoints.get('faq')?.configName).toBe('faq-live');
      expect([...h.aws.servingPackages('faq')]).toEqual([[live, 1]]);
    });

    it('refuses to turn an instance-based endpoint serverless, before creating anything', async () => {
      const live = h.aws.addPackage('faq', 1);
      h.aws.addLiveEndpoint('faq', live);
      const candidate = h.aws.addPackage('faq', 2, { CustomerMetadataProperties: serverless });

      const run = await h.run(approvalEvent(candidate, 'faq'));

      expect(run.error).toBe('ModeNotSupported');
      expect(run.cause).toMatch(/instance-based and this release is serverless/);
      expect([...h.aws.models.keys()]).toEqual(['live-model-faq']);
      expect(h.aws.endpoints.get('faq')?.configName).toBe('faq-live');
    });
  });

  describe('native deployment guardrails (real-time strategy native, and async)', () => {
    it('real-time native: one guarded UpdateEndpoint with a canary and auto-rollback alarms, then promoted', async () => {
      const live = h.aws.addPackage('churn', 1);
      h.aws.addLiveEndpoint('churn', live);
      const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'deploy.strategy': 'native', 'canary.percent': '25', 'canary.bakeMinutes': '20', 'smoke.payloads': SMOKE } });

      const run = await h.run(approvalEvent(candidate, 'churn'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).not.toContain('StartCanary');
      expect(h.aws.lastDeploymentConfig).toMatchObject({
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 1200 } },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: expect.stringMatching(/error-rate$/) }, { AlarmName: expect.stringMatching(/latency-p99$/) }] },
      });
      expect([...h.aws.servingPackages('churn')]).toEqual([[candidate, 1]]);
    });

    it('real-time native: a SageMaker-side rollback is detected and reported as one', async () => {
      const live = h.aws.addPackage('churn', 1);
      h.aws.addLiveEndpoint('churn', live);
      const candidate = h.aws.addPackage('churn', 2, { CustomerMetadataProperties: { 'deploy.strategy': 'native' } });
      h.aws.firingAlarm = /error-rate/;

      const run = await h.run(approvalEvent(candidate, 'churn'));

      expect(run.error).toBe('ReleaseRolledBack');
      expect(run.cause).toMatch(/SageMaker rolled the deployment back: .*went into ALARM/);
      expect(run.path).not.toContain('RollBack');
      expect(h.aws.events[0]?.detail).toMatchObject({ trigger: 'sagemaker-rollback', endpoint: { serving: 'previous' } });
      expect([...h.aws.servingPackages('churn')]).toEqual([[live, 1]]);
    });

    it('async: AsyncInferenceConfig from the settings, released with guardrails', async () => {
      const live = h.aws.addPackage('docs', 1);
      h.aws.addLiveEndpoint('docs', live);
      const candidate = h.aws.addPackage('docs', 2, { CustomerMetadataProperties: { 'workload.maxPayloadMB': '200', 'async.outputPath': 's3://sagemaker-async/docs' } });

      const run = await h.run(approvalEvent(candidate, 'docs'));

      expect(run.status).toBe('SUCCEEDED');
      expect(h.aws.events[0]?.detail).toMatchObject({ mode: 'async', decision: { rule: 'exceeds-realtime-limits' } });
      expect(h.aws.lastDeploymentConfig).toMatchObject({ AutoRollbackConfiguration: { Alarms: expect.any(Array) } });
    });

    it('async without async.outputPath is refused before anything is created', async () => {
      const candidate = h.aws.addPackage('docs', 2, { CustomerMetadataProperties: { 'workload.inferenceSeconds': '300' } });

      const run = await h.run(approvalEvent(candidate, 'docs'));

      expect(run.error).toBe('InvalidSettings');
      expect(run.cause).toMatch(/async.outputPath/);
      expect(h.aws.models.size).toBe(0);
    });
  });

  describe('batch only', () => {
    it('creates no endpoint, registers the model as its group\'s active batch model', async () => {
      const candidate = h.aws.addPackage('nightly-churn', 3, { CustomerMetadataProperties: { 'workload.online': 'false' } });

      const run = await h.run(approvalEvent(candidate, 'nightly-churn'));

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path).toEqual(expect.arrayContaining(['RegisterBatchModel', 'RecordRegistration', 'Released']));
      expect(h.aws.endpoints.size).toBe(0);
      expect(await h.ledger.activeBatchModel('nightly-churn')).toMatchObject({ modelPackageArn: candidate });
      expect(h.aws.events[0]).toMatchObject({ detailType: 'Model Deployment Succeeded', detail: { outcome: 'REGISTERED', mode: 'batch' } });
    });
  });

  it('a package with several containers is deployed as one serial inference pipeline model', async () => {
    const candidate = h.aws.addPackage('pipeline', 1, {
      InferenceSpecification: { Containers: [{ Image: 'pre:1' }, { Image: 'xgb:1' }, { Image: 'post:1' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
    });

    const run = await h.run(approvalEvent(candidate, 'pipeline'));

    expect(run.status).toBe('SUCCEEDED');
    const create = h.aws.sageMaker.calls().map((c) => c.args[0].input as { ModelName?: string; Containers?: unknown[] }).find((i) => i.ModelName?.startsWith('pipeline-v1'));
    expect(create?.Containers).toEqual([{ ModelPackageName: candidate }]);
  });
});
