import { alarmNamePrefix, planRelease, releaseStyleFor, resourceNames, sageMakerName } from '../../../../functions/shared/domain/release-plan';
import { MANAGED_BY, STAGE_DEFAULTS, modelPackage, settingsWith } from '../../helpers';

/** SageMaker's resource-name rule. */
const VALID_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

describe('sageMakerName', () => {
  it('joins parts with hyphens when short enough', () => {
    expect(sageMakerName('churn-model', 'v7', 'a1b2c3d4')).toBe('churn-model-v7-a1b2c3d4');
  });

  it('replaces characters SageMaker refuses and collapses the hyphens they leave', () => {
    // Act
    const name = sageMakerName('churn_model.v2', '--x--');

    // Assess
    expect(name).toBe('churn-model-v2-x');
    expect(name).toMatch(VALID_NAME);
  });

  it('strips leading and trailing hyphens', () => {
    expect(sageMakerName('_churn_', 'v1_')).toBe('churn-v1');
  });

  it('keeps a 63-character name as it is', () => {
    const name = sageMakerName('a'.repeat(60), 'v7');
    expect(name).toBe(`${'a'.repeat(60)}-v7`);
  });

  it('shortens a long name to 63 valid characters and keeps the distinguishing tail', () => {
    // Act
    const name = sageMakerName('a-very-long-model-package-group-name-owned-by-the-fraud-team-x', 'v12', 'a1b2c3d4', 'canary');

    // Assess
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(VALID_NAME);
    expect(name.endsWith('-v12-a1b2c3d4-canary')).toBe(true);
  });

  it('gives long names that differ only past the cut different results', () => {
    // Prepare
    const common = 'x'.repeat(60);

    // Act
    const one = sageMakerName(`${common}-fraud`, 'v1', 'r1');
    const two = sageMakerName(`${common}-churn`, 'v1', 'r1');

    // Assess
    expect(one).not.toBe(two);
    expect(one.length).toBeLessThanOrEqual(63);
    expect(two.length).toBeLessThanOrEqual(63);
  });

  it('is deterministic (a retried step finds the same names)', () => {
    expect(sageMakerName('y'.repeat(90), 'v3', 'abc')).toBe(sageMakerName('y'.repeat(90), 'v3', 'abc'));
  });

  it.each([
    ['a long head starting with a refused character', ['_' + 'a'.repeat(70), 'v1', 'abc']],
    ['an empty head and a long tail', ['', 'x'.repeat(70)]],
    ['a long head with refused characters', ['my.group.' + 'b'.repeat(70), 'v1_', 'r']],
  ])('produces a valid name for %s', (_what, parts) => {
    const name = sageMakerName(...parts);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(VALID_NAME);
  });
});

describe('resourceNames', () => {
  it('names every resource validly and uniquely per release, even for a 63-character group', () => {
    // Prepare
    const group = 'g'.repeat(63);

    // Act
    const first = resourceNames(group, 7, null, 'a1b2c3d4', MANAGED_BY);
    const second = resourceNames(group, 7, null, 'e5f6a7b8', MANAGED_BY);

    // Assess: SageMaker names are valid; alarms are valid names under the deployment's prefix.
    const { errorRateAlarm, latencyAlarm, ...sageMakerNames } = first;
    for (const name of Object.values(sageMakerNames)) {
      expect(name).toMatch(VALID_NAME);
    }
    for (const alarm of [errorRateAlarm, latencyAlarm]) {
      expect(alarm.startsWith(alarmNamePrefix(MANAGED_BY))).toBe(true);
      expect(alarm.slice(alarmNamePrefix(MANAGED_BY).length)).toMatch(VALID_NAME);
    }
    expect(new Set(Object.values(first)).size).toBe(6);
    for (const key of Object.keys(first) as (keyof typeof first)[]) {
      expect(first[key]).not.toBe(second[key]);
    }
  });

  it('names configs and alarms after the endpoint, when there is one, alarms under the deployment\'s prefix', () => {
    const names = resourceNames('churn-model', 7, 'churn-prod', 'a1b2c3d4', 'sagemaker-release-pipeline-prod');
    expect(names).toEqual({
      model: 'churn-model-v7-a1b2c3d4',
      variant: 'v7-a1b2c3d4',
      canaryConfig: 'churn-prod-a1b2c3d4-canary',
      finalConfig: 'churn-prod-a1b2c3d4',
      errorRateAlarm: 'sagemaker-release-pipeline-prod/churn-prod-v7-a1b2c3d4-error-rate',
      latencyAlarm: 'sagemaker-release-pipeline-prod/churn-prod-v7-a1b2c3d4-latency-p99',
    });
  });
});

