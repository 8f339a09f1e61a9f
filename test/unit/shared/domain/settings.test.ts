import { parseSettingLayer, resolveSettings } from '../../../../functions/shared/domain/settings';
import { STAGE_DEFAULTS, invalidSettingsMessage, settingsWith } from '../../helpers';

const parseOne = (key: string, value: string) => parseSettingLayer({ [key]: value }, 'test') as Record<string, unknown>;

describe('resolveSettings layering', () => {
  it('takes stage defaults when nothing else is set', () => {
    // Act
    const settings = resolveSettings({ defaults: STAGE_DEFAULTS, metadata: {}, overrides: {} });

    // Assess
    expect(settings.canary.percent).toBe(10);
    expect(settings.endpoint).toEqual({ name: undefined, instanceType: 'ml.m5.large', instanceCount: 1 });
    expect(settings.canary.alarmNames).toEqual([]);
    expect(settings.smoke.payloads).toBeUndefined();
  });

  it('lets package metadata win over defaults, and overrides win over both', () => {
    // Prepare
    const layers = {
      defaults: { ...STAGE_DEFAULTS, 'canary.percent': '10', 'canary.bakeMinutes': '10' },
      metadata: { 'canary.percent': '20', 'canary.bakeMinutes': '30', 'endpoint.instanceCount': '2' },
      overrides: { 'canary.percent': '5' },
    };

    // Act
    const settings = resolveSettings(layers);

    // Assess
    expect(settings.canary.percent).toBe(5); // override
    expect(settings.canary.bakeMinutes).toBe(30); // metadata
    expect(settings.endpoint.instanceCount).toBe(2); // metadata
    expect(settings.endpoint.instanceType).toBe('ml.m5.large'); // default
  });

  it('names the layer that holds a bad value', () => {
    // Act
    const message = invalidSettingsMessage(() => resolveSettings({ defaults: STAGE_DEFAULTS, metadata: {}, overrides: { 'canary.percent': '90' } }));

    // Assess
    expect(message).toContain("manual run's overrides");
    expect(message).toContain('canary.percent');
  });

  it('refuses missing required keys with no default, naming each', () => {
    // Prepare
    const { 'canary.percent': _p, 'slo.latencyP99Ms': _l, ...defaults } = STAGE_DEFAULTS;

    // Act
    const message = invalidSettingsMessage(() => resolveSettings({ defaults, metadata: {}, overrides: {} }));

    // Assess
    expect(message).toMatch(/Missing settings/);
    expect(message).toContain('canary.percent');
    expect(message).toContain('slo.latencyP99Ms');
  });

  it('accepts a required key supplied only by the package metadata', () => {
    // Prepare
    const { 'canary.percent': _p, ...defaults } = STAGE_DEFAULTS;

    // Act
    const settings = resolveSettings({ defaults, metadata: { 'canary.percent': '25' }, overrides: {} });

    // Assess
    expect(settings.canary.percent).toBe(25);
  });
});

