import { batchJobSchema, batchJobsSchema, batchModelName, partition, previousUtcDay, transformJobName } from '../../../../functions/shared/domain/batch';
import { batchJob } from '../../fixtures/batch';

describe('partition', () => {
  it('puts the date where the template says, every time it says so', () => {
    expect(partition('s3://b/churn/{date}/', '2026-11-22')).toBe('s3://b/churn/2026-11-22/');
    expect(partition('s3://b/dt={date}/copy-{date}/', '2026-11-22')).toBe('s3://b/dt=2026-11-22/copy-2026-11-22/');
  });
});

describe('transformJobName', () => {
  it('is the job name and the compact date: a re-run the same night finds the same job', () => {
    // Prepare
    const job = batchJob();

    // Act
    const first = transformJobName(job, '2026-11-22');
    const again = transformJobName(batchJob(), '2026-11-22');

    // Assess
    expect(first).toBe('churn-scores-20261122');
    expect(again).toBe(first);
    expect(transformJobName(job, '2026-11-23')).not.toBe(first);
  });

  it('stays within SageMaker’s 63 characters and its name alphabet for the longest job name', () => {
    const name = transformJobName(batchJob({ name: 'a'.repeat(31) }), '2026-11-22');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    expect(name.endsWith('-20261122')).toBe(true);
  });
});

describe('batchModelName', () => {
  it('is one name per group and version, within 63 characters even for a 63-character group', () => {
    expect(batchModelName('churn-model', 7)).toBe('churn-model-v7-batch');
    const long = batchModelName('g'.repeat(63), 12);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    expect(long).toBe(batchModelName('g'.repeat(63), 12));
    expect(long).not.toBe(batchModelName('g'.repeat(63), 13));
  });
});

describe('previousUtcDay', () => {
  it.each([
    ['2026-11-23T02:00:00.000Z', '2026-11-22'],
    ['2026-11-23T00:00:00.000Z', '2026-11-22'],
    ['2026-11-22T23:59:59.999Z', '2026-11-21'],
    ['2026-03-01T02:00:00.000Z', '2026-02-28'],
    ['2028-03-01T02:00:00.000Z', '2028-02-29'],
    ['2026-05-01T02:00:00.000Z', '2026-04-30'],
    ['2027-01-01T00:30:00.000Z', '2026-12-31'],
  ])('at %s scores %s', (instant, day) => {
    expect(previousUtcDay(new Date(instant))).toBe(day);
  });
});

describe('batchJobSchema / batchJobsSchema', () => {
  const minimal = { name: 'scores', modelPackageGroupName: 'churn-model', inputPrefix: 's3://bkt/in/{date}/', outputPrefix: 's3://bkt/out/{date}/' };

  it('fills in every default explicitly, the model client ones included', () => {
    expect(batchJobSchema.parse(minimal)).toEqual({
      ...minimal,
      contentType: 'text/csv',
      splitType: 'Line',
      batchStrategy: 'MultiRecord',
      assembleWith: 'Line',
      instanceType: 'ml.m5.xlarge',
      instanceCount: 1,
      maxPayloadMB: 6,
      maxConcurrentTransforms: 1,
      modelClientTimeoutSeconds: 600,
      modelClientMaxRetries: 1,
    });
  });

  it('accepts an empty list and unique names', () => {
    expect(batchJobsSchema.safeParse([]).success).toBe(true);
    expect(batchJobsSchema.safeParse([minimal, { ...minimal, name: 'other' }]).success).toBe(true);
  });

  it.each([
    ['a duplicate job name', [minimal, minimal], 'job names must be unique'],
    ['more than 100 jobs', Array.from({ length: 101 }, (_, i) => ({ ...minimal, name: `job-${i}` })), ''],
    ['an input prefix without {date}', [{ ...minimal, inputPrefix: 's3://bkt/in/' }], 'must be an s3:// prefix containing {date}'],
    ['an output prefix that is not s3', [{ ...minimal, outputPrefix: 'https://bkt/out/{date}/' }], 'must be an s3:// prefix containing {date}'],
    ['an uppercase job name', [{ ...minimal, name: 'Scores' }], 'must be 1-31 lowercase letters'],
    ['a 32-character job name', [{ ...minimal, name: 'a'.repeat(32) }], 'must be 1-31 lowercase letters'],
    ['an unknown key (a typo must not be ignored)', [{ ...minimal, instanceTyp: 'ml.m5.large' }], 'instanceTyp'],
    ['zero instances', [{ ...minimal, instanceCount: 0 }], 'instanceCount'],
    ['four model client retries', [{ ...minimal, modelClientMaxRetries: 4 }], 'modelClientMaxRetries'],
    ['a malformed instance type', [{ ...minimal, instanceType: 'm5.large' }], 'instanceType'],
    ['an unknown split type', [{ ...minimal, splitType: 'Lines' }], 'splitType'],
  ])('refuses %s', (_what, jobs, mentions) => {
    // Act
    const result = batchJobsSchema.safeParse(jobs);

    // Assess
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(mentions);
  });
});
