import { decideOutcome, outcomeStateSchema, servingOf, type FinalRead, type OutcomeState } from '../../../../functions/shared/domain/outcome';
import type { EndpointConfigView, EndpointView } from '../../../../functions/shared/domain/views';
import { ENDPOINT, EXECUTION_ARN, PACKAGE_ARN, REQUESTED_AT, RELEASE_ID, existingDeployment, releaseState } from '../../helpers';

const NOW = Date.parse('2024-05-01T12:31:01.000Z');
const deployment = existingDeployment();

/** The run's state after a canary release of churn-model v7 that got as far as `extra` says. */
function state(extra: Record<string, unknown> = {}): OutcomeState {
  return asOutcomeState({ ...releaseState(), claim: { status: 'claimed', target: ENDPOINT }, deployment, ...extra });
}

/** The state as RecordOutcome reads it (through its schema). */
const asOutcomeState = (value: unknown): OutcomeState => outcomeStateSchema.parse(value);

/** The endpoint's final read: one variant at full weight on `model`. */
function finalRead(model: string, configName = 'final-config'): FinalRead {
  const live: EndpointView = { name: ENDPOINT, status: 'InService', configName, failureReason: null, variants: [{ name: 'only', weight: 1 }] };
  const config: EndpointConfigView = { name: configName, variants: [{ VariantName: 'only', ModelName: model }], asyncInference: null, dataCapture: null };
  return { report: servingOf(ENDPOINT, live, config, deployment.modelName) };
}

const canaryHealthy = { canaryCheck: { verdict: 'healthy', reason: 'no alarm fired during the bake; 1106 canary invocations' } };

const NOW_ISO = new Date(NOW).toISOString();

