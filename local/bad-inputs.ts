/**
 * The bad-input corpus: malformed approval events, manual and operator inputs, and package metadata
 * values. Every case must end in the named error it lists, with nothing changed in the account.
 * Placeholders: $ARN is an approved package of group "churn-model"; $REJECTED_ARN a rejected one;
 * $MISSING_ARN one that does not exist.
 */
export interface BadInputCase {
  name: string;
  /** The execution input (placeholders replaced), or null for a metadata case (approved with `metadata`). */
  input: unknown;
  /** CustomerMetadataProperties of the approved package, for metadata cases. */
  metadata?: Record<string, string>;
  /** S3 objects (URI to body) in the account before the run: a smoke payload file the metadata names. */
  objects?: Record<string, string>;
  /**
   * A metadata value no real package can carry: SageMaker itself refuses the package (CreateModelPackage
   * answers `expectedError`, a ValidationException naming CustomerMetadataProperties), so no run starts.
   */
  refusedBy?: 'CreateModelPackage';
  expectedError: string;
}

/** Where the corpus keeps its smoke payload files: the data bucket the pipeline's roles may read. */
const SMOKE_FILE = 's3://sagemaker-local-data/smoke/bad-input/payloads.jsonl';

const event = (detail: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'bad-input-event',
  'detail-type': 'SageMaker Model Package State Change',
  source: 'aws.sagemaker',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: ['$ARN'],
  detail: { ModelPackageGroupName: 'churn-model', ModelPackageArn: '$ARN', ModelApprovalStatus: 'Approved', ...detail },
  ...top,
});

