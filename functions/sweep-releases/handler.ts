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

/**
 * State SweepReleases (the packaged schedule, every few minutes, or an operator's {"action": "sweep"}): the
 * releases still IN_PROGRESS whose execution (and whose recovery, if one claimed it) no longer runs get a
 * recovery started, because the status-change event that would have started one can be late or lost. Each
 * recovery's name is fixed by what it recovers, so sweeps never start two of one; a recovery racing the
 * event's own finds the release claimed and does nothing.
 */
export const sweepReleasesStep = defineStep({
  step: 'SweepReleases',
  input: z.object({ request: z.object({ action: z.literal('sweep') }) }),
  env: z.extend(ledgerEnv, { RELEASE_STATE_MACHINE_ARN: stateMachineArn }),
  aws: { ledger: dynamoDbLedger, sfn: stepFunctions },
  run: async (_input, { aws, env }) => {
    const now = Date.now();
    const inFlight = await aws.ledger.releasesInFlight(100);
    const started: { releaseId: string; deadExecutionArn: string; recovery: string; why: string }[] = [];
    const left: { releaseId: string; why: string }[] = [];
    for (const record of inFlight) {
      const verdict = judgeInFlight(record, await standing(aws.sfn, record.executionArn), await standing(aws.sfn, record.recoveredBy), now);
      if (verdict.action === 'leave') {
        left.push({ releaseId: record.releaseId, why: verdict.why });
        continue;
      }
      const start = await aws.sfn.startExecution(env.RELEASE_STATE_MACHINE_ARN, verdict.recoveryName, { action: 'recover', executionArn: verdict.deadExecutionArn });
      const recovery = start.status === 'started' ? start.executionArn : `${env.RELEASE_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${verdict.recoveryName}`;
      if (start.status === 'exists') left.push({ releaseId: record.releaseId, why: `a sweep already started its recovery ${recovery}` });
      else started.push({ releaseId: record.releaseId, deadExecutionArn: verdict.deadExecutionArn, recovery, why: verdict.why });
    }
    return { checked: inFlight.length, started, left, sweptAt: new Date(now).toISOString() };
  },
});

export const handler = awsStepHandler(sweepReleasesStep);
