import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { stepFunctions, type StepFunctionsAdapter } from '../shared/aws/step-functions';
import { EndpointBusy, InvalidInput } from '../shared/errors';
import { ledgerTarget, type RecoveryClaim, type ReleaseLedger } from '../shared/domain/ledger';
import { decideRecovery, lateStepWaitSeconds, type DeadReleaseState } from '../shared/domain/recovery';
import { deploymentSlice, executionSlice } from '../shared/domain/state';
import { ledgerEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

const recoverRequest = z.object({
  action: z.enum(['recover', 'abort']),
  trigger: z.enum(['execution-status-change', 'manual']),
  executionArn: z.nullable(z.string()),
  endpointName: z.nullable(z.string()),
  reason: z.optional(z.nullable(z.string())),
  requestedAt: z.string(),
});

/** What this run is recovering, carried through its wait loop (the state is then the dead release's). */
const recoverySlice = z.looseObject({
  deadExecutionArn: z.string(),
  executionArn: z.string(),
  request: recoverRequest,
  firstCheckedAt: z.string(),
  /** When the dead execution ended (an abort: when it was stopped), for the wait on a Lambda it may have left running. */
  deadEndedAt: z.optional(z.string()),
});

/** The slices of the dead release this step reads (the rest of its state is carried as it was). */
const deadStateSchema = z.looseObject({
  request: z.optional(z.looseObject({ requestedAt: z.string() })),
  package: z.optional(z.looseObject({ groupName: z.string() })),
  plan: z.optional(z.looseObject({ releaseId: z.string(), endpointName: z.nullable(z.string()), style: z.string(), names: z.looseObject({ finalConfig: z.string() }) })),
  deployment: z.optional(z.nullable(deploymentSlice)),
  recovery: z.optional(z.looseObject({ executionArn: z.string() })),
});

/** First time: the recover request; round the wait loop: the state this step put out last time. */
const firstTime = z.looseObject({ request: recoverRequest, execution: executionSlice });
const roundAgain = z.looseObject({ recovery: recoverySlice });
const input = z.union([roundAgain, firstTime]);

type Nothing = { request: z.infer<typeof recoverRequest>; execution: z.infer<typeof executionSlice>; recovery: { action: 'nothing'; reason: string } };

/** Another recovery run has the release: it may go on, unless its execution is no longer running. */
async function takeOver(ledger: ReleaseLedger, sfn: StepFunctionsAdapter, key: { target: string; requestedAt: string; releaseId: string }, by: string, deadRecovery: string | null, abort: boolean): Promise<RecoveryClaim> {
  const claim = await ledger.claimRecovery({ ...key, by, replacing: deadRecovery, abort });
  if (claim.status !== 'recovering' || claim.by === deadRecovery) return claim;
  const other = await sfn.describeExecution(claim.by);
  if (other?.status === 'RUNNING') return claim;
  return ledger.claimRecovery({ ...key, by, replacing: claim.by, abort });
}

/**
 * State PrepareRecovery (looped by WaitBeforeRecovery while SageMaker is busy): finds the release an
 * execution left unfinished (from the Step Functions event, or the one in flight on an endpoint an operator
 * names), takes it over in the ledger (one recovery at a time), reads what the release had done (its last
 * state, from the execution's history) and what the endpoint is now, and decides how to make it whole
 * (domain/recovery.ts). Its output is the dead release's state plus `recovery`, so the usual undo and
 * promotion loops and RecordOutcome carry on from it.
 */
export const prepareRecoveryStep = defineStep({
  step: 'PrepareRecovery',
  input,
  env: z.extend(ledgerEnv, { ENDPOINT_WAIT_SECONDS: secondsFromEnv, LAMBDA_TIMEOUT_SECONDS: z._default(secondsFromEnv, 60) }),
  aws: { ledger: dynamoDbLedger, sfn: stepFunctions, sageMaker },
  run: async (event, { aws, env }) => {
    const now = Date.now();
    const looped = roundAgain.safeParse(event);
    const again = looped.success ? looped.data.recovery : null;
    const first = firstTime.safeParse(event);
    const request = again?.request ?? (first.success ? first.data.request : null);
    const own = again?.executionArn ?? (first.success ? first.data.execution.id : null);
    // The input schema admits only these two shapes: neither is a bug in the state machine.
    if (request === null || own === null) throw new InvalidInput("PrepareRecovery: the input is neither a recover request nor this step's own earlier output");
    const nothing = (reason: string): Nothing => ({ request, execution: { id: own, startTime: new Date(now).toISOString() }, recovery: { action: 'nothing', reason } });

    let deadArn = again?.deadExecutionArn ?? request.executionArn;
    if (deadArn === null) {
      const endpoint = request.endpointName ?? '';
      const inFlight = (await aws.ledger.releasesForTarget(endpoint)).find((r) => r.status === 'IN_PROGRESS');
      if (inFlight?.executionArn == null) return nothing(`no release is in flight on ${endpoint}`);
      deadArn = inFlight.executionArn;
    }
    if (deadArn === own) return nothing('an execution does not recover itself');
    const aborting = request.action === 'abort';
    const dead = await aws.sfn.describeExecution(deadArn);
    if (dead === null) return nothing(`Step Functions has no execution ${deadArn}`);
    // Round the wait loop, an abort finds the execution it stopped ABORTED (or still winding down).
    if (dead.status === 'RUNNING' && !aborting) {
      throw new EndpointBusy(`execution ${deadArn} is still running: it finishes its release itself; to end it now, abort it ({"action": "abort", "executionArn": "${deadArn}"})`);
    }
    if (dead.status === 'SUCCEEDED') return nothing(`execution ${deadArn} succeeded: its release has its outcome`);

    const last = await aws.sfn.lastEnteredState(deadArn);
    const parsed = deadStateSchema.safeParse(last?.input ?? {});
    const state = parsed.success ? parsed.data : {};
    const { plan, request: deadRequest } = state;
    // Stopped before it claimed anything, a release has nothing to undo or record.
    const stopUnclaimed = async (why: string) => {
      if (aborting && dead.status === 'RUNNING') await aws.sfn.stopExecution(deadArn, 'ReleaseAborted', `aborted by an operator through ${own} ${why}`);
    };
    if (!plan || !deadRequest) {
      await stopUnclaimed('before it planned a release');
      return nothing(`execution ${deadArn} ${aborting ? 'was stopped' : 'ended'} before it planned a release: it claimed and changed nothing`);
    }
    const target = ledgerTarget(plan.endpointName, state.package?.groupName ?? '');
    // A recovery run that died is itself recovered: the release is the same, and that run's claim may be displaced.
    const deadRecovery = state.recovery?.executionArn ?? null;
    const claim = await takeOver(aws.ledger, aws.sfn, { target, requestedAt: deadRequest.requestedAt, releaseId: plan.releaseId }, own, deadRecovery, aborting);
    if (claim.status === 'finished') return nothing(`release ${plan.releaseId} already ended ${claim.releaseStatus}`);
    if (claim.status === 'recovering') return nothing(`release ${plan.releaseId} is being recovered by ${claim.by}`);
    if (claim.status === 'unknown') {
      await stopUnclaimed('before it was queued');
      return nothing(`the ledger has no record of release ${plan.releaseId}: it ${aborting ? 'was stopped' : 'ended'} before it was queued, and changed nothing`);
    }
    // The release is this run's now (claimed first, so the recovery its stop starts finds it taken): stop its execution.
    if (aborting && dead.status === 'RUNNING') {
      await aws.sfn.stopExecution(deadArn, 'ReleaseAborted', `aborted by an operator through ${own}${request.reason ? `: ${request.reason}` : ''}`);
    }

    const deployment = state.deployment ?? null;
    const view = deployment ? await aws.sageMaker.describeEndpoint(deployment.endpointName) : null;
    const firstCheckedAt = again?.firstCheckedAt ?? new Date(now).toISOString();
    // An abort run that died after its stop still has its way: the release goes back, whoever finishes it.
    const abortIntent = aborting || claim.abortedBy !== null;
    let decision = decideRecovery(state as DeadReleaseState, view, { abort: abortIntent });
    // A Lambda of the dead execution may still be running (StopExecution does not stop it): wait it out.
    const endedAt = aborting && dead.status === 'RUNNING' ? now : Date.parse(dead.stoppedAt ?? new Date(now).toISOString());
    const late = lateStepWaitSeconds({ openTask: last?.openTask ?? false, endedAt: again?.deadEndedAt ? Date.parse(again.deadEndedAt) : endedAt, now, lambdaTimeoutSeconds: env.LAMBDA_TIMEOUT_SECONDS });
    if (late !== null) decision = { action: 'wait', found: `${decision.found}; its execution ended inside ${last?.name ?? 'a Task'}, whose Lambda may still be running for ${late} s more` };
    // Stopped just now: the state read before the stop may be a step behind; read it again once the stop has landed.
    else if (aborting && dead.status === 'RUNNING') decision = { action: 'wait', found: `${decision.found}; its execution was stopped just now, so where it stopped is read again` };
    // SageMaker busy past the bound: undo anyway (the undo loop is bounded too, and says so if it cannot).
    if (decision.action === 'wait' && (now - Date.parse(firstCheckedAt)) / 1000 > env.ENDPOINT_WAIT_SECONDS) decision = { ...decision, action: 'roll-back' };
    const { recovery: _earlier, ...rest } = state;
    return {
      ...rest,
      recovery: {
        action: decision.action,
        found: decision.found,
        deadExecutionArn: deadArn,
        // An aborted execution is ABORTED from this step on, whatever DescribeExecution said a moment before.
        deadStatus: aborting && dead.status === 'RUNNING' ? 'ABORTED' : dead.status,
        lastState: last?.name ?? null,
        executionArn: own,
        aborted: abortIntent,
        request,
        firstCheckedAt,
        deadEndedAt: again?.deadEndedAt ?? new Date(endedAt).toISOString(),
      },
    };
  },
});

export const handler = awsStepHandler(prepareRecoveryStep);