describe('resolveSettings: smoke payloads named one way per layer', () => {
  const inline = JSON.stringify([{ contentType: 'text/csv', body: '1,2,3' }]);
  const url = 's3://sagemaker-bucket/smoke/churn.jsonl';

  it("lets a package's smoke.payloadsUrl replace inline stage-default payloads", () => {
    // Act
    const settings = resolveSettings({ defaults: { ...STAGE_DEFAULTS, 'smoke.payloads': inline }, metadata: { 'smoke.payloadsUrl': url }, overrides: {} });

    // Assess
    expect(settings.smoke).toMatchObject({ payloads: undefined, payloadsUrl: url });
  });

  it("lets a manual run's inline payloads replace the package's file", () => {
    // Act
    const settings = resolveSettings({ defaults: STAGE_DEFAULTS, metadata: { 'smoke.payloadsUrl': url }, overrides: { 'smoke.payloads': inline } });

    // Assess
    expect(settings.smoke.payloadsUrl).toBeUndefined();
    expect(settings.smoke.payloads).toEqual([{ contentType: 'text/csv', body: '1,2,3' }]);
  });

  it('refuses a layer that names the payloads both ways', () => {
    const message = invalidSettingsMessage(() => resolveSettings({ defaults: STAGE_DEFAULTS, metadata: {}, overrides: { 'smoke.payloads': inline, 'smoke.payloadsUrl': url } }));
    expect(message).toMatch(/manual run's overrides: smoke\.payloads and smoke\.payloadsUrl both set/);
  });
});

describe('parseSettingLayer: unknown and foreign keys', () => {
  it('refuses a typo under our prefixes, naming the key', () => {
    const message = invalidSettingsMessage(() => parseSettingLayer({ 'canary.bakeMinute': '10' }, 'metadata'));
    expect(message).toContain('canary.bakeMinute: unknown setting');
  });

  it('reports every problem of a layer at once', () => {
    const message = invalidSettingsMessage(() => parseSettingLayer({ 'canary.bakeMinute': '10', 'canary.percent': 'ten' }, 'metadata'));
    expect(message).toContain('canary.bakeMinute');
    expect(message).toContain('canary.percent="ten"');
  });

  it.each([
    ['team', 'ml-platform'],
    ['owner.email', 'a@example.com'],
    ['canaryPercent', 'whatever'], // our word, but no dot: not one of our keys
    ['Canary.percent', '99'], // prefixes are case-sensitive
  ])('ignores %s, which is outside our prefixes', (key, value) => {
    expect(parseSettingLayer({ [key]: value }, 'metadata')).toEqual({});
  });

  it('trims surrounding whitespace before parsing', () => {
    expect(parseOne('canary.percent', ' 7 ')).toEqual({ 'canary.percent': 7 });
  });
});

describe('parseSettingLayer: each key', () => {
  it.each<[string, string, unknown]>([
    ['endpoint.name', 'churn-prod', 'churn-prod'],
    ['endpoint.name', 'a'.repeat(63), 'a'.repeat(63)],
    ['endpoint.instanceType', 'ml.g5.xlarge', 'ml.g5.xlarge'],
    ['endpoint.instanceCount', '1', 1],
    ['endpoint.instanceCount', '100', 100],
    ['canary.percent', '1', 1],
    ['canary.percent', '50', 50],
    ['canary.bakeMinutes', '1440', 1440],
    ['canary.alarmNames', ' a-alarm, b-alarm ,,', ['a-alarm', 'b-alarm']],
    ['canary.alarmNames', '', []],
    ['canary.alarmNames', 'churn-kpi+churn latency p99', ['churn-kpi', 'churn latency p99']],
    ['smoke.payloadsUrl', 's3://sagemaker-us-east-1-1234/smoke/churn.jsonl', 's3://sagemaker-us-east-1-1234/smoke/churn.jsonl'],
    ['canary.minInvocations', '0', 0],
    ['canary.insufficientTraffic', 'promote', 'promote'],
    ['slo.latencyP99Ms', '250.5', 250.5],
    ['slo.errorRatePercent', '0', 0],
    ['slo.errorRatePercent', '100', 100],
    ['smoke.latencyBudgetMs', '1', 1],
    ['deploy.mode', 'multi-model', 'multi-model'],
    ['deploy.strategy', 'native', 'native'],
    ['deploy.multiModelGroup', 'shared-mme', 'shared-mme'],
    ['workload.online', 'false', false],
    ['workload.online', 'true', true],
    ['workload.maxPayloadMB', '1024', 1024],
    ['workload.inferenceSeconds', '0.5', 0.5],
    ['workload.traffic', 'intermittent', 'intermittent'],
    ['model.memoryMB', '8192', 8192],
    ['monitoring.dataCapture', 'true', true],
    ['serverless.memoryMB', '1024', 1024],
    ['serverless.memoryMB', '6144', 6144],
    ['serverless.maxConcurrency', '200', 200],
    ['serverless.provisionedConcurrency', '1', 1],
    ['async.outputPath', 's3://my-bucket/out/', 's3://my-bucket/out/'],
    ['async.failurePath', 's3://my-bucket', 's3://my-bucket'],
    ['async.maxConcurrentInvocationsPerInstance', '1000', 1000],
  ])('parses %s=%j', (key, raw, expected) => {
    expect(parseOne(key, raw)).toEqual({ [key]: expected });
  });

  it.each<[string, string, RegExp]>([
    ['endpoint.name', '-churn', /letters, digits or hyphens/],
    ['endpoint.name', 'a'.repeat(64), /1-63/],
    ['endpoint.name', 'churn_prod', /letters, digits or hyphens/],
    ['endpoint.name', `a${'-'.repeat(70)}b`, /at most 63 characters/], // the regex alone counts hyphen runs as one
    ['deploy.multiModelGroup', `m${'-'.repeat(62)}m`, /at most 63 characters/],
    ['endpoint.instanceType', 'm5.large', /SageMaker instance type/],
    ['endpoint.instanceCount', '0', /at least 1/],
    ['endpoint.instanceCount', '101', /at most 100/],
    ['endpoint.instanceCount', '1.5', /whole number/],
    ['canary.percent', '0', /at least 1/],
    ['canary.percent', '51', /at most 50/],
    ['canary.percent', '-5', /whole number/],
    ['canary.bakeMinutes', '1441', /at most 1440/],
    ['canary.insufficientTraffic', 'ignore', /"rollback" or "promote"/],
    ['slo.latencyP99Ms', '0', /at least 1/],
    ['slo.latencyP99Ms', 'fast', /must be a number/],
    ['slo.errorRatePercent', '100.5', /at most 100/],
    ['deploy.mode', 'edge', /must be one of realtime, serverless/],
    ['deploy.strategy', 'blue-green', /"canary" or "native"/],
    ['workload.online', 'yes', /"true" or "false"/],
    ['workload.maxPayloadMB', '1025', /at most 1024/],
    ['workload.traffic', 'bursty', /"steady" or "intermittent"/],
    ['monitoring.dataCapture', 'TRUE', /"true" or "false"/],
    ['serverless.memoryMB', '1500', /1024, 2048, 3072/],
    ['serverless.memoryMB', '512', /at least 1024/],
    ['serverless.memoryMB', '7168', /at most 6144/],
    ['serverless.maxConcurrency', '201', /at most 200/],
    ['async.outputPath', 'https://bucket/out', /s3:\/\//],
    ['async.maxConcurrentInvocationsPerInstance', '0', /at least 1/],
  ])('refuses %s=%j', (key, raw, why) => {
    // Act
    const message = invalidSettingsMessage(() => parseOne(key, raw));

    // Assess
    expect(message).toContain(`${key}=${JSON.stringify(raw)}`);
    expect(message).toMatch(why);
  });

  describe('smoke.payloads', () => {
    it('parses a JSON array of payloads', () => {
      // Prepare
      const payloads = [
        { contentType: 'text/csv', body: '1,2,3', expect: '0.5' },
        { contentType: 'application/json', body: '{"x":1}', accept: 'application/json' },
      ];

      // Act
      const parsed = parseOne('smoke.payloads', JSON.stringify(payloads));

      // Assess
      expect(parsed['smoke.payloads']).toEqual(payloads);
    });

    it('refuses text that is not JSON', () => {
      const message = invalidSettingsMessage(() => parseOne('smoke.payloads', '[{contentType: text/csv}]'));
      expect(message).toContain('smoke.payloads');
      expect(message).toContain('must be a JSON array of {contentType, body, expect?}');
    });

    it.each([
      ['an object instead of an array', '{"contentType":"text/csv","body":"1"}'],
      ['a payload without a body', '[{"contentType":"text/csv"}]'],
      ['a payload with an unknown field', '[{"contentType":"text/csv","body":"1","expected":"0"}]'],
      ['an empty content type', '[{"contentType":"","body":"1"}]'],
      ['more than 20 payloads', JSON.stringify(Array.from({ length: 21 }, () => ({ contentType: 'text/csv', body: '1' })))],
    ])('refuses %s', (_what, raw) => {
      const message = invalidSettingsMessage(() => parseOne('smoke.payloads', raw));
      expect(message).toContain('smoke.payloads=');
      expect(message).toContain('must be a JSON array');
    });

    it('says which payload field is wrong', () => {
      const message = invalidSettingsMessage(() => parseOne('smoke.payloads', '[{"contentType":"text/csv","body":"1"},{"contentType":"text/csv"}]'));
      expect(message).toContain('1.body');
    });
  });

  it.each([
    ['not an S3 URI', 'https://bucket/smoke.jsonl'],
    ['a prefix, not an object', 's3://sagemaker-bucket/smoke/'],
    ['a bucket only', 's3://sagemaker-bucket'],
  ])('refuses a smoke.payloadsUrl that is %s', (_what, raw) => {
    expect(invalidSettingsMessage(() => parseOne('smoke.payloadsUrl', raw))).toMatch(/smoke\.payloadsUrl=.*must be the s3:\/\/ URI of an object/);
  });

  it('flows parsed values into the typed settings', () => {
    // Act
    const settings = settingsWith({ 'canary.alarmNames': 'a,b', 'serverless.provisionedConcurrency': '2', 'async.outputPath': 's3://out-bucket/x' });

    // Assess
    expect(settings.canary.alarmNames).toEqual(['a', 'b']);
    expect(settings.serverless).toEqual({ memoryMB: 2048, maxConcurrency: 5, provisionedConcurrency: 2 });
    expect(settings.async.outputPath).toBe('s3://out-bucket/x');
  });
});
