/**
 * The release state machine's routes (statemachines/release.asl.yml, as packaged), every step's answer
 * stubbed: which state follows which answer, what Retry and Catch do, where each run ends. The same runs on
 * the local account, with real steps and AWS state, are in test/simulation/.
 */
import { failure, runStubbed, type Stub } from '../support/asl-harness';
import { existingDeployment, firstDeployment, releasePlan, releaseState } from '../unit/helpers';

const STATE = releaseState();
const MANUAL = { modelPackageArn: STATE.request.modelPackageArn };

/** What NormalizeInput, DescribePackage and PlanRelease answer for a release of this style. */
function planned(style: string, request: Record<string, unknown> = {}): Record<string, Stub> {
  return {
    NormalizeInput: { request: { ...STATE.request, ...request }, execution: STATE.execution },
    DescribePackage: STATE.package,
    PlanRelease: { ...releasePlan(), style },
    ClaimRelease: { status: 'acquired', redeploy: false, leaseExpiresAt: '2024-05-01T18:00:00.000Z', target: 'churn-endpoint' },
  };
}

const outcome = (outcome: string, error: string | null = null, onRequest = false) => ({ outcome, error, cause: `${outcome} in a stub`, detailType: 'x', endpoint: null, onRequest });
const recorded: Record<string, Stub> = {
  RecordPromotion: outcome('PROMOTED'),
  RecordRegistration: outcome('REGISTERED'),
  RecordRollback: outcome('ROLLED_BACK', 'ReleaseRolledBack'),
  RecordFailure: (input: Record<string, unknown>) => outcome('FAILED', ((input.state as { error?: { Error?: string } }).error?.Error ?? 'ReleaseFailed')),
  RecordRollbackFailure: outcome('ROLLBACK_FAILED', 'RollbackFailed'),
  RecordDuplicate: outcome('SKIPPED'),
  RecordDrift: outcome('DRIFTED', 'ReleaseDrifted'),
  CleanUp: { releasesLookedAt: 0 },
};

const check = (check: string, reason: string | null = null) => ({ check, endpointStatus: 'InService', configName: 'c', reason, checkedAt: '2024-05-01T12:10:00.000Z', ...(check === 'Pending' ? { nextCheckSeconds: 30 } : {}) });
const started = { requestedAt: '2024-05-01T12:02:00.000Z', waitBoundSeconds: 3600, guarded: false, expectedSeconds: 360 };
const smoke = (passed: boolean) => ({ passed, reason: passed ? '1 of 1 smoke payloads passed' : '1 of 1 smoke payloads failed', results: [] });
const canary = { verdict: 'proceed', alarmNames: ['a'], weights: [], startedAt: '2024-05-01T12:03:00.000Z', bakeUntil: '2024-05-01T12:13:00.000Z' };
const verdict = (v: string) => ({ verdict: v, reason: v, alarms: [], invocations: null, checkedAt: '2024-05-01T12:04:00.000Z', ...(v === 'baking' ? { nextCheckSeconds: 60 } : {}) });
/** Baking twice, then this verdict. */
const bake = (last: string): Stub => (_input: Record<string, unknown>, call: number) => verdict(call < 3 ? 'baking' : last);
const rollback = (action: string) => ({ action, expectedConfigName: 'live-config', endpointName: 'churn-endpoint', requestedAt: '2024-05-01T12:20:00.000Z', expectedSeconds: 360, ...(action === 'wait' || action === 'draining' ? { nextCheckSeconds: 45 } : {}) });
/** Pending once, then `done`. */
const settles = (done: string): Stub => (_input: Record<string, unknown>, call: number) => check(call === 1 ? 'Pending' : done);

const stillApproved = { verdict: 'proceed', approvalStatus: 'Approved' };

