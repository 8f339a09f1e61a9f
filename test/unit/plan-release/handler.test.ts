import { handler } from '../../../functions/plan-release/handler';
import { STAGE_DEFAULTS, lambdaContext, modelPackage } from '../helpers';

type PlanModule = typeof import('../../../functions/plan-release/handler');

/**
 * Runs a fresh copy of the handler module (its env is validated once, on its first call) with
 * DEFAULT_SETTINGS set to `value` for that first call.
 */
async function runWithDefaultSettings(value: string | undefined, event: unknown, stageSettings?: string): Promise<unknown> {
  const saved = process.env.DEFAULT_SETTINGS;
  if (value === undefined) delete process.env.DEFAULT_SETTINGS;
  else process.env.DEFAULT_SETTINGS = value;
  if (stageSettings !== undefined) process.env.STAGE_SETTINGS = stageSettings;
  try {
    let isolated: PlanModule['handler'] | undefined;
    jest.isolateModules(() => {
      isolated = (require('../../../functions/plan-release/handler') as PlanModule).handler;
    });
    if (isolated === undefined) throw new Error('module did not load');
    return await isolated(event, lambdaContext());
  } finally {
    process.env.DEFAULT_SETTINGS = saved;
    delete process.env.STAGE_SETTINGS;
  }
}

const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:release-pipeline-dev-release:run-1';
const event = (metadata: Record<string, string> = {}, request: { endpointName: string | null; overrides: Record<string, string> } = { endpointName: null, overrides: {} }, executionId = EXECUTION_ARN) => ({
  request,
  package: modelPackage({ metadata }),
  execution: { id: executionId, startTime: '2026-03-02T09:00:00.000Z' },
});

beforeAll(() => {
  process.env.DEFAULT_SETTINGS = JSON.stringify(STAGE_DEFAULTS);
});

