import { ModeNotSupported } from '../../../../functions/shared/errors';
import { decideInferenceMode, serverlessObstacles } from '../../../../functions/shared/domain/inference-mode';
import { settingsWith } from '../../helpers';

const ONE_CONTAINER = { containerCount: 1 };

function modeNotSupportedMessage(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ModeNotSupported);
    return (error as Error).message;
  }
  throw new Error('expected ModeNotSupported, nothing was thrown');
}

describe('decideInferenceMode, rule by rule', () => {
  it('default-realtime when no rule applies', () => {
    // Act
    const decision = decideInferenceMode(settingsWith(), ONE_CONTAINER);

    // Assess
    expect(decision.mode).toBe('realtime');
    expect(decision.rule).toBe('default-realtime');
    expect(decision.reasons).toEqual(['no rule chose another mode']);
  });

  it('explicit-mode takes deploy.mode as given', () => {
    const decision = decideInferenceMode(settingsWith({ 'deploy.mode': 'async' }), ONE_CONTAINER);
    expect(decision).toMatchObject({ mode: 'async', rule: 'explicit-mode', reasons: ['deploy.mode is async'] });
  });

  it('offline-workload chooses batch when workload.online is false', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.online': 'false' }), ONE_CONTAINER);
    expect(decision).toMatchObject({ mode: 'batch', rule: 'offline-workload' });
  });

  it.each([
    ['workload.maxPayloadMB', '7', /maxPayloadMB 7 exceeds real-time's 6 MB/],
    ['workload.inferenceSeconds', '61', /inferenceSeconds 61 exceeds real-time's 60 s/],
  ])('exceeds-realtime-limits chooses async when %s=%s', (key, value, reason) => {
    // Act
    const decision = decideInferenceMode(settingsWith({ [key]: value }), ONE_CONTAINER);

    // Assess
    expect(decision.mode).toBe('async');
    expect(decision.rule).toBe('exceeds-realtime-limits');
    expect(decision.reasons.join('\n')).toMatch(reason);
  });

  it('stays real-time exactly at the real-time limits', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.maxPayloadMB': '6', 'workload.inferenceSeconds': '60' }), ONE_CONTAINER);
    expect(decision.mode).toBe('realtime');
  });

  it('intermittent-fits-serverless chooses serverless for a CPU model within limits', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.traffic': 'intermittent', 'model.memoryMB': '6144', 'workload.maxPayloadMB': '4' }), ONE_CONTAINER);
    expect(decision).toMatchObject({ mode: 'serverless', rule: 'intermittent-fits-serverless' });
  });

  it('intermittent but too big for serverless falls through to real-time and records why', () => {
    // Act
    const decision = decideInferenceMode(settingsWith({ 'workload.traffic': 'intermittent', 'endpoint.instanceType': 'ml.g5.xlarge' }), ONE_CONTAINER);

    // Assess
    expect(decision.mode).toBe('realtime');
    expect(decision.rule).toBe('default-realtime');
    expect(decision.reasons).toHaveLength(2);
    expect(decision.reasons[1]).toMatch(/intermittent traffic, but not serverless: endpoint.instanceType ml.g5.xlarge is a GPU/);
  });

  it('intermittent but too big for serverless, with a multi-model group, falls through to multi-model', () => {
    const decision = decideInferenceMode(
      settingsWith({ 'workload.traffic': 'intermittent', 'model.memoryMB': '8192', 'deploy.multiModelGroup': 'shared-mme' }),
      ONE_CONTAINER,
    );
    expect(decision).toMatchObject({ mode: 'multi-model', rule: 'multi-model-group' });
    expect(decision.reasons).toEqual(['deploy.multiModelGroup is shared-mme', expect.stringMatching(/model.memoryMB 8192 exceeds serverless's 6144 MB/)]);
  });

  it('multi-model-group chooses multi-model when a group is named', () => {
    const decision = decideInferenceMode(settingsWith({ 'deploy.multiModelGroup': 'shared-mme' }), ONE_CONTAINER);
    expect(decision).toMatchObject({ mode: 'multi-model', rule: 'multi-model-group', reasons: ['deploy.multiModelGroup is shared-mme'] });
  });
});

describe('decideInferenceMode, precedence', () => {
  it('explicit mode beats an offline workload', () => {
    const decision = decideInferenceMode(settingsWith({ 'deploy.mode': 'realtime', 'workload.online': 'false' }), ONE_CONTAINER);
    expect(decision.rule).toBe('explicit-mode');
  });

  it('an offline workload beats payloads too big for real-time', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.online': 'false', 'workload.maxPayloadMB': '100' }), ONE_CONTAINER);
    expect(decision.mode).toBe('batch');
  });

  it('real-time limits beat intermittent traffic', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.traffic': 'intermittent', 'workload.inferenceSeconds': '120' }), ONE_CONTAINER);
    expect(decision.mode).toBe('async');
  });

  it('intermittent traffic that fits serverless beats a multi-model group', () => {
    const decision = decideInferenceMode(settingsWith({ 'workload.traffic': 'intermittent', 'deploy.multiModelGroup': 'shared-mme' }), ONE_CONTAINER);
    expect(decision.mode).toBe('serverless');
  });

  it('real-time limits beat a multi-model group', () => {
    const decision = decideInferenceMode(settingsWith({ 'deploy.multiModelGroup': 'shared-mme', 'workload.maxPayloadMB': '10' }), ONE_CONTAINER);
    expect(decision.mode).toBe('async');
  });
});

