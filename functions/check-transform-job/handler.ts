import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3Client } from '../shared/aws/clients';
import { awsCall } from '../shared/aws/translate-error';
import { DATE, batchJobSchema, partition } from '../shared/domain/batch';
import { secondsFromEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';
import { describeTransformJobIfPresent } from '../shared/aws/transform-jobs';

const input = z.object({
  job: batchJobSchema,
  date: z.string().regex(DATE, 'must be YYYY-MM-DD'),
  transform: z.object({ jobName: z.string().min(1), startedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO timestamp') }),
});

export type TransformCheck =
  | 'InProgress' // poll again
  | 'Completed' // finished and wrote output
  | 'Failed' // Failed, Stopped, gone, or Completed without output
  | 'TimedOut'; // still running past BATCH_WAIT_SECONDS

export interface TransformCheckResult {
  check: TransformCheck;
  jobStatus: string | null;
  reason: string | null;
  outputPath: string;
  outputObjects: number;
  durationSeconds: number;
  checkedAt: string;
}

/** Counting stops here: enough to tell "wrote something" from "wrote nothing" without paging forever. */
const MAX_LISTED_PAGES = 100;

function splitS3Prefix(uri: string): { Bucket: string; Prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const key = match?.[2] ?? '';
  // SageMaker writes <S3OutputPath>/<input file>.out; without the slash `.../2026-11-22` would also count `.../2026-11-22-old/`.
  return { Bucket: match?.[1] ?? '', Prefix: key === '' || key.endsWith('/') ? key : `${key}/` };
}

async function countObjects(uri: string): Promise<number> {
  const { Bucket, Prefix } = splitS3Prefix(uri);
  let count = 0;
  let token: string | undefined;
  for (let page = 0; page < MAX_LISTED_PAGES; page += 1) {
    const out = await awsCall('ListObjectsV2', () => s3Client().send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken: token })));
    count += out.KeyCount ?? out.Contents?.length ?? 0;
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
    if (token === undefined) break;
  }
  return count;
}


/**
 * The verdict on one poll, from SageMaker's view of the job and, when it says Completed, the output
 * actually found. Pure, so the rules are tested without AWS.
 */
export function judgeTransform(
  view: { status: string; failureReason: string | null } | null,
  outputObjects: number | null,
  outputPath: string,
  elapsedSeconds: number,
  boundSeconds: number,
): { check: TransformCheck; reason: string | null } {
  if (view === null) return { check: 'Failed', reason: 'the transform job does not exist' };
  const why = view.failureReason ? `: ${view.failureReason}` : '';
  switch (view.status) {
    case 'Completed':
      // A job over an empty input partition "completes" too; an empty output must not pass as a scored night.
      return (outputObjects ?? 0) === 0
        ? { check: 'Failed', reason: `transform job Completed but wrote no output under ${outputPath}` }
        : { check: 'Completed', reason: null };
    case 'Failed':
      return { check: 'Failed', reason: `transform job Failed${why || ': no failure reason given'}` };
    case 'Stopped':
      return { check: 'Failed', reason: `transform job was Stopped before it completed${why}` };
    default:
      break;
  }
  if (elapsedSeconds > boundSeconds) {
    return { check: 'TimedOut', reason: `transform job still ${view.status} after ${Math.round(elapsedSeconds)} s (bound ${boundSeconds} s)` };
  }
  return { check: 'InProgress', reason: null };
}

/** State CheckTransformJob: one poll of the bounded wait for a nightly Batch Transform job. */
export const handler = stepHandler({
  step: 'CheckTransformJob',
  input,
  env: z.object({ BATCH_WAIT_SECONDS: secondsFromEnv }),
  run: async ({ job, date, transform }, { env }): Promise<TransformCheckResult> => {
    const described = await describeTransformJobIfPresent(transform.jobName);
    const view = described === null ? null : { status: described.TransformJobStatus ?? 'Unknown', failureReason: described.FailureReason ?? null };
    // The path the job really writes to; for a job reused from an earlier run it is the one it was created with.
    const outputPath = described?.TransformOutput?.S3OutputPath ?? partition(job.outputPrefix, date);
    const outputObjects = view?.status === 'Completed' ? await countObjects(outputPath) : null;
    const now = Date.now();
    const startedMs = Date.parse(transform.startedAt);
    const judged = judgeTransform(view, outputObjects, outputPath, (now - startedMs) / 1000, env.BATCH_WAIT_SECONDS);
    const endMs = described?.TransformEndTime ? new Date(described.TransformEndTime).getTime() : now;
    return {
      ...judged,
      jobStatus: view?.status ?? null,
      outputPath,
      outputObjects: outputObjects ?? 0,
      durationSeconds: Math.max(0, Math.round((endMs - startedMs) / 1000)),
      checkedAt: new Date(now).toISOString(),
    };
  },
});
