import { sageMaker } from '../shared/aws/sagemaker';
import { AwsRequestRejected } from '../shared/errors';
import { nextTransformStep, transformJobName, transformJobRequest } from '../shared/domain/batch';
import { batchItemState, batchModelSlice, type StartedTransform } from '../shared/domain/batch-state';
import type { TransformJobView } from '../shared/domain/views';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** The job that carries this night's name, followed instead of started. */
function follow(jobName: string, existing: TransformJobView, fallbackStart: string): StartedTransform {
  return { jobName, reused: true, status: existing.status, startedAt: existing.createdAt ?? fallbackStart, modelName: existing.modelName ?? '' };
}

/**
 * State StartTransformJob. The job name is derived from job and night, so whatever already carries it
 * is this night's job: a re-run (or a concurrent run) follows that job instead of scoring twice.
 */
export const startTransformJobStep = defineStep({
  step: 'StartTransformJob',
  input: z.extend(batchItemState, { model: z.pick(batchModelSlice, { modelName: true, modelPackageArn: true }) }),
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ job, date, execution, model }, { aws, logger }): Promise<StartedTransform> => {
    const startedAt = new Date(Date.now()).toISOString();
    let jobName = transformJobName(job, date);
    for (let attempt = 1; ; attempt++) {
      jobName = transformJobName(job, date, attempt);
      const existing = await aws.sageMaker.describeTransformJob(jobName);
      if (existing === null) break;
      const next = nextTransformStep(existing.status, attempt);
      if (next === 'follow') {
        logger.info('transform job already exists; following it', { jobName, status: existing.status });
        return follow(jobName, existing, startedAt);
      }
      if (next === 'report-last') {
        logger.info('every attempt of this night failed; reporting the last', { jobName });
        return follow(jobName, existing, startedAt);
      }
    }
    const created = await aws.sageMaker.createTransformJob(transformJobRequest(job, date, jobName, model, execution.id));
    if (created !== 'created') {
      // Another run created it between our describe and our create: follow that one.
      const raced = await aws.sageMaker.describeTransformJob(jobName);
      if (raced === null) throw new AwsRequestRejected(`CreateTransformJob failed: ${created.existed}: ${jobName} already exists, yet DescribeTransformJob does not find it`);
      logger.info('transform job created concurrently; following it', { jobName, status: raced.status });
      return follow(jobName, raced, startedAt);
    }
    logger.info('transform job started', { jobName, modelName: model.modelName });
    return { jobName, reused: false, status: 'InProgress', startedAt, modelName: model.modelName };
  },
});

export const handler = awsStepHandler(startTransformJobStep);
