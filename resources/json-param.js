// Serverless variable resolver: `${file(resources/json-param.js):batchJobs}` gives the stage param
// batchJobs as a JSON string, because Lambda environment values must be strings.
module.exports.batchJobs = async ({ resolveVariable }) => JSON.stringify(await resolveVariable('param:batchJobs'));
// endpointBindings: endpoint name to the model package group that alone may release to it.
module.exports.endpointBindings = async ({ resolveVariable }) => JSON.stringify(await resolveVariable('param:endpointBindings'));
