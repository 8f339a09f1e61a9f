/**
 * Scenario interventions: operators and AWS acting on a release mid-run (the format the recovery,
 * ownership and evidence work builds on). Each case is the default canary scenario plus interventions,
 * run as `npm run simulate` runs it: packaged state machine, bundled handlers, the local account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../../local/moto';
import { runScenario, wholeServing, type SimulationResult } from '../../local/runner';
import { parseScenario, SCENARIO_DIR } from '../../local/scenario';
import { phaseOf } from '../../local/interventions';
import { loadFreshModule as loadModule } from '../support/fresh-module';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

/** The default canary scenario with these changes. */
function canary(name: string, changes: Record<string, unknown>) {
  const base = JSON.parse(readFileSync(join(SCENARIO_DIR, 'realtime-canary-promote.json'), 'utf8')) as Record<string, unknown>;
  return parseScenario({ ...base, name, ...changes }, `${name} (test)`);
}

const notes = (r: SimulationResult, title: string) => r.timeline.filter((e) => e.title === title).map((e) => e.detail);

describe('scenario interventions', () => {
  it('stop-execution during the bake: the run ends ABORTED, recording nothing itself; the recovery run its end starts puts the endpoint back', async () => {
    // Act
    const result = await runScenario(canary('stop-in-bake', { interventions: [{ during: 'bake', afterSeconds: 120, do: 'stop-execution' }], expect: { outcome: 'RECOVERED', endpoint: 'unchanged' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.executions[0]).toMatchObject({ outcome: 'ABORTED', error: 'ExecutionAborted' });
    expect(result.executions[0]?.states).not.toContain('ShiftTraffic');
    expect(notes(result, 'intervention stop-execution')).toEqual(['an operator stops the execution (StopExecution: no Catch runs)']);
    expect(result.executions[1]?.states.slice(0, 4)).toEqual(['NormalizeInput', 'RouteRequest', 'PrepareRecovery', 'WhatToRecover']);
    expect(result.events).toEqual(['Model Deployment Recovered']);
  });

  it('fails the scenario, saying why, when an intervention never applies', async () => {
    // Act: a release that promotes never enters rollback.
    const result = await runScenario(canary('never-rolls-back', { interventions: [{ during: 'rollback', do: 'drain-candidate' }] }), { moto, loadModule });

    // Assess
    expect(result.outcome).toBe('PROMOTED');
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['intervention drain-candidate during rollback never applied: the first execution never entered rollback']);
  });

  it("checks expect.endpoint: what the endpoint wholly serves at the end", async () => {
    // Act
    const right = await runScenario(canary('ends-on-candidate', { expect: { outcome: 'PROMOTED', endpoint: 'candidate' } }), { moto, loadModule });
    const wrong = await runScenario(canary('claims-live', { expect: { outcome: 'PROMOTED', endpoint: 'live' } }), { moto, loadModule });

    // Assess
    expect(right.failures).toEqual([]);
    expect(wrong.failures).toEqual([expect.stringMatching(/^the endpoint wholly serves the candidate model, expected live: /)]);
  });

  it('reject-candidate during the bake: the registry has the last word; the canary is rolled back (REVOKED) and the live model serves wholly', async () => {
    // Act
    const result = await runScenario(canary('rejected-in-bake', { interventions: [{ during: 'bake', afterSeconds: 240, do: 'reject-candidate' }], expect: { outcome: 'REVOKED', endpoint: 'unchanged' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(notes(result, 'intervention reject-candidate')).toEqual([expect.stringContaining('set Rejected in the registry')]);
    // The Rejected event went through the packaged rule and started an execution of its own, which records the rejection.
    expect(result.executions.some((e) => e.states.includes('RecordRevocation'))).toBe(true);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'REVOKED', servingModel: 'previous' })]);
    expect(result.events).toContain('Model Deployment Revoked');
    expect(notes(result, 'CheckCanary')).toContainEqual(expect.stringMatching(/^revoked: the package is Rejected in the model registry now/));
  });

  it.each([
    ['drain-candidate', { during: 'bake', afterSeconds: 240, do: 'drain-candidate' }, /the traffic split is/],
    ['hand-edit-endpoint', { during: 'bake', afterSeconds: 240, do: 'hand-edit-endpoint', instanceCount: 3 }, /an update of the endpoint to config churn-model-hand-edit is under way/],
  ])('%s during the bake: the release stops changing the endpoint (DRIFTED), keeping the operator\'s state', async (_name, intervention, found) => {
    // Act
    const result = await runScenario(canary(`operator-${_name}`, { interventions: [intervention], expect: { outcome: 'DRIFTED' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'DRIFTED', reason: expect.stringMatching(found) })]);
    expect(result.events).toEqual(['Model Deployment Drifted']);
    expect(Object.values(result.locks).flat()).toEqual([]);
    // Nothing after the drift changed the endpoint: no shift, promotion or rollback.
    const after = result.executions[0]?.states.slice(result.executions[0].states.lastIndexOf('CheckCanary')) ?? [];
    expect(after).not.toContain('ShiftTraffic');
    expect(after).not.toContain('RollBack');
  });

  it.each([
    ['bake', 'StartCanary', /^revoked: the package is Rejected in the model registry now, no longer Approved: the release stopped before sending canary traffic to the new variant/],
    ['shift', 'ShiftTraffic', /^revoked: the package is Rejected in the model registry now, no longer Approved: the release stopped before moving all traffic to the new variant/],
    ['promote', 'Promote', /^revoked: the package is Rejected in the model registry now, no longer Approved: the release stopped before promoting the new variant/],
  ])('reject-candidate as the %s begins, after the last canary check: no more traffic moves, the release rolls back (REVOKED)', async (phase, step, said) => {
    // Act
    const result = await runScenario(canary(`rejected-at-${phase}`, { interventions: [{ during: phase, do: 'reject-candidate' }], expect: { outcome: 'REVOKED', endpoint: 'unchanged' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(notes(result, step)).toContainEqual(expect.stringMatching(said));
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'REVOKED', servingModel: 'previous' })]);
    const states = result.executions[0]?.states ?? [];
    expect(states.slice(states.indexOf(step))).toEqual(expect.arrayContaining(['RollBack', 'RecordRollback']));
    if (step !== 'Promote') expect(states).not.toContain('CheckTrafficShift');
    if (step === 'StartCanary') expect(states).not.toContain('CheckCanary');
    expect(states).not.toContain('CheckPromotion');
  });

  it("reject-candidate during SageMaker's guardrail bake: asked once the bake ends, the release rolls back instead of recording a promotion (REVOKED)", async () => {
    // Prepare: the default candidate, released with SageMaker's own blue/green canary.
    const base = canary('rejected-in-guardrails', {});
    const native = parseScenario(
      { ...base, candidate: { ...base.candidate, metadata: { ...base.candidate.metadata, 'deploy.strategy': 'native', 'canary.bakeMinutes': '10' } }, interventions: [{ during: 'deploy', afterSeconds: 300, do: 'reject-candidate' }], expect: { outcome: 'REVOKED', endpoint: 'unchanged' } },
      'rejected-in-guardrails (test)',
    );

    // Act
    const result = await runScenario(native, { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(notes(result, 'GuardedConfirmApproval')).toEqual([expect.stringMatching(/^revoked: the package is Rejected in the model registry now, no longer Approved: the release stopped before recording the promotion SageMaker finished/)]);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'REVOKED', servingModel: 'previous' })]);
    expect(result.events).toContain('Model Deployment Revoked');
    expect(result.executions[0]?.states).not.toContain('RecordPromotion');
  });

  it.each([
    ['drain-candidate', 'shift', 'ShiftTraffic', { do: 'drain-candidate' }, /the traffic split is/],
    ['hand-edit-endpoint', 'promote', 'Promote', { do: 'hand-edit-endpoint', instanceCount: 3 }, /an update of the endpoint to config churn-model-hand-edit is under way/],
  ])("%s as the %s begins: the release stops before changing the endpoint (DRIFTED) and keeps the operator's state", async (name, phase, step, intervention, found) => {
    // Act
    const result = await runScenario(canary(`operator-${name}-at-${phase}`, { interventions: [{ during: phase, ...intervention }], expect: { outcome: 'DRIFTED' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(result.ledger).toEqual([expect.objectContaining({ status: 'DRIFTED', reason: expect.stringMatching(found) })]);
    expect(result.events).toEqual(['Model Deployment Drifted']);
    expect(Object.values(result.locks).flat()).toEqual([]);
    const states = result.executions[0]?.states ?? [];
    const after = states.slice(states.indexOf(step) + 1);
    for (const change of ['CheckTrafficShift', 'Promote', 'CheckPromotion', 'RollBack']) if (change !== step) expect(after).not.toContain(change);
  });

  it('approve-version during the bake: the newer version waits its turn, then is released after the first', async () => {
    // Act
    const result = await runScenario(canary('newer-version-mid-bake', { interventions: [{ during: 'bake', do: 'approve-version', behaviour: { latencyMs: { p50: 40, p99: 120 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.37' } } }] }), { moto, loadModule });

    // Assess
    expect(notes(result, 'intervention approve-version')).toEqual([expect.stringMatching(/^a newer version .*model-package\/churn-model\/3 is approved while the release runs$/)]);
    expect(result.executions.map((e) => e.outcome)).toEqual(['PROMOTED', 'PROMOTED']);
    expect(result.executions[1]?.states).toContain('WaitInQueue');
    expect(result.endpoint?.variants.filter((v) => v.weight > 0).map((v) => v.modelPackageArn)).toEqual([expect.stringMatching(/churn-model\/3$/)]);
  });

  it("lose-response on ShiftTraffic's call: the weights change but the answer never comes; the retry recognises its own weight change and the release goes on to promotion", async () => {
    // Act
    const result = await runScenario(
      canary('lost-weights-answer', { interventions: [{ during: 'shift', do: 'lose-response', operation: 'UpdateEndpointWeightsAndCapacities' }], expect: { outcome: 'PROMOTED', endpoint: 'candidate' } }),
      { moto, loadModule, requestTimeoutMs: 1000 },
    );

    // Assess
    expect(result.failures).toEqual([]);
    // The lost call, then the SDK's retry, refused mid-update, taken as our own change.
    expect(result.awsCalls.find((c) => c.operation === 'UpdateEndpointWeightsAndCapacities')).toMatchObject({ faulted: 1 });
    expect(result.events).toEqual(['Model Deployment Succeeded']);
  });

  it('hand-edit-endpoint and foreignEndpoint: an operator changes the endpoint by hand; an endpoint made by hand is seeded without tags', async () => {
    // Act
    const result = await runScenario(
      canary('hand-edited', { interventions: [{ during: 'deploy', afterSeconds: 0, do: 'hand-edit-endpoint', instanceCount: 3 }], foreignEndpoint: { name: 'churn-by-hand', group: 'churn-model' }, expect: { outcome: 'PROMOTED' } }),
      { moto, loadModule },
    );

    // Assess: the operator's update either went through or SageMaker refused it (the endpoint was mid-update); both are said.
    expect(notes(result, 'intervention hand-edit-endpoint')).toEqual([expect.stringMatching(/^(an operator updates churn-model by hand to churn-model-hand-edit: the live model at 3 instance\(s\)|refused: )/)]);
    expect(notes(result, 'seeded')).toContainEqual(expect.stringMatching(/^endpoint churn-by-hand made by hand \(no pipeline tags\), serving arn:aws:sagemaker:.*model-package\/churn-model\/1$/));
  });

  it('then.replayApprovalOf live: the live version\'s approval arrives again after a promotion, and is skipped as stale; the new model stays', async () => {
    // Act
    const result = await runScenario(canary('replayed-live-approval', { then: { replayApprovalOf: 'live' }, expect: { outcome: 'SKIPPED', skipped: 1, endpoint: 'candidate' } }), { moto, loadModule });

    // Assess
    expect(result.failures).toEqual([]);
    expect(notes(result, 'event replayed')).toEqual([expect.stringMatching(/model-package\/churn-model\/1 delivered again: 1 event\(s\) matched the packaged rule$/)]);
    expect(result.executions.map((e) => e.outcome)).toEqual(['PROMOTED', 'SKIPPED']);
    expect(result.events).toEqual(['Model Deployment Succeeded', 'Model Deployment Skipped']);
    expect(notes(result, 'RecordDuplicate')).toEqual([expect.stringMatching(/StaleApproval: version 1 is not newer than version 2 of the group, which was promoted on churn-model/)]);
    expect(result.ledger.map((r) => r.status)).toEqual(['PROMOTED']);
  });
});

describe('phases and what an endpoint wholly serves', () => {
  it.each([
    ['WaitInQueue', 'queue'],
    ['PrepareDeployment', 'deploy'],
    ['GuardedWaitForDeployment', 'deploy'],
    ['StageModelArtifact', 'deploy'],
    ['AsyncSmokeTest', 'smoke'],
    ['BakeCanary', 'bake'],
    ['ServerlessBake', 'bake'],
    ['WaitForTrafficShift', 'shift'],
    ['PromoteModelArtifact', 'promote'],
    ['CheckRollback', 'rollback'],
    ['RecordPromotion', null],
  ])('%s is in phase %s', (state, phase) => {
    expect(phaseOf(state)).toBe(phase);
  });

  it('tells unchanged, live, candidate and split apart', () => {
    const ep = (configName: string, variants: { weight: number; modelPackageArn: string | null }[]) => ({ name: 'e', status: 'InService', configName, variants: variants.map((v, i) => ({ name: `v${i}`, model: `m${i}`, ...v })) });
    const before = ep('live-config', [{ weight: 1, modelPackageArn: 'pkg/1' }]);
    const packages = { live: 'pkg/1', candidate: 'pkg/2' };
    expect(wholeServing(before, before, packages)).toBe('unchanged');
    expect(wholeServing(ep('other', [{ weight: 1, modelPackageArn: 'pkg/1' }]), before, packages)).toBe('live');
    expect(wholeServing(ep('final', [{ weight: 1, modelPackageArn: 'pkg/2' }]), before, packages)).toBe('candidate');
    expect(wholeServing(ep('canary', [{ weight: 0.9, modelPackageArn: 'pkg/1' }, { weight: 0.1, modelPackageArn: 'pkg/2' }]), before, packages)).toBeNull();
  });
});
