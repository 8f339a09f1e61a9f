import { CreateTransformJobCommand, type DescribeTransformJobCommandOutput, type TransformResources } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';
import { sageMakerClient } from '../shared/aws/clients';
import { translateAwsError } from '../shared/aws/translate-error';
import { DATE, batchJobSchema, partition, transformJobName, type BatchJob } from '../shared/domain/batch';
import { executionSlice } from '../shared/domain/state';
import { commonEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';
import { describeTransformJobIfPresent } from '../shared/aws/transform-jobs';

const input = z.object({
  job: batchJobSchema,
  date: z.string().regex(DATE, 'must be YYYY-MM-DD'),
  execution: executionSlice,
  model: z.object({ modelName: z.string().min(1), modelPackageArn: z.string().min(1) }),
});

export interface StartedTransform {
  jobName: string;
  /** True when a job of this name already existed (a re-run of the same night, or a concurrent run): nothing new was started. */
  reused: boolean;
  status: string;
  /** When the job was created; CheckTransformJob measures its wait bound from here. */
  startedAt: string;
  /** The model the job scores with; for a reused job, the one it was started with, which may predate this run's choice. */
  modelName: string;
}


function reuse(jobName: string, existing: DescribeTransformJobCommandOutput, fallbackStart: string): StartedTransform {
  return {
    jobName,
    reused: true,
    status: existing.TransformJobStatus ?? 'Unknown',
    startedAt: existing.CreationTime ? new Date(existing.CreationTime).toISOString() : fallbackStart,
    modelName: existing.ModelName ?? '',
  };
}

function alreadyExists(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e.name === 'ResourceInUse' || (e.name === 'ValidationException' && /already exist/i.test(e.message ?? ''));
}

function tags(job: BatchJob, date: string, modelPackageArn: string, executionId: string): { Key: string; Value: string }[] {
  return [
    { Key: 'sagemaker-release-pipeline:batch-job', Value: job.name },
    { Key: 'sagemaker-release-pipeline:batch-date', Value: date },
    { Key: 'sagemaker-release-pipeline:model-package', Value: modelPackageArn },
    { Key: 'sagemaker-release-pipeline:execution', Value: executionId },
  ];
}

/** Attempts of one job for one night: the first and this many retries in all, so a broken model cannot loop. */
const MAX_ATTEMPTS = 5;

/**
 * State StartTransformJob. The job name is derived from job and night, so whatever already carries it
 * is this night's job: a re-run (or a concurrent run) follows that job instead of scoring twice.
 */
export const handler = stepHandler({
  step: 'StartTransformJob',
  input,
  env: commonEnv,
  run: async ({ job, date, execution, model }, { logger }): Promise<StartedTransform> => {
    const startedAt = new Date(Date.now()).toISOString();
    // SageMaker never frees a job name, so a night whose job Failed or was Stopped is scored again under
    // the next attempt's name; a job InProgress or Completed is followed, never started twice.
    let jobName = transformJobName(job, date);
    for (let attempt = 2; ; attempt++) {
      const existing = await describeTransformJobIfPresent(jobName);
      if (existing === null) break;
      const status = existing.TransformJobStatus;
      if (status !== 'Failed' && status !== 'Stopped') {
        logger.info('transform job already exists; following it', { jobName, status });
        return reuse(jobName, existing, startedAt);
      }
      if (attempt > MAX_ATTEMPTS) {
        logger.info('every attempt of this night failed; reporting the last', { jobName });
        return reuse(jobName, existing, startedAt);
      }
      jobName = transformJobName(job, date, attempt);
    }
    try {
      await sageMakerClient().send(
        new CreateTransformJobCommand({
          TransformJobName: jobName,
          ModelName: model.modelName,
          MaxConcurrentTransforms: job.maxConcurrentTransforms,
          MaxPayloadInMB: job.maxPayloadMB,
          BatchStrategy: job.batchStrategy,
          // Explicit, because SageMaker's defaults (600 s, 3 retries) would score a slow record four times.
          ModelClientConfig: { InvocationsTimeoutInSeconds: job.modelClientTimeoutSeconds, InvocationsMaxRetries: job.modelClientMaxRetries },
          TransformInput: {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: partition(job.inputPrefix, date) } },
            ContentType: job.contentType,
            SplitType: job.splitType,
          },
          TransformOutput: {
            S3OutputPath: partition(job.outputPrefix, date),
            ...(job.accept !== undefined ? { Accept: job.accept } : {}),
            AssembleWith: job.assembleWith,
          },
          // The schema checks the ml.<family>.<size> shape; SageMaker's enum is the authority on which exist.
          TransformResources: { InstanceType: job.instanceType as TransformResources['InstanceType'], InstanceCount: job.instanceCount },
          Tags: tags(job, date, model.modelPackageArn, execution.id),
        }),
      );
    } catch (error) {
      if (!alreadyExists(error)) throw translateAwsError('CreateTransformJob', error);
      // Another run created it between our describe and our create: follow that one.
      const raced = await describeTransformJobIfPresent(jobName);
      if (raced === null) throw translateAwsError('CreateTransformJob', error);
      logger.info('transform job created concurrently; following it', { jobName, status: raced.TransformJobStatus });
      return reuse(jobName, raced, startedAt);
    }
    logger.info('transform job started', { jobName, modelName: model.modelName });
    return { jobName, reused: false, status: 'InProgress', startedAt, modelName: model.modelName };
  },
});
