// Serverless variable resolver: `${file(resources/json-param.js):batchJobs}` gives the stage param
// batchJobs as a JSON string, because Lambda environment values must be strings.
// Each job's input and output prefix must lie in the stage's dataLocations, where SageMaker's execution role
// and CheckTransformJob may read and write: a job elsewhere would fail every night with AccessDenied.
module.exports.batchJobs = async (context) => {
  const jobs = await context.resolveVariable('param:batchJobs');
  const dataLocations = await require('./s3-locations').locationUris('data', context);
  for (const job of Array.isArray(jobs) ? jobs : []) {
    for (const key of ['inputPrefix', 'outputPrefix']) {
      const uri = job?.[key];
      // The part before the first {date}-style placeholder is what is known when packaging.
      const fixed = typeof uri === 'string' ? uri.split('{')[0] : '';
      if (typeof uri === 'string' && !dataLocations.some((location) => fixed.startsWith(location))) {
        const stage = context.options.stage ?? 'dev';
        throw new Error(`params.${stage}.batchJobs: job ${job.name} has ${key} ${uri} outside the stage's dataLocations (${dataLocations.join(', ') || 'none'}); put it under one of them, or add its location to params.${stage}.dataLocations`);
      }
    }
  }
  return JSON.stringify(jobs);
};
// modelPackageGroups: the approval rule's groups. Required per stage: packaging a stage without it fails,
// saying what to set, rather than defaulting to a pattern that matches every group in the account.
module.exports.modelPackageGroups = async ({ resolveVariable, options }) => {
  const groups = await resolveVariable('param:modelPackageGroups, null');
  if (!Array.isArray(groups) || groups.length === 0) {
    const stage = options.stage ?? 'dev';
    throw new Error(
      `Stage ${stage} names no model package groups: set params.${stage}.modelPackageGroups in serverless.yml to the groups whose approvals it releases, e.g. [churn-model, {prefix: fraud-}] (EventBridge pattern values). There is no default: a stage without it would release every group in the account.`,
    );
  }
  return groups;
};
// endpointBindings: endpoint name to the model package group that alone may release to it.
module.exports.endpointBindings = async ({ resolveVariable }) => JSON.stringify(await resolveVariable('param:endpointBindings'));