describe('releaseStyleFor', () => {
  it.each([
    ['realtime', {}, 'variant-canary'],
    ['realtime', { 'deploy.strategy': 'native' }, 'native-guardrails'],
    ['async', {}, 'async-guardrails'],
    ['serverless', {}, 'all-at-once'],
    ['batch', {}, 'batch-register'],
    ['multi-model', {}, 'multi-model-artifact'],
  ] as const)('%s with %j → %s', (mode, metadata, style) => {
    expect(releaseStyleFor(mode, settingsWith(metadata))).toBe(style);
  });
});

describe('planRelease', () => {
  it('uses the release id it is given in every name', () => {
    const plan = planRelease({ request: { endpointName: 'churn-prod', overrides: {} }, package: modelPackage(), defaults: STAGE_DEFAULTS, releaseId: 'feedbeef', managedBy: MANAGED_BY });
    expect(Object.values(plan.names).every((n) => n.includes('feedbeef'))).toBe(true);
  });

  it('refuses a bake that does not fit in half the release execution\'s time bound, naming the numbers and the params to raise', () => {
    const plan = (bakeMinutes: string) => () =>
      planRelease({ request: { endpointName: 'churn-prod', overrides: { 'canary.bakeMinutes': bakeMinutes } }, package: modelPackage(), defaults: STAGE_DEFAULTS, releaseId: 'feedbeef', managedBy: MANAGED_BY, releaseTimeoutSeconds: 18000 });
    expect(plan('150')).not.toThrow();
    expect(plan('151')).toThrow(
      expect.objectContaining({
        name: 'InvalidSettings',
        message: 'canary.bakeMinutes 151: a release execution times out after 18000 s (stage param releaseTimeoutSeconds), which leaves room for a bake of at most 150 minutes beside the endpoint changes; bake less, or raise releaseTimeoutSeconds and leaseSeconds',
      }),
    );
  });

  it("refuses async results outside the stage's dataLocations, naming the path, the locations and the param", () => {
    // Arrange
    const plan = (overrides: Record<string, string>) => () =>
      planRelease({
        request: { endpointName: 'docs-prod', overrides: { 'deploy.mode': 'async', ...overrides } },
        package: modelPackage(),
        defaults: STAGE_DEFAULTS,
        releaseId: 'feedbeef',
        managedBy: MANAGED_BY,
        dataLocations: ['s3://ml-data/async/', 's3://ml-scratch/'],
      });

    // Act / Assess
    expect(plan({ 'async.outputPath': 's3://ml-data/async/docs' })).not.toThrow();
    expect(plan({ 'async.outputPath': 's3://ml-scratch/x', 'async.failurePath': 's3://ml-data/async/failed/' })).not.toThrow();
    expect(plan({ 'async.outputPath': 's3://ml-data/other/docs' })).toThrow(
      expect.objectContaining({
        name: 'InvalidSettings',
        message: expect.stringMatching(/^async.outputPath s3:\/\/ml-data\/other\/docs is outside the stage's dataLocations \(s3:\/\/ml-data\/async\/, s3:\/\/ml-scratch\/\)/),
      }),
    );
    expect(plan({ 'async.outputPath': 's3://ml-data/async/docs', 'async.failurePath': 's3://someone-elses/failed' })).toThrow(expect.objectContaining({ name: 'InvalidSettings', message: expect.stringContaining('async.failurePath s3://someone-elses/failed is outside') }));
  });
});
