import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { stepFunctions, type StepFunctionsAdapter } from '../shared/aws/step-functions';
import { judgeInFlight, type ExecutionStanding } from '../shared/domain/sweep';
import { ledgerEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

const stateMachineArn = z.string().check(z.regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:.+$/, 'must be a state machine ARN'));

async function standing(sfn: StepFunctionsAdapter, executionArn: string | null | undefined): Promise<ExecutionStanding | null> {
  if (!executionArn) return null;
  const execution = await sfn.describeExecution(executionArn);
  return execution === null ? null : { status: execution.status, stoppedAt: execution.stoppedAt };
}

/** How many recoveries the sweeps start for one release before leaving it to an operator. */
const MAX_ATTEMPTS = 5;

/**
 * Starts the recovery named `name`, or its next attempt (`name-2`, ...) when an earlier one a sweep started
 * has ended without finishing the release: names are fixed, so two sweeps never run two at once.
 */
async function startRecovery(sfn: StepFunctionsAdapter, machineArn: string, name: string, deadExecutionArn: string): Promise<{ status: 'started' | 'running' | 'gave-up'; executionArn: string }> {
  const executionPrefix = machineArn.replace(':stateMachine:', ':execution:');
  let executionArn = `${executionPrefix}:${name}`;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const attemptName = attempt === 1 ? name : `${name}-${attempt}`;
    executionArn = `${executionPrefix}:${attemptName}`;
    const start = await sfn.startExecution(machineArn, attemptName, { action: 'recover', executionArn: deadExecutionArn });
    if (start.status === 'started') return { status: 'started', executionArn: start.executionArn || executionArn };
    const earlier = await sfn.describeExecution(executionArn);
    if (earlier?.status === 'RUNNING') return { status: 'running', executionArn };
  }
  return { status: 'gave-up', executionArn };
}

/**
 * State SweepReleases (the packaged schedule, every few minutes, or an operator's {"action": "sweep"}; with
 * "backfill": true it first indexes the releases a version without the sweep left in progress): the
 * releases still IN_PROGRESS whose execution (and whose recovery, if one claimed it) no longer runs get a
 * recovery started, because the status-change event that would have started one can be late or lost. Each
 * recovery's name is fixed by what it recovers, so sweeps never start two of one; a recovery racing the
 * event's own finds the release claimed and does nothing.
 */
export const sweepReleasesStep = defineStep({
  step: 'SweepReleases',
  input: z.object({ request: z.object({ action: z.literal('sweep'), backfill: z.optional(z.boolean()) }) }),
  env: z.extend(ledgerEnv, { RELEASE_STATE_MACHINE_ARN: stateMachineArn }),
  aws: { ledger: dynamoDbLedger, sfn: stepFunctions },
  run: async ({ request }, { aws, env }) => {
    const now = Date.now();
    // The index is eventually consistent: what the backfill indexes may show only in the next sweep.
    const indexed = request.backfill === true ? await aws.ledger.indexUnsweptReleases() : null;
    const inFlight = await aws.ledger.releasesInFlight(100);
    const started: { releaseId: string; deadExecutionArn: string; recovery: string; why: string }[] = [];
    const left: { releaseId: string; why: string }[] = [];
    for (const record of inFlight) {
      const verdict = judgeInFlight(record, await standing(aws.sfn, record.executionArn), await standing(aws.sfn, record.recoveredBy), now);
      if (verdict.action === 'leave') {
        left.push({ releaseId: record.releaseId, why: verdict.why });
        continue;
      }
      const outcome = await startRecovery(aws.sfn, env.RELEASE_STATE_MACHINE_ARN, verdict.recoveryName, verdict.deadExecutionArn);
      if (outcome.status === 'running') left.push({ releaseId: record.releaseId, why: `a sweep already started its recovery ${outcome.executionArn}, which is running` });
      else if (outcome.status === 'gave-up') left.push({ releaseId: record.releaseId, why: `${MAX_ATTEMPTS} recoveries a sweep started have ended without finishing it; an operator must look (${outcome.executionArn})` });
      else started.push({ releaseId: record.releaseId, deadExecutionArn: verdict.deadExecutionArn, recovery: outcome.executionArn, why: verdict.why });
    }
    return { checked: inFlight.length, started, left, ...(indexed !== null ? { indexed } : {}), sweptAt: new Date(now).toISOString() };
  },
});

export const handler = awsStepHandler(sweepReleasesStep);
