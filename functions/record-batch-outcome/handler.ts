import { eventBridge } from '../shared/aws/eventbridge';
import { BATCH_DETAIL_TYPES, DATE, batchEventId, summarizeJob } from '../shared/domain/batch';
import { executionSlice, type BatchJobSummary } from '../shared/domain/batch-state';
import { eventsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * Everything but job and date is optional: a Catch sends the iteration here with `error` from
 * whichever step failed, before the later slices exist. The job is read loosely for the same reason:
 * the record of a failure must not itself fail on a field it does not need.
 */
const input = z.object({
  job: z.object({ name: z.string().check(z.minLength(1)), modelPackageGroupName: z.string().check(z.minLength(1)) }),
  date: z.string().check(z.regex(DATE, 'must be YYYY-MM-DD')),
  execution: z.optional(executionSlice),
  model: z.optional(z.object({ modelName: z.string(), modelPackageArn: z.string(), version: z.optional(z.int()), source: z.enum(['ledger', 'latest-approved']) })),
  transform: z.optional(z.object({ jobName: z.string(), reused: z.boolean(), startedAt: z.optional(z.string()) })),
  transformCheck: z.optional(
    z.object({
      check: z.string(),
      reason: z.nullable(z.string()),
      outputPath: z.optional(z.string()),
      outputObjects: z.int().check(z.gte(0)),
      durationSeconds: z.nullable(z.number().check(z.gte(0))),
    }),
  ),
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

export { BATCH_DETAIL_TYPES };

/**
 * State RecordBatchOutcome: the last step of every ScoreBatches iteration, reached from success and
 * from every Catch. One event per job and night, so alerting does not need to read the run's output;
 * the returned summary is the iteration's result.
 */
export const recordBatchOutcomeStep = defineStep({
  step: 'RecordBatchOutcome',
  input,
  env: eventsEnv,
  aws: { events: eventBridge },
  run: async (state, { aws, logger }): Promise<BatchJobSummary> => {
    const summary = summarizeJob(state);
    const detail = {
      eventId: batchEventId(summary, state.execution?.id),
      ...summary,
      modelName: state.model?.modelName ?? null,
      modelPackageVersion: state.model?.version ?? null,
      outputPath: state.transformCheck?.outputPath ?? null,
      executionArn: state.execution?.id ?? null,
    };
    const resources = [summary.modelPackageArn, state.execution?.id].filter((r): r is string => typeof r === 'string');
    await aws.events.publish(BATCH_DETAIL_TYPES[summary.status], detail, resources);
    logger.info('batch job recorded', { ...summary });
    return summary;
  },
});

export const handler = awsStepHandler(recordBatchOutcomeStep);
