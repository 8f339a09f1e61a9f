import { batchJobSchema, type BatchJob } from '../../../functions/shared/domain/batch';
import { ACCOUNT } from '../helpers';

export const DATE = '2026-11-22';
export const GROUP = 'churn-model';
export const EXECUTION = { id: `arn:aws:states:us-east-1:${ACCOUNT}:execution:batch-scoring:nightly-1`, startTime: '2026-11-23T02:00:00.000Z' };
export const packageArn = (version: number) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/${GROUP}/${version}`;

/** One nightly job as NormalizeInput hands it to the Map: parsed, so every default is filled in. */
export function batchJob(overrides: Partial<Record<keyof BatchJob, unknown>> = {}): BatchJob {
  return batchJobSchema.parse({
    name: 'churn-scores',
    modelPackageGroupName: GROUP,
    inputPrefix: 's3://ml-batch/churn/input/{date}/',
    outputPrefix: 's3://ml-batch/churn/output/{date}/',
    ...overrides,
  });
}

/** What ResolveBatchModel put under $.model. */
export const resolvedModel = (version = 7) => ({
  modelName: `${GROUP}-v${version}-batch`,
  modelPackageArn: packageArn(version),
  version,
  source: 'latest-approved' as const,
});
