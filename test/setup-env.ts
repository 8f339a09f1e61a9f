// aws-local-stepfunctions relies on Promise.withResolvers (Node >= 22); the machines here run Node 20.
import '../local/polyfills';

// Dummy credentials so no test can reach a real account by accident.
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
process.env.AWS_REGION ??= 'us-east-1';
// The managed-by tag value the handlers take for their own (serverless.yml renders service and stage).
process.env.MANAGED_BY ??= 'sagemaker-release-pipeline-test';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