describe('decideOutcome: the record, the event and the outcome of a run', () => {
  it('a promotion serving the new model: one PROMOTED record saying so, a Succeeded event, no error', () => {
    const decided = decideOutcome({ outcome: 'PROMOTED', state: state(canaryHealthy), finalRead: finalRead(deployment.modelName), now: NOW });

    expect(decided).toMatchObject({ outcome: 'PROMOTED', errorName: null, detailType: 'Model Deployment Succeeded', onRequest: false });
    expect(decided.records).toHaveLength(1);
    expect(decided.records[0]).toEqual({
      requestedAt: REQUESTED_AT,
      record: expect.objectContaining({
        releaseId: RELEASE_ID,
        modelPackageArn: PACKAGE_ARN,
        target: ENDPOINT,
        status: 'PROMOTED',
        servingModel: 'new',
        previousConfigName: 'live-config',
        newConfigName: 'final-config',
        executionArn: EXECUTION_ARN,
        reason: 'no alarm fired during the bake; 1106 canary invocations',
        // From the execution's start (12:00:01) and the deployment's (12:01:00) to now (12:31:01).
        timings: { totalSeconds: 1860, sinceDeploymentSeconds: 1801 },
      }),
    });
    expect(decided.event).toEqual({
      detailType: 'Model Deployment Succeeded',
      resources: [PACKAGE_ARN, EXECUTION_ARN],
      detail: expect.objectContaining({ outcome: 'PROMOTED', trigger: 'promoted', releaseId: RELEASE_ID, endpointName: ENDPOINT, modelPackageVersion: 7, endpoint: expect.objectContaining({ serving: 'new' }) }),
    });
  });

  it('escalates a "promotion" that left the old model serving to FAILED, never reporting it done', () => {
    const decided = decideOutcome({ outcome: 'PROMOTED', state: state(canaryHealthy), finalRead: finalRead('churn-model-v6'), now: NOW });

    expect(decided).toMatchObject({ outcome: 'FAILED', errorName: 'EndpointStateConflict', detailType: 'Model Deployment Failed' });
    expect(decided.reason).toMatch(/; after promotion the endpoint serves the previous model$/);
    expect(decided.records[0]?.record).toMatchObject({ status: 'FAILED', servingModel: 'previous' });
  });

  it('escalates a "rollback" that left the new model serving to ROLLBACK_FAILED', () => {
    const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: state({ canaryCheck: { verdict: 'alarm', reason: 'error-rate alarm fired' } }), finalRead: finalRead(deployment.modelName), now: NOW });

    expect(decided).toMatchObject({ outcome: 'ROLLBACK_FAILED', errorName: 'RollbackFailed', detailType: 'Model Deployment Rollback Failed' });
    expect(decided.reason).toBe('canary alarm: error-rate alarm fired; the endpoint still serves the new model');
  });

  it('records and announces even when the endpoint cannot be read, taking what serves from its last check and saying so', () => {
    const decided = decideOutcome({ outcome: 'PROMOTED', state: state({ ...canaryHealthy, promotionCheck: { check: 'InService' } }), finalRead: { unreadable: 'AwsUnavailable' }, now: NOW });

    expect(decided.outcome).toBe('PROMOTED');
    expect(decided.serving).toMatchObject({ status: 'unknown (AwsUnavailable)', serving: 'new' });
    expect(decided.reason).toMatch(/the final read of the endpoint failed \(unknown \(AwsUnavailable\)\), so what it serves is taken from the run's last endpoint check: new$/);
    expect(decided.records[0]?.record.servingModel).toBe('new');
  });

  it('writes no record for a duplicate (the release that stands owns the claim), but announces the skip', () => {
    const decided = decideOutcome({
      outcome: 'SKIPPED',
      state: state({ claim: { status: 'duplicate', target: ENDPOINT, existingReleaseId: 'r0', existingStatus: 'PROMOTED' }, deployment: undefined }),
      finalRead: null,
      now: NOW,
    });

    expect(decided.records).toEqual([]);
    expect(decided.event?.detailType).toBe('Model Deployment Skipped');
    expect(decided.reason).toMatch(/already released by release r0 \(PROMOTED\)/);
  });

  it('announces nothing and records nothing for a dry run that failed before its preview', () => {
    const base = releaseState();
    const dryRun = asOutcomeState({ ...base, request: { ...base.request, dryRun: true }, error: { Error: 'InvalidSettings', Cause: 'canary.percent=0: must be at least 1' } });

    const decided = decideOutcome({ outcome: 'FAILED', state: dryRun, finalRead: null, now: NOW });

    expect(decided).toMatchObject({ outcome: 'FAILED', errorName: 'InvalidSettings', event: null, records: [] });
  });

  it('a run that failed before planning still announces its error, with what it knows', () => {
    const decided = decideOutcome({ outcome: 'FAILED', state: asOutcomeState({ error: { Error: 'InvalidInput', Cause: 'detail.ModelPackageArn: expected string' } }), finalRead: null, now: NOW });

    expect(decided).toMatchObject({ outcome: 'FAILED', errorName: 'InvalidInput', records: [] });
    expect(decided.event?.detail).toMatchObject({ outcome: 'FAILED', trigger: 'error', reason: 'InvalidInput: detail.ModelPackageArn: expected string', modelPackageArn: null, releaseId: null });
  });

  it("an operator's rollback succeeds on request and is recorded twice: on the release, and as a release of its own", () => {
    const base = releaseState();
    const rollback = asOutcomeState({
      ...base,
      request: { ...base.request, action: 'rollback', trigger: 'manual', reason: 'bad predictions' },
      claim: { status: 'claimed', target: ENDPOINT },
      deployment: { ...deployment, rollbackOf: { releaseId: 'r-promoted', modelPackageArn: PACKAGE_ARN } },
    });

    const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: rollback, finalRead: finalRead('churn-model-v6', 'live-config'), now: NOW });

    expect(decided).toMatchObject({ outcome: 'ROLLED_BACK', onRequest: true, reason: 'rolled back on request: bad predictions' });
    expect(decided.event?.detail).toMatchObject({ trigger: 'manual-rollback' });
    expect(decided.records.map((r) => [r.record.releaseId, r.record.mode, r.record.status])).toEqual([
      [RELEASE_ID, 'realtime', 'ROLLED_BACK'],
      ['rollback-run-1', 'manual-rollback', 'ROLLED_BACK'],
    ]);
    expect(decided.records[1]?.record.reason).toBe('rolled back on request: bad predictions (undoes release r-promoted)');
  });

  it("an operator's rollback that took over a release stranded by a dead execution ends that release too, RECOVERED by the rollback", () => {
    const base = releaseState();
    const { plan: _plan, ...withoutPlan } = base;
    const stranded = { releaseId: 'r-stranded', modelPackageArn: `${PACKAGE_ARN}-8`, requestedAt: '2024-05-01T11:00:00.000Z', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:release:dead-1', executionStatus: 'ABORTED' };
    const rollback = asOutcomeState({
      ...withoutPlan,
      request: { ...base.request, action: 'rollback', trigger: 'manual', reason: 'bad predictions' },
      deployment: { ...deployment, rollbackOf: { releaseId: 'r-promoted', modelPackageArn: PACKAGE_ARN }, supersedes: stranded },
    });

    const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: rollback, finalRead: finalRead('churn-model-v6', 'live-config'), now: NOW });

    expect(decided.records.map((r) => [r.record.releaseId, r.record.status, r.requestedAt])).toEqual([
      ['rollback-run-1', 'ROLLED_BACK', base.request.requestedAt],
      ['r-stranded', 'RECOVERED', '2024-05-01T11:00:00.000Z'],
    ]);
    expect(decided.records[1]?.record).toMatchObject({ recoveredBy: EXECUTION_ARN, reason: expect.stringMatching(/^its execution .*dead-1 ended ABORTED without an outcome; the manual rollback .* took the endpoint over/) });
  });

  it('a promoted multi-model release names the TargetModel to call, and is not judged by variants it never changes', () => {
    const artifact = { backupKey: null, targetModel: 'churn-model/v7.tar.gz', liveTargetModel: 'churn-model.tar.gz' };
    const multiModel = state({ deployment: { ...deployment, style: 'multi-model-artifact', artifact } });

    // The final read shows the endpoint's (unchanged) variant on a model that is not the release's.
    const decided = decideOutcome({ outcome: 'PROMOTED', state: multiModel, finalRead: finalRead('shared-mme-model'), now: NOW });

    expect(decided.outcome).toBe('PROMOTED');
    expect(decided.reason).toMatch(/; call it with TargetModel churn-model\/v7.tar.gz$/);
    expect(decided.event?.detail).toMatchObject({ targetModel: 'churn-model/v7.tar.gz', liveTargetModel: 'churn-model.tar.gz' });
    expect(decided.records[0]?.record).toMatchObject({ targetModel: 'churn-model/v7.tar.gz' });
  });

  describe('a recovery run: the dead release finished, RECOVERED', () => {
    const DEAD = EXECUTION_ARN;
    const RECOVERY = EXECUTION_ARN.replace(/[^:]+$/, 'recover-1');
    const recovery = { deadExecutionArn: DEAD, deadStatus: 'ABORTED', lastState: 'BakeCanary', found: 'endpoint churn-endpoint InService on canary-config: v6-old 90%, v7 10%', action: 'roll-back', executionArn: RECOVERY };

    it('a rollback back to the previous model is RECOVERED: the release record, recoveredBy, a Recovered event saying what was found and done', () => {
      const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: state({ recovery }), finalRead: finalRead('churn-model-v6', 'live-config'), now: NOW });

      expect(decided).toMatchObject({ outcome: 'RECOVERED', errorName: null, detailType: 'Model Deployment Recovered' });
      expect(decided.reason).toBe(`recovered release execution ${DEAD} (ABORTED in BakeCanary): found ${recovery.found}; put the endpoint back on the previous model`);
      expect(decided.records).toHaveLength(1);
      expect(decided.records[0]?.record).toMatchObject({ releaseId: RELEASE_ID, status: 'RECOVERED', servingModel: 'previous', executionArn: DEAD, recoveredBy: RECOVERY });
      expect(decided.event?.detail).toMatchObject({ outcome: 'RECOVERED', trigger: 'recovery', recovery: { deadExecutionArn: DEAD, deadStatus: 'ABORTED', lastState: 'BakeCanary', executionArn: RECOVERY } });
    });

    it('a finished promotion is RECOVERED serving the new model', () => {
      const decided = decideOutcome({ outcome: 'PROMOTED', state: state({ ...canaryHealthy, recovery: { ...recovery, action: 'finish-promotion' } }), finalRead: finalRead(deployment.modelName), now: NOW });
      expect(decided).toMatchObject({ outcome: 'RECOVERED', errorName: null });
      expect(decided.reason).toMatch(/; kept the new model, which had passed \(the promotion finished\)$/);
      expect(decided.records[0]?.record).toMatchObject({ status: 'RECOVERED', servingModel: 'new' });
    });

    it("an operator's abort that put the previous model back is ABORTED, with the reason given, and an Aborted event", () => {
      const aborted = { ...recovery, aborted: true, request: { reason: 'latency complaints from checkout' } };
      const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: state({ recovery: aborted }), finalRead: finalRead('churn-model-v6', 'live-config'), now: NOW });
      expect(decided).toMatchObject({ outcome: 'ABORTED', errorName: null, detailType: 'Model Deployment Aborted' });
      expect(decided.reason).toBe(`aborted by an operator (latency complaints from checkout): release execution ${DEAD} stopped in BakeCanary; found ${recovery.found}; put the endpoint back on the previous model`);
      expect(decided.records[0]?.record).toMatchObject({ status: 'ABORTED', servingModel: 'previous', recoveredBy: RECOVERY, eventId: `${RELEASE_ID}.recover-1.aborted` });
      expect(decided.event?.detail).toMatchObject({ outcome: 'ABORTED', trigger: 'abort', eventId: `${RELEASE_ID}.recover-1.aborted`, recovery: { aborted: true } });
    });

    it('a recovery run that failed before it took any release over announces nothing: the release keeps its own outcome', () => {
      const failedRecovery = asOutcomeState({
        request: { action: 'recover', trigger: 'execution-status-change', executionArn: DEAD, endpointName: null, reason: null, requestedAt: NOW_ISO },
        execution: { id: RECOVERY, startTime: NOW_ISO },
        error: { Error: 'AwsUnavailable', Cause: 'GetItem failed' },
      });
      const decided = decideOutcome({ outcome: 'FAILED', state: failedRecovery, finalRead: null, now: NOW });
      expect(decided).toMatchObject({ outcome: 'FAILED', records: [], event: null });
    });

    it('a recovery whose rollback still leaves the new model serving is not RECOVERED: the escalation stands', () => {
      const decided = decideOutcome({ outcome: 'ROLLED_BACK', state: state({ recovery }), finalRead: finalRead(deployment.modelName), now: NOW });
      expect(decided.outcome).toBe('ROLLBACK_FAILED');
      expect(decided.reason).toMatch(/^recovered release execution/);
    });
  });
});
