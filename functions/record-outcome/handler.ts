import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { eventBridge } from '../shared/aws/eventbridge';
import { sageMaker, type SageMakerAdapter } from '../shared/aws/sagemaker';
import { LedgerWriteFailed } from '../shared/errors';
import type { ReleaseLedger, ReleaseOutcome, ReleaseRecord } from '../shared/domain/ledger';
import { decideOutcome, multiModelServingOf, outcomeStateSchema, servingOf, unrecordedDetail, type FinalRead, type OutcomeState } from '../shared/domain/outcome';
import { ENDPOINT_STYLES } from '../shared/domain/release-plan';
import { RELEASE_OUTCOMES } from '../shared/domain/state';
import { eventsEnv, ledgerEnv } from '../shared/runtime/env';
import { retryTransient } from '../shared/runtime/retry';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** The endpoint one last time, so the record says what it really serves, not what the run hoped. */
async function finalRead(sageMakerAdapter: SageMakerAdapter, outcome: ReleaseOutcome, state: OutcomeState): Promise<FinalRead | null> {
  const deployment = state.deployment;
  if (!deployment) {
    // A release that ended before its deployment was prepared changed no endpoint; the record still says what serves there.
    const endpointName = state.plan?.endpointName;
    const modelName = state.plan?.names?.model;
    // A duplicate is not a release of its own: it says nothing about the endpoint.
    if (outcome === 'SKIPPED' || !endpointName || !modelName || !ENDPOINT_STYLES.has(state.plan?.style ?? '')) return null;
    // Unreadable: this release changed nothing there, so it claims nothing about it either.
    const read = await readServing(sageMakerAdapter, endpointName, modelName);
    return 'unreadable' in read ? null : read;
  }
  if (deployment.style === 'multi-model-artifact' && deployment.artifact) {
    return { report: multiModelServingOf(deployment.endpointName, await sageMakerAdapter.describeEndpoint(deployment.endpointName), outcome, deployment.artifact.backupKey !== null) };
  }
  return readServing(sageMakerAdapter, deployment.endpointName, deployment.modelName);
}

async function readServing(sageMakerAdapter: SageMakerAdapter, endpointName: string, modelName: string): Promise<FinalRead> {
  try {
    const live = await sageMakerAdapter.describeEndpoint(endpointName);
    const config = live?.configName ? await sageMakerAdapter.describeEndpointConfig(live.configName) : null;
    return { report: servingOf(endpointName, live, config, modelName) };
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * When this outcome's event went out already (an earlier attempt of the step sent it and marked the record), or
 * null. An unreadable record counts as not announced: a copy sent again carries the same `detail.eventId`.
 */
async function announcedBefore(ledger: ReleaseLedger, release: ReleaseRecord): Promise<string | null> {
  try {
    const stored = await ledger.releaseRecord(release);
    return stored !== null && stored.eventId === release.eventId ? (stored.announcedAt ?? null) : null;
  } catch {
    return null;
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
    // An earlier attempt of this step (its Lambda timed out, or its answer was lost) may have sent the event already.
    const release = decision.records[0]?.record;
    const announcedAt = release ? await announcedBefore(aws.ledger, release) : null;
    // Transient ledger failures are retried here, so that the outcome event is sent once, after the write settled.
    let ledgerProblem: string | null = null;
    for (const write of decision.records) {
      const record = write.record === release && announcedAt !== null ? { ...write.record, announcedAt } : write.record;
      ledgerProblem ??= await retryTransient(() => aws.ledger.finish({ ...write, record }));
    }
    // What nightly scoring uses from now on (a put of the same item when the step runs again).
    if (decision.blessedModel !== null && ledgerProblem === null) {
      const blessed = decision.blessedModel;
      const inPlaceOf = decision.blessOnlyInPlaceOf;
      // A manual rollback changes nightly scoring only if it scored with the promotion undone.
      const replaces = inPlaceOf === null || (await aws.ledger.activeBatchModel(blessed.groupName))?.modelPackageArn === inPlaceOf;
      if (replaces) ledgerProblem = await retryTransient(() => aws.ledger.setActiveBatchModel(blessed));
    }
    if (decision.event && announcedAt === null) {
      await aws.events.publish(decision.event.detailType, unrecordedDetail(decision.event.detail, ledgerProblem), decision.event.resources);
      const eventId = release?.eventId;
      if (release && eventId && ledgerProblem === null) await retryTransient(() => aws.ledger.markAnnounced({ ...release, eventId, at: new Date(Date.now()).toISOString() }));
    }
    // The event went out once; failing now (with a name the state machine does not retry) ends the run in
    // OutcomeNotRecorded instead of re-sending the event on every retry.
    if (ledgerProblem !== null) throw new LedgerWriteFailed(`The outcome (${decision.outcome}) was announced but not recorded in the ledger: ${ledgerProblem}`);
    return { outcome: decision.outcome, error: decision.errorName, cause: decision.reason, detailType: decision.detailType, endpoint: decision.serving, onRequest: decision.onRequest };
  },
});

export const handler = awsStepHandler(recordOutcomeStep);