const canarySection = (deployment: unknown): Record<string, Stub> => ({
  PrepareDeployment: deployment,
  StartDeployment: started,
  CheckDeployment: settles('InService'),
  SmokeTest: smoke(true),
  StartCanary: canary,
  CheckCanary: bake('healthy'),
  ShiftTraffic: { verdict: 'proceed', weights: [], requestedAt: '2024-05-01T12:14:00.000Z', expectedSeconds: 60 },
  CheckTrafficShift: check('InService'),
  Promote: { verdict: 'proceed', finalConfigName: 'final', requestedAt: '2024-05-01T12:15:00.000Z', expectedSeconds: 360 },
  CheckPromotion: settles('InService'),
  RollBack: rollback('restoring'),
  CheckRollback: check('InService'),
});

/** The serverless section's steps, its bake ending with `verdict`. */
const serverlessSection = (verdict: string): Record<string, Stub> => ({
  ServerlessPrepareDeployment: existingDeployment({ style: 'all-at-once' }),
  ServerlessStartDeployment: started,
  ServerlessCheckDeployment: check('InService'),
  ServerlessSmokeTest: smoke(true),
  ServerlessStartBake: canary,
  ServerlessCheckBake: bake(verdict),
  RollBack: rollback('restoring'),
  CheckRollback: check('InService'),
});

