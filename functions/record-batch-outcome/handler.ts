import { z } from 'zod';
import { publishEvent } from '../shared/aws/events';
import { DATE, type BatchJobSummary } from '../shared/domain/batch';
import { errorMessageOf } from '../shared/domain/outcome';
import { executionSlice } from '../shared/domain/state';
import { eventsEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * Everything but job and date is optional: a Catch sends the iteration here with `error` from
 * whichever step failed, before the later slices exist. The job is read loosely for the same reason:
 * the record of a failure must not itself fail on a field it does not need.
 */
const input = z.object({
  job: z.object({ name: z.string().min(1), modelPackageGroupName: z.string().min(1) }),
  date: z.string().regex(DATE, 'must be YYYY-MM-DD'),
  execution: executionSlice.optional(),
  model: z
    .object({
      modelName: z.string(),
      modelPackageArn: z.string(),
      version: z.number().int().optional(),
      source: z.enum(['ledger', 'latest-approved']),
    })
    .optional(),
  transform: z.object({ jobName: z.string(), reused: z.boolean(), startedAt: z.string().optional() }).optional(),
  transformCheck: z
    .object({
      check: z.string(),
      reason: z.string().nullable(),
      outputPath: z.string().optional(),
      outputObjects: z.number().int().min(0),
      durationSeconds: z.number().min(0).nullable(),
    })
    .optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
type Input = z.infer<typeof input>;

export const BATCH_DETAIL_TYPES = { Succeeded: 'Batch Scoring Succeeded', Failed: 'Batch Scoring Failed' } as const;

/** Why the iteration did not score its night; the first cause found wins, as for releases. */
function failureReason(state: Input): string | null {
  if (state.error !== undefined) return `${state.error.Error ?? 'Error'}: ${errorMessageOf(state.error.Cause)}`;
  const check = state.transformCheck;
  if (check === undefined) return 'the iteration ended before the transform job was checked';
  if (check.check === 'Completed') return null;
  return `${check.check}: ${check.reason ?? 'no reason given'}`;
}

export function summarizeJob(state: Input): BatchJobSummary {
  const reason = failureReason(state);
  return {
    job: state.job.name,
    modelPackageGroupName: state.job.modelPackageGroupName,
    date: state.date,
    status: reason === null ? 'Succeeded' : 'Failed',
    transformJobName: state.transform?.jobName ?? null,
    reused: state.transform?.reused ?? false,
    modelPackageArn: state.model?.modelPackageArn ?? null,
    modelSource: state.model?.source ?? null,
    outputObjects: state.transformCheck?.outputObjects ?? 0,
    durationSeconds: state.transformCheck?.durationSeconds ?? null,
    reason,
  };
}

/**
 * State RecordBatchOutcome: the last step of every ScoreBatches iteration, reached from success and
 * from every Catch. One event per job and night, so alerting does not need to read the run's output;
 * the returned summary is the iteration's result.
 */
export const handler = stepHandler({
  step: 'RecordBatchOutcome',
  input,
  env: eventsEnv,
  run: async (state, { env, logger }): Promise<BatchJobSummary> => {
    const summary = summarizeJob(state);
    const detail = {
      ...summary,
      modelName: state.model?.modelName ?? null,
      modelPackageVersion: state.model?.version ?? null,
      outputPath: state.transformCheck?.outputPath ?? null,
      executionArn: state.execution?.id ?? null,
    };
    const resources = [summary.modelPackageArn, state.execution?.id].filter((r): r is string => typeof r === 'string');
    await publishEvent(env.EVENT_BUS_NAME, env.EVENT_SOURCE, BATCH_DETAIL_TYPES[summary.status], detail, resources);
    logger.info('batch job recorded', { ...summary });
    return summary;
  },
});