describe('PlanRelease handler', () => {
  it('plans a real-time canary release on an endpoint named after the group', async () => {
    // Act
    const plan = await handler(event(), lambdaContext());

    // Assess
    expect(plan.mode).toBe('realtime');
    expect(plan.style).toBe('variant-canary');
    expect(plan.endpointName).toBe('churn-model');
    expect(plan.releaseId).toMatch(/^[0-9a-f]{8}$/);
    expect(plan.names.model).toBe(`churn-model-v7-${plan.releaseId}`);
    expect(plan.decision.rule).toBe('default-realtime');
  });

  it('names each execution its own release, and the same execution always the same one', async () => {
    // Act
    const first = await handler(event(), lambdaContext());
    const again = await handler(event(), lambdaContext());
    const other = await handler(event({}, undefined, `${EXECUTION_ARN}-2`), lambdaContext());

    // Assess
    expect(again.releaseId).toBe(first.releaseId);
    expect(other.releaseId).not.toBe(first.releaseId);
    expect(other.names.model).toBe(`churn-model-v7-${other.releaseId}`);
  });

  it('refuses a state without the execution it runs in with InvalidInput', async () => {
    const { execution: _execution, ...withoutExecution } = event();
    await expect(handler(withoutExecution, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('execution') });
  });

  it('takes stage defaults for keys without a param from STAGE_SETTINGS (the stageSettings param), over DEFAULT_SETTINGS', async () => {
    // Act
    const plan = (await runWithDefaultSettings(JSON.stringify(STAGE_DEFAULTS), event(), JSON.stringify({ 'canary.alarmNames': 'churn-kpi,churn-latency', 'canary.percent': '15' }))) as { settings: { canary: { alarmNames: string[]; percent: number } } };

    // Assess
    expect(plan.settings.canary).toMatchObject({ alarmNames: ['churn-kpi', 'churn-latency'], percent: 15 });
  });

  it('refuses a STAGE_SETTINGS that is not a JSON object of strings with InvalidConfiguration', async () => {
    await expect(runWithDefaultSettings(JSON.stringify(STAGE_DEFAULTS), event(), '{"canary.percent": 15}')).rejects.toMatchObject({ name: 'InvalidConfiguration', message: expect.stringContaining('STAGE_SETTINGS') });
  });

  it('layers package metadata over defaults and the run overrides over both', async () => {
    const plan = await handler(event({ 'canary.percent': '20', 'endpoint.name': 'from-metadata' }, { endpointName: null, overrides: { 'canary.percent': '5' } }), lambdaContext());
    expect(plan.settings.canary.percent).toBe(5);
    expect(plan.endpointName).toBe('from-metadata');
  });

  it('lets the run name the endpoint over endpoint.name', async () => {
    const plan = await handler(event({ 'endpoint.name': 'from-metadata' }, { endpointName: 'from-run', overrides: {} }), lambdaContext());
    expect(plan.endpointName).toBe('from-run');
    expect(plan.names.finalConfig).toBe(`from-run-${plan.releaseId}`);
  });

  it('has no endpoint for a batch release', async () => {
    const plan = await handler(event({ 'workload.online': 'false' }), lambdaContext());
    expect(plan).toMatchObject({ mode: 'batch', style: 'batch-register', endpointName: null });
  });

  it('plans a multi-model release to the shared endpoint its group names', async () => {
    const plan = await handler(event({ 'deploy.multiModelGroup': 'shared-mme' }), lambdaContext());
    expect(plan).toMatchObject({ mode: 'multi-model', style: 'multi-model-artifact', endpointName: 'shared-mme', decision: { rule: 'multi-model-group' } });
  });

  it('refuses a multi-model release whose run names another endpoint, before anything is claimed', async () => {
    await expect(handler(event({ 'deploy.multiModelGroup': 'shared-mme' }, { endpointName: 'from-run', overrides: {} }), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidSettings',
      message: expect.stringMatching(/endpointName from-run: .*shared-mme/),
    });
  });

  it('refuses a multi-model release of a package without one model archive (ModeNotSupported)', async () => {
    const pkg = modelPackage({ metadata: { 'deploy.multiModelGroup': 'shared-mme' }, containers: [{ image: 'xgb:1', modelDataUrl: null }] });
    await expect(handler({ ...event(), package: pkg }, lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported' });
  });

  it('refuses deploy.mode multi-model without a group (ModeNotSupported)', async () => {
    await expect(handler(event({ 'deploy.mode': 'multi-model' }), lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported', message: expect.stringContaining('deploy.multiModelGroup') });
  });

  it('refuses bad package metadata with InvalidSettings naming the key', async () => {
    await expect(handler(event({ 'canary.bakeMinute': '30' }), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidSettings',
      message: expect.stringContaining('canary.bakeMinute'),
    });
  });

  it('refuses a mode the model cannot use with ModeNotSupported', async () => {
    await expect(handler(event({ 'deploy.mode': 'serverless', 'endpoint.instanceType': 'ml.g5.xlarge' }), lambdaContext())).rejects.toMatchObject({
      name: 'ModeNotSupported',
    });
  });

  it('refuses an async release without async.outputPath with InvalidSettings naming the key', async () => {
    await expect(handler(event({ 'deploy.mode': 'async' }), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidSettings',
      message: expect.stringMatching(/^async\.outputPath: /),
    });
  });

  it('refuses an async release chosen by the limits (not by deploy.mode) without async.outputPath too', async () => {
    await expect(handler(event({ 'workload.maxPayloadMB': '100' }), lambdaContext())).rejects.toMatchObject({ name: 'InvalidSettings', message: expect.stringContaining('async.outputPath') });
  });

  it('plans an async release with async.outputPath under native guardrails', async () => {
    const plan = await handler(event({ 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out' }), lambdaContext());
    expect(plan).toMatchObject({ mode: 'async', style: 'async-guardrails', endpointName: 'churn-model' });
  });

  it.each([
    ['native real-time', { 'deploy.strategy': 'native' }],
    ['async', { 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out' }],
  ])('refuses a %s bake over 60 minutes with InvalidSettings', async (_what, metadata) => {
    await expect(handler(event({ ...metadata, 'canary.bakeMinutes': '61' }), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidSettings',
      message: 'canary.bakeMinutes 61: SageMaker deployment guardrails bake at most 60 minutes',
    });
  });

  it('takes a native bake of exactly 60 minutes', async () => {
    const plan = await handler(event({ 'deploy.strategy': 'native', 'canary.bakeMinutes': '60' }), lambdaContext());
    expect(plan).toMatchObject({ style: 'native-guardrails', settings: { canary: { bakeMinutes: 60 } } });
  });

  it('lets a variant canary bake longer than 60 minutes (the pipeline bakes it, not SageMaker)', async () => {
    const plan = await handler(event({ 'canary.bakeMinutes': '240' }), lambdaContext());
    expect(plan).toMatchObject({ style: 'variant-canary', settings: { canary: { bakeMinutes: 240 } } });
  });

  it('refuses a package slice without containers as InvalidInput', async () => {
    const { containers: _c, ...pkg } = modelPackage();
    await expect(handler({ ...event(), package: pkg }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('package.containers'),
    });
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{endpoint.instanceType: ml.m5.large}'],
    ['a JSON object with a non-string value', '{"canary.percent": 10}'],
    ['an empty object', '{}'],
  ])('fails with InvalidConfiguration when DEFAULT_SETTINGS is %s', async (_what, value) => {
    // Act
    const result = runWithDefaultSettings(value, event());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidConfiguration', message: expect.stringContaining('DEFAULT_SETTINGS') });
  });
});
