import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { eventBridge } from '../shared/aws/eventbridge';
import { sageMaker, type SageMakerAdapter } from '../shared/aws/sagemaker';
import { LedgerWriteFailed } from '../shared/errors';
import type { ReleaseOutcome } from '../shared/domain/ledger';
import { decideOutcome, multiModelServingOf, outcomeStateSchema, servingOf, unrecordedDetail, type FinalRead, type OutcomeState } from '../shared/domain/outcome';
import { RELEASE_OUTCOMES } from '../shared/domain/state';
import { eventsEnv, ledgerEnv } from '../shared/runtime/env';
import { retryTransient } from '../shared/runtime/retry';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** The endpoint one last time, so the record says what it really serves, not what the run hoped. */
async function finalRead(sageMakerAdapter: SageMakerAdapter, outcome: ReleaseOutcome, state: OutcomeState): Promise<FinalRead | null> {
  const deployment = state.deployment;
  if (!deployment) return null;
  if (deployment.style === 'multi-model-artifact' && deployment.artifact) {
    return { report: multiModelServingOf(deployment.endpointName, await sageMakerAdapter.describeEndpoint(deployment.endpointName), outcome, deployment.artifact.backupKey !== null) };
  }
  try {
    const live = await sageMakerAdapter.describeEndpoint(deployment.endpointName);
    const config = live?.configName ? await sageMakerAdapter.describeEndpointConfig(live.configName) : null;
    return { report: servingOf(deployment.endpointName, live, config, deployment.modelName) };
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * States RecordPromotion, RecordRollback, RecordFailure, RecordRollbackFailure, RecordDuplicate,
 * RecordRegistration: the ledger record (lease, ticket and claim released), then the outcome event.
 */
export const recordOutcomeStep = defineStep({
  step: 'RecordOutcome',
  input: z.object({ outcome: z.enum(RELEASE_OUTCOMES), state: outcomeStateSchema }),
  env: z.extend(ledgerEnv, eventsEnv.shape),
  aws: { sageMaker, ledger: dynamoDbLedger, events: eventBridge },
  run: async ({ outcome, state }, { aws }) => {
    const decision = decideOutcome({ outcome, state, finalRead: await finalRead(aws.sageMaker, outcome, state), now: Date.now() });
    // Transient ledger failures are retried here, so that the outcome event is sent once, after the write settled.
    let ledgerProblem: string | null = null;
    for (const write of decision.records) ledgerProblem ??= await retryTransient(() => aws.ledger.finish(write));
    if (decision.event) await aws.events.publish(decision.event.detailType, unrecordedDetail(decision.event.detail, ledgerProblem), decision.event.resources);
    // The event went out once; failing now (with a name the state machine does not retry) ends the run in
    // OutcomeNotRecorded instead of re-sending the event on every retry.
    if (ledgerProblem !== null) throw new LedgerWriteFailed(`The outcome (${decision.outcome}) was announced but not recorded in the ledger: ${ledgerProblem}`);
    return { outcome: decision.outcome, error: decision.errorName, cause: decision.reason, detailType: decision.detailType, endpoint: decision.serving, onRequest: decision.onRequest };
  },
});

export const handler = awsStepHandler(recordOutcomeStep);