describe('release state machine routes (every step stubbed)', () => {
  it('a first deployment is smoke-tested and promoted without a canary', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(firstDeployment()), ...recorded }, MANUAL);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.path).toEqual([
      'NormalizeInput', 'RouteRequest', 'DescribePackage', 'PlanRelease', 'IsDryRun', 'ClaimRelease', 'IsReleaseClaimed', 'ChooseReleaseStyle',
      'PrepareDeployment', 'StartDeployment', 'CheckDeployment', 'IsDeploymentInService', 'WaitForDeployment', 'CheckDeployment', 'IsDeploymentInService',
      'SmokeTest', 'DidSmokeTestPass', 'RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released',
    ]);
  });

  it('an update bakes the canary until healthy, shifts all traffic, promotes, and records the promotion', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), ...recorded }, MANUAL);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.filter((s) => s === 'CheckCanary')).toHaveLength(3);
    expect(run.path.slice(run.path.indexOf('SmokeTest'))).toEqual([
      'SmokeTest', 'DidSmokeTestPass', 'StartCanary', 'IsCanaryStarted', 'CheckCanary', 'IsCanaryHealthy', 'BakeCanary', 'CheckCanary', 'IsCanaryHealthy', 'BakeCanary', 'CheckCanary', 'IsCanaryHealthy',
      'ShiftTraffic', 'IsTrafficShifting', 'CheckTrafficShift', 'IsTrafficShifted', 'Promote', 'IsPromoting', 'CheckPromotion', 'IsPromotionInService', 'WaitForPromotion', 'CheckPromotion', 'IsPromotionInService',
      'RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released',
    ]);
  });

  it.each(['alarm', 'insufficient-traffic'])('a canary judged %s is rolled back and the run fails with the recorded error', async (v) => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), CheckCanary: bake(v), ...recorded }, MANUAL);

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ReleaseRolledBack');
    expect(run.path.slice(run.path.indexOf('RollBack'))).toEqual(['RollBack', 'WhatDidRollBackDo', 'CheckRollback', 'IsRollbackDone', 'RecordRollback', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseRolledBack']);
    expect(run.path).not.toContain('ShiftTraffic');
  });

  it.each([
    ['StartCanary', 'revoked', 'RevokedBeforeCanary', 'RollBack'],
    ['ShiftTraffic', 'revoked', 'RevokedBeforeShift', 'RollBack'],
    ['Promote', 'revoked', 'RevokedBeforePromotion', 'RollBack'],
    ['StartCanary', 'drifted', 'DriftedBeforeCanary', 'RecordDrift'],
    ['ShiftTraffic', 'drifted', 'DriftedBeforeShift', 'RecordDrift'],
    ['Promote', 'drifted', 'DriftedBeforePromotion', 'RecordDrift'],
  ])('%s answering %s changes nothing more: its verdict goes where the outcome reads it, then %s -> %s', async (step, v, pass, next) => {
    const stopped = { verdict: v, reason: `${v} before ${step}` };
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), [step]: stopped, ...recorded }, MANUAL);

    expect(run.path[run.path.indexOf(pass) + 1]).toBe(next);
    // RecordDrift is RecordOutcome, given the whole state under `state`.
    const input = run.inputs.get(next)?.[0] as { canaryCheck?: unknown; state?: { canaryCheck?: unknown } } | undefined;
    expect(next === 'RecordDrift' ? input?.state?.canaryCheck : input?.canaryCheck).toEqual(stopped);
    const after = run.path.slice(run.path.indexOf(step) + 1);
    for (const change of ['CheckCanary', 'ShiftTraffic', 'CheckTrafficShift', 'Promote', 'CheckPromotion']) expect(after).not.toContain(change);
  });

  it('a clean-up that fails changes no outcome: the release still ends as recorded', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), ...recorded, CleanUp: () => { throw failure('AwsRequestRejected'); } }, MANUAL);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.path.slice(-4)).toEqual(['RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released']);
  });

  it('a failed smoke test rolls back before any canary traffic', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), ...recorded }, MANUAL);

    expect(run.path).toContain('RollBack');
    expect(run.path).not.toContain('StartCanary');
    expect(run.error).toBe('ReleaseRolledBack');
  });

  it('a deployment SageMaker rolled back itself is recorded as rolled back, with nothing for RollBack to undo', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), CheckDeployment: check('RolledBack', 'kept the old config'), ...recorded }, MANUAL);

    expect(run.path).toContain('RecordRollback');
    expect(run.path).not.toContain('RollBack');
    expect(run.error).toBe('ReleaseRolledBack');
  });

  it.each(['Failed', 'TimedOut'])('a deployment that ends %s is rolled back', async (end) => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), CheckDeployment: check(end), ...recorded }, MANUAL);

    expect(run.path).toEqual(expect.arrayContaining(['IsDeploymentInService', 'RollBack', 'RecordRollback']));
    expect(run.path).not.toContain('SmokeTest');
  });

  it('EndpointStateConflict at the first change is a failure with nothing to undo; any other error there rolls back', async () => {
    const conflict = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), StartDeployment: () => { throw failure('EndpointStateConflict'); }, ...recorded }, MANUAL);
    const other = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), StartDeployment: () => { throw failure('AwsRequestRejected'); }, ...recorded }, MANUAL);

    expect(conflict.path.slice(-4)).toEqual(['RecordFailure', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseFailed']);
    expect(conflict.error).toBe('EndpointStateConflict');
    expect(conflict.path).not.toContain('RollBack');
    expect(other.path).toContain('RollBack');
  });

  it('transient AWS errors are retried in place; a rejected request is not', async () => {
    const flaky: Stub = (_i: Record<string, unknown>, call: number) => {
      if (call <= 2) throw failure('AwsThrottled');
      return started;
    };
    const retried = await runStubbed({ ...planned('variant-canary'), ...canarySection(firstDeployment()), StartDeployment: flaky, ...recorded }, MANUAL);
    const rejected = await runStubbed({ ...planned('variant-canary'), DescribePackage: () => { throw failure('AwsRequestRejected'); }, ...recorded }, MANUAL);

    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.states.find((s) => s.name === 'StartDeployment')?.retries).toBe(2);
    expect(rejected.states.find((s) => s.name === 'DescribePackage')?.retries).toBe(0);
    expect(rejected.path.slice(-4)).toEqual(['RecordFailure', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseFailed']);
    expect(rejected.error).toBe('AwsRequestRejected');
  });

  it('a rollback waits while SageMaker is busy, then restores; a rollback that does not settle alerts', async () => {
    const waits: Stub = (_i: Record<string, unknown>, call: number) => rollback(call === 1 ? 'wait' : 'restoring');
    const ok = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), RollBack: waits, ...recorded }, MANUAL);
    const stuck = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), CheckRollback: check('Failed'), ...recorded }, MANUAL);

    expect(ok.path.slice(ok.path.indexOf('RollBack'), ok.path.indexOf('RollBack') + 4)).toEqual(['RollBack', 'WhatDidRollBackDo', 'WaitBeforeRollback', 'RollBack']);
    expect(stuck.path.slice(-3)).toEqual(['RecordRollbackFailure', 'DidReleaseEndCleanly', 'RollbackFailed']);
    expect(stuck.error).toBe('RollbackFailed');
  });

  it("a canary's rollback drains the candidate first, then restores the config; one that times out alerts", async () => {
    const drainsThenRestores: Stub = (_i: Record<string, unknown>, call: number) => rollback(call === 1 ? 'draining' : call === 2 ? 'wait' : 'restoring');
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), RollBack: drainsThenRestores, ...recorded }, MANUAL);
    const timedOut = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), RollBack: () => { throw failure('RollbackTimedOut'); }, ...recorded }, MANUAL);

    const from = run.path.indexOf('RollBack');
    expect(run.path.slice(from, from + 9)).toEqual(['RollBack', 'WhatDidRollBackDo', 'WaitBeforeRollback', 'RollBack', 'WhatDidRollBackDo', 'WaitBeforeRollback', 'RollBack', 'WhatDidRollBackDo', 'CheckRollback']);
    expect(run.path.slice(-2)).toEqual(['DidReleaseEndCleanly', 'ReleaseRolledBack']);
    expect(timedOut.path.slice(-3)).toEqual(['RecordRollbackFailure', 'DidReleaseEndCleanly', 'RollbackFailed']);
  });

  it('RecordOutcome may escalate: a "rolled back" endpoint still serving the new model ends RollbackFailed', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(existingDeployment()), SmokeTest: smoke(false), ...recorded, RecordRollback: outcome('ROLLBACK_FAILED', 'RollbackFailed') }, MANUAL);

    expect(run.path.slice(-2)).toEqual(['DidReleaseEndCleanly', 'RollbackFailed']);
  });

  it('an outcome that cannot be recorded ends OutcomeNotRecorded', async () => {
    const run = await runStubbed({ ...planned('variant-canary'), ...canarySection(firstDeployment()), ...recorded, RecordPromotion: () => { throw failure('LedgerWriteFailed'); } }, MANUAL);

    expect(run.path.slice(-2)).toEqual(['RecordPromotion', 'OutcomeNotRecorded']);
    expect(run.error).toBe('OutcomeNotRecorded');
  });

  describe('each style has its own section, chosen once', () => {
    it('guardrails (real-time native): SageMaker bakes, the smoke test checks the new fleet, then promoted', async () => {
      const run = await runStubbed(
        { ...planned('native-guardrails'), GuardedPrepareDeployment: existingDeployment({ style: 'native-guardrails' }), GuardedStartDeployment: started, GuardedCheckDeployment: settles('InService'), GuardedSmokeTest: smoke(true), GuardedConfirmApproval: stillApproved, ...recorded },
        MANUAL,
      );

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path.slice(run.path.indexOf('ChooseReleaseStyle'))).toEqual([
        'ChooseReleaseStyle', 'GuardedPrepareDeployment', 'GuardedStartDeployment', 'GuardedCheckDeployment', 'GuardedIsDeploymentDone',
        'GuardedWaitForDeployment', 'GuardedCheckDeployment', 'GuardedIsDeploymentDone', 'GuardedSmokeTest', 'GuardedDidSmokeTestPass', 'GuardedConfirmApproval', 'GuardedIsStillApproved', 'RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released',
      ]);
    });

    it('guardrails: a package rejected during SageMaker\'s bake is rolled back once it ends, not recorded as promoted', async () => {
      const revoked = { verdict: 'revoked', reason: 'the package is Rejected in the model registry now' };
      const run = await runStubbed(
        { ...planned('native-guardrails'), GuardedPrepareDeployment: existingDeployment({ style: 'native-guardrails' }), GuardedStartDeployment: started, GuardedCheckDeployment: check('InService'), GuardedSmokeTest: smoke(true), GuardedConfirmApproval: revoked, RollBack: rollback('restoring'), CheckRollback: check('InService'), ...recorded },
        MANUAL,
      );

      expect(run.path.slice(run.path.indexOf('GuardedConfirmApproval'))).toEqual(['GuardedConfirmApproval', 'GuardedIsStillApproved', 'RevokedAfterGuardrails', 'RollBack', 'WhatDidRollBackDo', 'CheckRollback', 'IsRollbackDone', 'RecordRollback', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseRolledBack']);
      expect((run.inputs.get('RollBack')?.[0] as { canaryCheck?: unknown }).canaryCheck).toEqual(revoked);
      expect(run.path).not.toContain('RecordPromotion');
    });

    it('guardrails: a SageMaker-side rollback is recorded as one, without RollBack', async () => {
      const run = await runStubbed(
        { ...planned('native-guardrails'), GuardedPrepareDeployment: existingDeployment({ style: 'native-guardrails' }), GuardedStartDeployment: started, GuardedCheckDeployment: check('RolledBack'), ...recorded },
        MANUAL,
      );

      expect(run.path.slice(-4)).toEqual(['RecordRollback', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseRolledBack']);
      expect(run.path).not.toContain('RollBack');
    });

    it('async: its own section, the smoke test through S3, a failed one rolled back', async () => {
      const run = await runStubbed(
        { ...planned('async-guardrails'), AsyncPrepareDeployment: existingDeployment({ style: 'async-guardrails' }), AsyncStartDeployment: started, AsyncCheckDeployment: check('InService'), AsyncSmokeTest: smoke(false), RollBack: rollback('restoring'), CheckRollback: check('InService'), ...recorded },
        MANUAL,
      );

      expect(run.path).toEqual(expect.arrayContaining(['AsyncPrepareDeployment', 'AsyncSmokeTest', 'AsyncDidSmokeTestPass', 'RollBack', 'RecordRollback']));
      expect(run.path.some((s) => s.startsWith('Guarded'))).toBe(false);
    });

    it('serverless: all at once, a bake on the whole endpoint, and a healthy bake is the promotion', async () => {
      const run = await runStubbed({ ...planned('all-at-once'), ...serverlessSection('healthy'), ...recorded }, MANUAL);

      expect(run.status).toBe('SUCCEEDED');
      expect(run.path.slice(-6)).toEqual(['ServerlessCheckBake', 'ServerlessIsBakeHealthy', 'RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released']);
      expect(run.path).not.toContain('ShiftTraffic');
      expect(run.path).not.toContain('Promote');
    });

    it('serverless: an alarm during the bake reverts the endpoint', async () => {
      const run = await runStubbed({ ...planned('all-at-once'), ...serverlessSection('alarm'), ...recorded }, MANUAL);

      expect(run.path).toEqual(expect.arrayContaining(['ServerlessIsBakeHealthy', 'RollBack', 'RecordRollback', 'ReleaseRolledBack']));
    });

    it('multi-model: staged, smoke-tested by TargetModel, promoted by copying the artifact; never an endpoint change', async () => {
      const run = await runStubbed(
        { ...planned('multi-model-artifact'), StageModelArtifact: existingDeployment({ style: 'multi-model-artifact' }), MultiModelSmokeTest: smoke(true), MultiModelConfirmApproval: stillApproved, PromoteModelArtifact: { targetModel: 't', liveTargetModel: 'l', liveKey: 'k', promotedAt: 'x' }, ...recorded },
        MANUAL,
      );

      expect(run.path.slice(run.path.indexOf('ChooseReleaseStyle'))).toEqual(['ChooseReleaseStyle', 'StageModelArtifact', 'MultiModelSmokeTest', 'MultiModelDidSmokeTestPass', 'MultiModelConfirmApproval', 'MultiModelIsStillApproved', 'PromoteModelArtifact', 'RecordPromotion', 'CleanUp', 'DidReleaseEndCleanly', 'Released']);
    });

    it.each([
      ['the smoke test fails', { MultiModelSmokeTest: smoke(false) }],
      ['the smoke test errors', { MultiModelSmokeTest: () => { throw failure('AwsUnavailable'); } }],
      ['the promotion errors', { MultiModelSmokeTest: smoke(true), MultiModelConfirmApproval: stillApproved, PromoteModelArtifact: () => { throw failure('EndpointStateConflict'); } }],
      ['the package was rejected since staging', { MultiModelSmokeTest: smoke(true), MultiModelConfirmApproval: { verdict: 'revoked', reason: 'the package is Rejected' } }],
    ])('multi-model: when %s, the artifact is restored, never the shared endpoint rolled back', async (_what, stubs) => {
      const run = await runStubbed(
        { ...planned('multi-model-artifact'), StageModelArtifact: existingDeployment({ style: 'multi-model-artifact' }), RestoreModelArtifact: { action: 'restored-previous' }, ...recorded, ...stubs },
        MANUAL,
      );

      expect(run.path.slice(-5)).toEqual(['RestoreModelArtifact', 'RecordRollback', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseRolledBack']);
      expect(run.path).not.toContain('RollBack');
    });

    it('multi-model: a restore that fails alerts', async () => {
      const run = await runStubbed(
        { ...planned('multi-model-artifact'), StageModelArtifact: existingDeployment({ style: 'multi-model-artifact' }), MultiModelSmokeTest: smoke(false), RestoreModelArtifact: () => { throw failure('AwsRequestRejected'); }, ...recorded },
        MANUAL,
      );

      expect(run.path.slice(-3)).toEqual(['RecordRollbackFailure', 'DidReleaseEndCleanly', 'RollbackFailed']);
    });

    it('batch only: registered, no endpoint section at all', async () => {
      const run = await runStubbed({ ...planned('batch-register'), RegisterBatchModel: { groupName: 'g' }, ...recorded }, MANUAL);

      expect(run.path.slice(-6)).toEqual(['ChooseReleaseStyle', 'RegisterBatchModel', 'RecordRegistration', 'CleanUp', 'DidReleaseEndCleanly', 'Released']);
    });

    it('a style with no section is refused and recorded, never left holding the endpoint', async () => {
      const run = await runStubbed({ ...planned('blue-green-someday'), ...recorded }, MANUAL);

      expect(run.path.slice(-6)).toEqual(['ChooseReleaseStyle', 'UnknownReleaseStyle', 'RecordFailure', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseFailed']);
      expect(run.inputs.get('RecordFailure')?.[0]).toMatchObject({ state: { error: { Error: 'InvalidConfiguration' } } });
    });
  });

  describe('the way in', () => {
    it('input NormalizeInput refuses is recorded as a failure, the execution failing with its error', async () => {
      const run = await runStubbed({ NormalizeInput: () => { throw failure('InvalidInput'); }, ...recorded }, { nonsense: true });

      expect(run.path).toEqual(['NormalizeInput', 'RejectInput', 'RecordFailure', 'CleanUp', 'DidReleaseEndCleanly', 'ReleaseFailed']);
      expect(run.error).toBe('InvalidInput');
    });

    it('a duplicate or a stale approval is recorded as skipped; a queued release waits and claims again', async () => {
      const duplicate = await runStubbed({ ...planned('variant-canary'), ClaimRelease: { status: 'duplicate', existingReleaseId: 'r', existingStatus: 'PROMOTED', target: 't' }, ...recorded }, MANUAL);
      const queuedThenAcquired: Stub = (_i: Record<string, unknown>, call: number) =>
        call === 1 ? { status: 'queued', queuePosition: 1, holder: 'other', target: 't', waitingSince: 'x' } : { status: 'acquired', redeploy: false, leaseExpiresAt: 'x', target: 't' };
      const queued = await runStubbed({ ...planned('variant-canary'), ...canarySection(firstDeployment()), ClaimRelease: queuedThenAcquired, ...recorded }, MANUAL);

      const stale = await runStubbed({ ...planned('variant-canary'), ClaimRelease: { status: 'stale', newerReleaseId: 'r', newerVersion: 8, newerStatus: 'PROMOTED', target: 't' }, ...recorded }, MANUAL);

      expect(duplicate.path.slice(-3)).toEqual(['IsReleaseClaimed', 'RecordDuplicate', 'DuplicateSkipped']);
      expect(duplicate.status).toBe('SUCCEEDED');
      expect(stale.path.slice(-3)).toEqual(['IsReleaseClaimed', 'RecordDuplicate', 'DuplicateSkipped']);
      expect(queued.path.slice(5, 10)).toEqual(['ClaimRelease', 'IsReleaseClaimed', 'WaitInQueue', 'ClaimRelease', 'IsReleaseClaimed']);
      expect(queued.status).toBe('SUCCEEDED');
    });

    it('a rejection is recorded and nothing else runs', async () => {
      const run = await runStubbed(
        { NormalizeInput: { request: { action: 'revoke', trigger: 'approval-event', modelPackageArn: STATE.request.modelPackageArn, eventId: 'e', requestedAt: 'x' }, execution: STATE.execution }, RecordRevocation: { revoked: true } },
        MANUAL,
      );

      expect(run.path).toEqual(['NormalizeInput', 'RouteRequest', 'RecordRevocation', 'Revoked']);
      expect(run.output).toEqual({ revoked: true });
    });

    it("an operator's rollback goes straight to the undo loop and succeeds when it is done", async () => {
      const run = await runStubbed(
        {
          NormalizeInput: { request: { action: 'rollback', trigger: 'manual', endpointName: 'churn-endpoint', reason: null, requestedAt: 'x' }, execution: STATE.execution },
          PrepareManualRollback: existingDeployment(),
          RollBack: rollback('restoring'),
          CheckRollback: check('InService'),
          ...recorded,
          RecordRollback: outcome('ROLLED_BACK', null, true),
        },
        { action: 'rollback', endpointName: 'churn-endpoint' },
      );

      expect(run.path).toEqual(['NormalizeInput', 'RouteRequest', 'PrepareManualRollback', 'RollBack', 'WhatDidRollBackDo', 'CheckRollback', 'IsRollbackDone', 'RecordRollback', 'CleanUp', 'DidReleaseEndCleanly', 'RolledBackOnRequest']);
      expect(run.status).toBe('SUCCEEDED');
    });

    it('a dry run previews and ends; a preview that fails ends the run with its error and records nothing', async () => {
      const ok = await runStubbed({ ...planned('variant-canary', { dryRun: true }), PreviewRelease: { dryRun: true, problems: [] } }, MANUAL);
      const refused = await runStubbed({ ...planned('variant-canary', { dryRun: true }), PreviewRelease: () => { throw failure('AwsRequestRejected'); } }, MANUAL);

      expect(ok.path).toEqual(['NormalizeInput', 'RouteRequest', 'DescribePackage', 'PlanRelease', 'IsDryRun', 'PreviewRelease', 'DryRunDone']);
      expect(ok.output).toEqual({ dryRun: true, problems: [] });
      expect(refused.path.slice(-2)).toEqual(['PreviewRelease', 'DryRunFailed']);
      expect(refused.error).toBe('AwsRequestRejected');
    });
  });
});