export const BAD_INPUTS: BadInputCase[] = [
  // Not an input at all.
  { name: 'manual input wrapped one level too deep', input: { input: { modelPackageArn: '$ARN' } }, expectedError: 'InvalidInput' },
  { name: 'an array', input: [], expectedError: 'InvalidInput' },
  { name: 'a string', input: 'deploy churn-model', expectedError: 'InvalidInput' },
  { name: 'an empty object', input: {}, expectedError: 'InvalidInput' },
  // Malformed approval events.
  { name: 'event of another detail-type', input: event({}, { 'detail-type': 'SageMaker Endpoint State Change' }), expectedError: 'InvalidInput' },
  { name: 'event from another source', input: event({}, { source: 'com.example.fake' }), expectedError: 'InvalidInput' },
  { name: 'event without detail', input: { ...event({}), detail: undefined }, expectedError: 'InvalidInput' },
  { name: 'event with detail as a string', input: event({}, { detail: '{"ModelPackageArn":"$ARN"}' }), expectedError: 'InvalidInput' },
  { name: 'event without ModelPackageArn', input: event({ ModelPackageArn: undefined }), expectedError: 'InvalidInput' },
  { name: 'event with a non-ARN package', input: event({ ModelPackageArn: 'churn-model/7' }), expectedError: 'InvalidInput' },
  { name: 'event with an S3 ARN', input: event({ ModelPackageArn: 'arn:aws:s3:::models/churn-model/7' }), expectedError: 'InvalidInput' },
  { name: 'event pending manual approval', input: event({ ModelApprovalStatus: 'PendingManualApproval' }), expectedError: 'InvalidInput' },
  { name: 'event without an id', input: event({}, { id: '' }), expectedError: 'InvalidInput' },
  { name: 'event for a package that does not exist', input: event({ ModelPackageArn: '$MISSING_ARN' }), expectedError: 'PackageNotFound' },
  // Manual deploy inputs.
  { name: 'manual run with an unknown field', input: { modelPackageArn: '$ARN', endpoint: 'churn-model' }, expectedError: 'InvalidInput' },
  { name: 'manual run with a numeric ARN', input: { modelPackageArn: 42 }, expectedError: 'InvalidInput' },
  { name: 'manual run with an invalid endpoint name', input: { modelPackageArn: '$ARN', endpointName: 'churn_model!' }, expectedError: 'InvalidInput' },
  { name: 'manual run with a 64-character endpoint name', input: { modelPackageArn: '$ARN', endpointName: 'e'.repeat(64) }, expectedError: 'InvalidInput' },
  { name: 'manual run with a numeric override', input: { modelPackageArn: '$ARN', overrides: { 'canary.percent': 5 } }, expectedError: 'InvalidInput' },
  { name: 'manual run with overrides as a list', input: { modelPackageArn: '$ARN', overrides: ['canary.percent=5'] }, expectedError: 'InvalidInput' },
  { name: 'manual run with force "yes"', input: { modelPackageArn: '$ARN', force: 'yes' }, expectedError: 'InvalidInput' },
  { name: 'manual run of a rejected package', input: { modelPackageArn: '$REJECTED_ARN' }, expectedError: 'PackageNotDeployable' },
  { name: 'manual run with a bad override value', input: { modelPackageArn: '$ARN', overrides: { 'canary.percent': '75' } }, expectedError: 'InvalidSettings' },
  // Operator actions.
  { name: 'unknown action', input: { action: 'promote', modelPackageArn: '$ARN' }, expectedError: 'InvalidInput' },
  { name: 'score without a date', input: { action: 'score', modelPackageGroupName: 'churn-model' }, expectedError: 'InvalidInput' },
  { name: 'score on an impossible date', input: { action: 'score', modelPackageGroupName: 'churn-model', date: '2026-13-40' }, expectedError: 'InvalidInput' },
  { name: 'score for a group with no batch job', input: { action: 'score', modelPackageGroupName: 'no-such-group', date: '2026-11-22' }, expectedError: 'InvalidInput' },
  { name: 'rollback without an endpoint', input: { action: 'rollback' }, expectedError: 'InvalidInput' },
  { name: 'rollback with an extra field', input: { action: 'rollback', endpointName: 'churn-model', force: true }, expectedError: 'InvalidInput' },
  { name: 'rollback of an endpoint the ledger never promoted', input: { action: 'rollback', endpointName: 'never-released' }, expectedError: 'EndpointStateConflict' },
  { name: 'nightly batch with a bad date', input: { action: 'nightly-batch', date: 'yesterday' }, expectedError: 'InvalidInput' },
  // Package metadata values (the package is approved and the approval event is well formed).
  { name: 'canary.percent 0', input: null, metadata: { 'canary.percent': '0' }, expectedError: 'InvalidSettings' },
  { name: 'canary.percent not a number', input: null, metadata: { 'canary.percent': 'ten' }, expectedError: 'InvalidSettings' },
  { name: 'canary.bakeMinutes over a day', input: null, metadata: { 'canary.bakeMinutes': '1441' }, expectedError: 'InvalidSettings' },
  { name: 'negative slo.errorRatePercent', input: null, metadata: { 'slo.errorRatePercent': '-1' }, expectedError: 'InvalidSettings' },
  { name: 'smoke payload file not JSON Lines', input: null, metadata: { 'smoke.payloadsUrl': SMOKE_FILE }, objects: { [SMOKE_FILE]: '{contentType: text/csv\n' }, expectedError: 'InvalidSettings' },
  { name: 'smoke payload without contentType', input: null, metadata: { 'smoke.payloadsUrl': SMOKE_FILE }, objects: { [SMOKE_FILE]: '{"body":"1,2,3"}\n' }, expectedError: 'InvalidSettings' },
  { name: 'smoke.payloadsUrl names no object', input: null, metadata: { 'smoke.payloadsUrl': 's3://sagemaker-local-data/smoke/no-such-file.jsonl' }, expectedError: 'InvalidSettings' },
  { name: 'smoke.payloadsUrl is a prefix, not an object', input: null, metadata: { 'smoke.payloadsUrl': 's3://sagemaker-local-data/smoke/' }, expectedError: 'InvalidSettings' },
  { name: 'smoke payloads over the limit of 20', input: null, metadata: { 'smoke.payloadsUrl': SMOKE_FILE }, objects: { [SMOKE_FILE]: '{"contentType":"text/csv","body":"1,2,3"}\n'.repeat(21) }, expectedError: 'InvalidSettings' },
  { name: 'inline smoke.payloads JSON in metadata', input: null, metadata: { 'smoke.payloads': '[{"contentType":"text/csv","body":"1,2,3"}]' }, refusedBy: 'CreateModelPackage', expectedError: 'ValidationException' },
  { name: 'comma-separated canary.alarmNames in metadata', input: null, metadata: { 'canary.alarmNames': 'churn-kpi,churn-latency' }, refusedBy: 'CreateModelPackage', expectedError: 'ValidationException' },
  { name: 'metadata value over 256 characters', input: null, metadata: { 'endpoint.name': 'e'.repeat(257) }, refusedBy: 'CreateModelPackage', expectedError: 'ValidationException' },
  { name: 'more than 50 metadata entries', input: null, metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`team.note${i}`, 'x'])), refusedBy: 'CreateModelPackage', expectedError: 'ValidationException' },
  { name: 'unknown deploy.mode', input: null, metadata: { 'deploy.mode': 'gpu' }, expectedError: 'InvalidSettings' },
  { name: 'serverless.memoryMB not a multiple of 1024', input: null, metadata: { 'serverless.memoryMB': '1500' }, expectedError: 'InvalidSettings' },
  { name: 'misspelt setting key', input: null, metadata: { 'canary.bakeMinute': '10' }, expectedError: 'InvalidSettings' },
  { name: 'instance type without ml. prefix', input: null, metadata: { 'endpoint.instanceType': 'm5.large' }, expectedError: 'InvalidSettings' },
  { name: 'async.outputPath not an S3 URI', input: null, metadata: { 'deploy.mode': 'async', 'async.outputPath': 'bucket/async' }, expectedError: 'InvalidSettings' },
  { name: 'serverless on a GPU instance type', input: null, metadata: { 'deploy.mode': 'serverless', 'endpoint.instanceType': 'ml.g5.xlarge' }, expectedError: 'ModeNotSupported' },
  { name: 'multi-model without a group', input: null, metadata: { 'deploy.mode': 'multi-model' }, expectedError: 'ModeNotSupported' },
  { name: 'canary alarm that does not exist', input: null, metadata: { 'canary.alarmNames': 'churn-business-kpi' }, expectedError: 'InvalidSettings' },
];

/** Replaces the placeholders in a case's input. */
export function materialize(input: unknown, arns: { arn: string; rejectedArn: string; missingArn: string }): unknown {
  if (input === undefined) return undefined;
  const text = JSON.stringify(input);
  if (text === undefined) return input;
  return JSON.parse(text.replaceAll('$REJECTED_ARN', arns.rejectedArn).replaceAll('$MISSING_ARN', arns.missingArn).replaceAll('$ARN', arns.arn)) as unknown;
}
