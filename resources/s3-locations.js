// Serverless variable resolvers for the S3 locations a stage grants (README, "S3 locations"):
//   ${file(resources/s3-locations.js):dataObjects}   -> IAM Resource list of the objects under them
//   ${file(resources/s3-locations.js):dataBuckets}   -> IAM Resource list of their buckets (s3:ListBucket)
//   ${file(resources/s3-locations.js):dataLocations} -> the locations as a JSON string (a Lambda env value)
// and the same for modelArtifact, smokePayload and multiModel. Each param is a list of s3://bucket/prefix
// entries (the prefix may be empty: the whole bucket). Bucket ARNs carry no account, so a wildcard bucket
// (sagemaker-*) would match every account's buckets: wildcards are refused, and there is no default for the
// three a release always needs, so a new stage grants only what it names.

const PARAMS = {
  modelArtifact: { param: 'modelArtifactLocations', required: true, what: 'where model packages keep their model archives (ModelDataUrl), e.g. [s3://sagemaker-us-east-1-111122223333/models/]' },
  data: { param: 'dataLocations', required: true, what: 'where async endpoints write results and batch jobs read and write (async.outputPath, batchJobs), e.g. [s3://ml-data-prod/async/, s3://ml-data-prod/batch/]' },
  smokePayload: { param: 'smokePayloadLocations', required: true, what: 'where smoke payload files and sample archives are read from (smoke.payloadsUrl, SamplePayloadUrl), e.g. [s3://ml-data-prod/smoke/]' },
  // Optional: a stage without shared multi-model endpoints grants nothing here.
  multiModel: { param: 'multiModelLocations', required: false, what: "the ModelDataUrl prefixes of the shared multi-model endpoints releases write to, e.g. [s3://ml-models-prod/mme/]" },
};

// No bucket can have this name (S3 bucket names are lower case, without underscores): what an empty list
// grants, since an IAM statement needs at least one resource.
const NOTHING = 'NO_LOCATION_CONFIGURED';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The locations of one param, checked: [{ bucket, prefix }]. Throws with a message saying what to set. */
function parseLocations(stage, { param, required, what }, value) {
  if (value === null || value === undefined) {
    if (!required) return [];
    throw new Error(
      `Stage ${stage} names no ${param}: set params.${stage}.${param} in serverless.yml to ${what}. There is no default: bucket ARNs carry no account, so a default such as sagemaker-* would grant every account's buckets.`,
    );
  }
  if (!Array.isArray(value)) throw new Error(`params.${stage}.${param} must be a list of s3://bucket/prefix locations, not ${JSON.stringify(value)}`);
  return value.map((entry) => {
    const match = typeof entry === 'string' ? /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(entry) : null;
    if (match === null) throw new Error(`params.${stage}.${param}: ${JSON.stringify(entry)} is not an s3://bucket/prefix location`);
    const [, bucket = '', prefix = ''] = match;
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
      throw new Error(`params.${stage}.${param}: ${entry} names no single bucket (${bucket.includes('*') || bucket.includes('?') ? 'wildcards would grant every account\'s buckets of that name' : 'not a valid bucket name'}); list each bucket`);
    }
    if (/[*?]/.test(prefix)) throw new Error(`params.${stage}.${param}: ${entry} has a wildcard in its prefix; list each prefix`);
    return { bucket, prefix };
  });
}

async function locations(key, { resolveVariable, options }) {
  const spec = PARAMS[key];
  const value = await resolveVariable(`param:${spec.param}, null`);
  return parseLocations(options.stage ?? 'dev', spec, value);
}

const arn = (resource) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resource}` });

for (const key of Object.keys(PARAMS)) {
  /** Objects under each location (a prefix is matched as S3 matches it: `churn` covers `churn-eu/`). */
  module.exports[`${key}Objects`] = async (context) => {
    const found = await locations(key, context);
    return found.length === 0 ? [arn(`${NOTHING}/*`)] : found.map(({ bucket, prefix }) => arn(`${bucket}/${prefix}*`));
  };
  /** Each location's bucket once, for s3:ListBucket (a missing key is then a 404 rather than a 403). */
  module.exports[`${key}Buckets`] = async (context) => {
    const found = await locations(key, context);
    const buckets = [...new Set(found.map((l) => l.bucket))];
    return buckets.length === 0 ? [arn(NOTHING)] : buckets.map((bucket) => arn(bucket));
  };
  /** The locations as s3:// URIs in a JSON string, for the steps that check a setting against them. */
  module.exports[`${key}Locations`] = async (context) => JSON.stringify((await locations(key, context)).map(({ bucket, prefix }) => `s3://${bucket}/${prefix}`));
}

module.exports.parseLocations = parseLocations;
/** The checked locations of one key (modelArtifact, data, smokePayload, multiModel) as s3:// URIs. */
module.exports.locationUris = async (key, context) => (await locations(key, context)).map(({ bucket, prefix }) => `s3://${bucket}/${prefix}`);
