import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/packaged-template';

type Resolver = (context: { resolveVariable: (name: string) => Promise<unknown>; options: { stage?: string } }) => Promise<unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const locations = require(join(PROJECT_ROOT, 'resources', 's3-locations.js')) as Record<string, Resolver>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsonParams = require(join(PROJECT_ROOT, 'resources', 'json-param.js')) as Record<string, Resolver>;

/** What a resolver gives for a stage whose params are `params`, as osls calls it. */
function resolve(name: string, params: Record<string, unknown>, from = locations): Promise<unknown> {
  const resolver = from[name];
  if (resolver === undefined) throw new Error(`no resolver ${name}`);
  return resolver({
    options: { stage: 'prod' },
    resolveVariable: async (variable) => {
      const match = /^param:(\w+)(?:, null)?$/.exec(variable);
      if (match === null) throw new Error(`unexpected variable ${variable}`);
      return params[match[1] ?? ''] ?? null;
    },
  });
}
const sub = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resource}` });

describe('the S3 locations a stage grants (resources/s3-locations.js)', () => {
  it('grants the objects under each location and lists each bucket once', async () => {
    const params = { dataLocations: ['s3://ml-data-prod/async/', 's3://ml-data-prod/batch/', 's3://scores-prod'] };
    await expect(resolve('dataObjects', params)).resolves.toEqual([sub('ml-data-prod/async/*'), sub('ml-data-prod/batch/*'), sub('scores-prod/*')]);
    await expect(resolve('dataBuckets', params)).resolves.toEqual([sub('ml-data-prod'), sub('scores-prod')]);
    await expect(resolve('dataLocations', params)).resolves.toBe('["s3://ml-data-prod/async/","s3://ml-data-prod/batch/","s3://scores-prod/"]');
  });

  it.each([
    ['s3://sagemaker-*', /names no single bucket \(wildcards would grant every account's buckets of that name\)/],
    ['s3://sagemaker-?x/data/', /names no single bucket/],
    ['s3://ml-data-prod/*/out/', /has a wildcard in its prefix/],
    ['arn:aws:s3:::ml-data-prod', /is not an s3:\/\/bucket\/prefix location/],
    ['s3://ML_Data/x', /not a valid bucket name/],
  ])('refuses %s, saying why', async (entry, said) => {
    await expect(resolve('dataObjects', { dataLocations: [entry] })).rejects.toThrow(said);
  });

  it('has no default for what a release always needs, and says what to set', async () => {
    await expect(resolve('modelArtifactObjects', {})).rejects.toThrow(/^Stage prod names no modelArtifactLocations: set params\.prod\.modelArtifactLocations in serverless\.yml to where model packages keep their model archives/);
  });

  it('grants nothing for an empty list: a resource no bucket can be (bucket names have no capitals or underscores)', async () => {
    const granted = await resolve('multiModelObjects', { multiModelLocations: [] });
    await expect(resolve('multiModelObjects', {})).resolves.toEqual(granted);
    expect(granted).toEqual([sub('NO_LOCATION_CONFIGURED/*')]);
  });

  it("refuses to package a batch job that reads or writes outside dataLocations (it would fail every night with AccessDenied)", async () => {
    const job = (inputPrefix: string, outputPrefix: string) => ({ batchJobs: [{ name: 'churn-scores', modelPackageGroupName: 'churn', inputPrefix, outputPrefix }], dataLocations: ['s3://ml-data-prod/batch/'] });
    const inside = job('s3://ml-data-prod/batch/churn/in/{date}/', 's3://ml-data-prod/batch/churn/out/{date}/');
    await expect(resolve('batchJobs', inside, jsonParams)).resolves.toBe(JSON.stringify(inside.batchJobs));
    await expect(resolve('batchJobs', job('s3://ml-data-prod/batch/churn/in/{date}/', 's3://sagemaker-us-east-1-111122223333/out/{date}/'), jsonParams)).rejects.toThrow(
      "params.prod.batchJobs: job churn-scores has outputPrefix s3://sagemaker-us-east-1-111122223333/out/{date}/ outside the stage's dataLocations (s3://ml-data-prod/batch/)",
    );
    // A placeholder before the location's end leaves the bucket or prefix open: refused.
    await expect(resolve('batchJobs', job('s3://ml-data-prod/{date}/in/', 's3://ml-data-prod/batch/out/'), jsonParams)).rejects.toThrow(/job churn-scores has inputPrefix/);
  });
});