describe('decideInferenceMode, explicit modes the model cannot use', () => {
  it.each([
    ['a GPU instance type', { 'endpoint.instanceType': 'ml.g5.xlarge' }, /ml.g5.xlarge is a GPU\/accelerator type; serverless runs on CPU only/],
    ['an Inferentia instance type', { 'endpoint.instanceType': 'ml.inf2.xlarge' }, /ml.inf2.xlarge is a GPU\/accelerator type/],
    ['8192 MB of model memory', { 'model.memoryMB': '8192' }, /model.memoryMB 8192 exceeds serverless's 6144 MB/],
    ['data capture', { 'monitoring.dataCapture': 'true' }, /serverless endpoints do not support data capture/],
    ['a 5 MB payload', { 'workload.maxPayloadMB': '5' }, /workload.maxPayloadMB 5 exceeds serverless's 4 MB/],
  ])('serverless with %s → ModeNotSupported saying why', (_what, metadata, why) => {
    // Act
    const message = modeNotSupportedMessage(() => decideInferenceMode(settingsWith({ 'deploy.mode': 'serverless', ...metadata }), ONE_CONTAINER));

    // Assess
    expect(message).toMatch(/^deploy mode serverless \(explicit-mode\) cannot host this model/);
    expect(message).toMatch(why);
  });

  it('lists every serverless obstacle, not only the first', () => {
    const message = modeNotSupportedMessage(() =>
      decideInferenceMode(settingsWith({ 'deploy.mode': 'serverless', 'endpoint.instanceType': 'ml.p4d.24xlarge', 'monitoring.dataCapture': 'true' }), ONE_CONTAINER),
    );
    expect(message).toMatch(/GPU.*; monitoring.dataCapture is true/);
  });

  it('multi-model with a two-container package → ModeNotSupported', () => {
    const message = modeNotSupportedMessage(() =>
      decideInferenceMode(settingsWith({ 'deploy.mode': 'multi-model', 'deploy.multiModelGroup': 'shared-mme' }), { containerCount: 2 }),
    );
    expect(message).toMatch(/the package has 2 containers; a multi-model endpoint hosts single-container models only/);
  });

  it('multi-model without a group to join → ModeNotSupported', () => {
    const message = modeNotSupportedMessage(() => decideInferenceMode(settingsWith({ 'deploy.mode': 'multi-model' }), ONE_CONTAINER));
    expect(message).toMatch(/deploy.multiModelGroup must name the shared multi-model endpoint/);
  });

  it('realtime with a payload over 6 MB → ModeNotSupported', () => {
    const message = modeNotSupportedMessage(() => decideInferenceMode(settingsWith({ 'deploy.mode': 'realtime', 'workload.maxPayloadMB': '50' }), ONE_CONTAINER));
    expect(message).toMatch(/realtime \(explicit-mode\).*maxPayloadMB 50 exceeds real-time's 6 MB/);
  });

  it('multi-model-group chosen by rule still refuses a two-container package', () => {
    const message = modeNotSupportedMessage(() => decideInferenceMode(settingsWith({ 'deploy.multiModelGroup': 'shared-mme' }), { containerCount: 2 }));
    expect(message).toMatch(/multi-model \(multi-model-group\)/);
  });

  it('async and batch take any model the explicit mode names', () => {
    expect(decideInferenceMode(settingsWith({ 'deploy.mode': 'async', 'workload.maxPayloadMB': '1024' }), { containerCount: 3 }).mode).toBe('async');
    expect(decideInferenceMode(settingsWith({ 'deploy.mode': 'batch', 'endpoint.instanceType': 'ml.p3.2xlarge' }), { containerCount: 3 }).mode).toBe('batch');
  });
});

describe('the decision record', () => {
  it('holds mode, rule, reasons and exactly the inputs the rules looked at', () => {
    // Prepare
    const settings = settingsWith({ 'workload.traffic': 'intermittent', 'model.memoryMB': '2048', 'monitoring.dataCapture': 'false' });

    // Act
    const decision = decideInferenceMode(settings, ONE_CONTAINER);

    // Assess
    expect(decision).toEqual({
      mode: 'serverless',
      rule: 'intermittent-fits-serverless',
      reasons: ['workload.traffic is intermittent and the model fits serverless limits'],
      inputs: {
        'deploy.mode': null,
        'workload.online': null,
        'workload.maxPayloadMB': null,
        'workload.inferenceSeconds': null,
        'workload.traffic': 'intermittent',
        'deploy.multiModelGroup': null,
        'model.memoryMB': 2048,
        'monitoring.dataCapture': false,
        'endpoint.instanceType': 'ml.m5.large',
        containerCount: 1,
      },
    });
  });

  it('survives a JSON round trip (it is stored in the ledger and the outcome event)', () => {
    const decision = decideInferenceMode(settingsWith({ 'deploy.mode': 'async' }), ONE_CONTAINER);
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });
});

describe('serverlessObstacles', () => {
  it('is empty for a CPU model within limits', () => {
    expect(serverlessObstacles(settingsWith({ 'endpoint.instanceType': 'ml.c5.xlarge', 'workload.inferenceSeconds': '60' }))).toEqual([]);
  });

  it('refuses inference over 60 s', () => {
    expect(serverlessObstacles(settingsWith({ 'workload.inferenceSeconds': '61' }))).toEqual([expect.stringMatching(/inferenceSeconds 61 exceeds serverless's 60 s/)]);
  });
});
