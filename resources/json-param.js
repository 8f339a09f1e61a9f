// Serverless variable resolver: `${file(resources/json-param.js):batchJobs}` gives the stage param
// batchJobs as a JSON string, because Lambda environment values must be strings.
module.exports.batchJobs = async ({ resolveVariable }) => JSON.stringify(await resolveVariable('param:batchJobs'));
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
