import { s3 } from '../shared/aws/s3';
import { sageMaker } from '../shared/aws/sagemaker';
import { batchJobSchema, DATE, judgeTransform, outputListing, partition } from '../shared/domain/batch';
import { transformSlice, type TransformCheckResult } from '../shared/domain/batch-state';
import { awsEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** State CheckTransformJob: one poll of the bounded wait for a nightly Batch Transform job. */
export const checkTransformJobStep = defineStep({
  step: 'CheckTransformJob',
  input: z.object({ job: batchJobSchema, date: z.string().check(z.regex(DATE, 'must be YYYY-MM-DD')), transform: z.pick(transformSlice, { jobName: true, startedAt: true }) }),
  env: z.extend(awsEnv, { BATCH_WAIT_SECONDS: secondsFromEnv }),
  aws: { sageMaker, s3 },
  run: async ({ job, date, transform }, { env, aws }): Promise<TransformCheckResult> => {
    const described = await aws.sageMaker.describeTransformJob(transform.jobName);
    // The path the job really writes to; for a job reused from an earlier run it is the one it was created with.
    const outputPath = described?.outputPath ?? partition(job.outputPrefix, date);
    const outputObjects = described?.status === 'Completed' ? await aws.s3.countObjects(outputListing(outputPath)) : null;
    const now = Date.now();
    const startedMs = Date.parse(transform.startedAt);
    const judged = judgeTransform(described, outputObjects, outputPath, (now - startedMs) / 1000, env.BATCH_WAIT_SECONDS);
    const endMs = described?.endedAt ? Date.parse(described.endedAt) : now;
    return {
      ...judged,
      jobStatus: described?.status ?? null,
      outputPath,
      outputObjects: outputObjects ?? 0,
      durationSeconds: Math.max(0, Math.round((endMs - startedMs) / 1000)),
      checkedAt: new Date(now).toISOString(),
    };
  },
});

export const handler = awsStepHandler(checkTransformJobStep);
