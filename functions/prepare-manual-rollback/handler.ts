import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { stepFunctions, type StepFunctionsAdapter } from '../shared/aws/step-functions';
import type { ReleaseLedger, ReleaseRecord } from '../shared/domain/ledger';
import { EndpointBusy, EndpointStateConflict } from '../shared/errors';
import { refuseOnProblems } from '../shared/domain/preflight';
import { ownershipProblem } from '../shared/domain/ownership';
import { packageVersionOf } from '../shared/domain/version-order';
import { executionSlice, type Deployment } from '../shared/domain/state';
import { ledgerEnv, ownershipEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State PrepareManualRollback (an operator's {"action": "rollback"}): finds in the ledger the last
 * promotion of the endpoint and checks that the endpoint still runs what it left; then RollBack puts the
 * endpoint back on the config from before it. Refuses to guess: a release in progress (it rolls back by
 * itself on alarm) or an endpoint changed since is a named error, and nothing is changed. A release left
 * in progress by an execution that no longer runs does not block it: the rollback takes that release over.
 */
/**
 * A release left IN_PROGRESS on the endpoint: refused while its execution runs (abort it, or let it finish);
 * taken over when its execution has ended without an outcome, so no recovery run races this rollback and
 * the rollback ends it too. Null when nothing is in progress.
 */
async function strandedRelease(sfn: StepFunctionsAdapter, endpointName: string, running: ReleaseRecord | undefined): Promise<{ record: ReleaseRecord; executionStatus: string } | null> {
  if (running === undefined) return null;
  const execution = running.executionArn ? await sfn.describeExecution(running.executionArn) : null;
  if (execution?.status === 'RUNNING') {
    throw new EndpointBusy(
      `Release ${running.releaseId} of ${running.modelPackageArn} is in progress on ${endpointName} (execution ${running.executionArn ?? 'unknown'}); it rolls back by itself on alarm, or abort it first ({"action": "abort", "endpointName": "${endpointName}"})`,
    );
  }
  return { record: running, executionStatus: execution?.status ?? 'unknown' };
}

/** Takes the stranded release over (after every check passed, so a refused rollback leaves it as it was). */
async function takeOverStranded(ledger: ReleaseLedger, sfn: StepFunctionsAdapter, endpointName: string, stranded: { record: ReleaseRecord; executionStatus: string } | null, own: string): Promise<Deployment['supersedes'] | null> {
  if (stranded === null) return null;
  const running = stranded.record;
  const key = { target: running.target, requestedAt: running.requestedAt, releaseId: running.releaseId };
  let claim = await ledger.claimRecovery({ ...key, by: own, replacing: null });
  if (claim.status === 'recovering') {
    const other = await sfn.describeExecution(claim.by);
    if (other?.status === 'RUNNING') throw new EndpointBusy(`Release ${running.releaseId} on ${endpointName} is being recovered by ${claim.by}; roll back once it has finished`);
    claim = await ledger.claimRecovery({ ...key, by: own, replacing: claim.by });
  }
  // It ended meanwhile (its own end, or a recovery's): nothing of it is left to take over.
  if (claim.status !== 'taken') return null;
  return {
    releaseId: running.releaseId,
    modelPackageArn: running.modelPackageArn,
    requestedAt: running.requestedAt,
    executionArn: running.executionArn,
    executionStatus: stranded.executionStatus,
    mode: running.mode,
    trigger: running.trigger,
    redeploy: running.redeploy,
    startedAt: running.startedAt,
  };
}

export const prepareManualRollbackStep = defineStep({
  step: 'PrepareManualRollback',
  input: z.object({ request: z.object({ action: z.literal('rollback'), endpointName: z.string(), reason: z.nullable(z.string()) }), execution: executionSlice }),
  env: z.extend(ledgerEnv, ownershipEnv.shape),
  aws: { ledger: dynamoDbLedger, sageMaker, sfn: stepFunctions },
  run: async ({ request, execution }, { aws, env }): Promise<Deployment> => {
    const { endpointName } = request;
    const releases = await aws.ledger.releasesForTarget(endpointName, 50);
    const stranded = await strandedRelease(aws.sfn, endpointName, releases.find((r) => r.status === 'IN_PROGRESS'));
    const last = releases.find((r) => r.status === 'PROMOTED');
    if (!last) throw new EndpointStateConflict(`The ledger has no promoted release of ${endpointName} to roll back`);
    if (last.mode === 'multi-model') {
      throw new EndpointStateConflict(
        `The last promotion of ${endpointName} (release ${last.releaseId} of ${last.modelPackageArn}) placed a model artifact on a shared multi-model endpoint, which a config rollback cannot undo; release the earlier package version again (force), or copy the group's <group>/previous-${last.releaseId}.tar.gz back to <group>.tar.gz`,
      );
    }
    if (!last.previousConfigName) throw new EndpointStateConflict(`Release ${last.releaseId} created ${endpointName}; there is no earlier config to go back to (delete the endpoint instead)`);
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    // A stranded release may have left the endpoint anywhere it took it (a canary, mid-update): RollBack waits
    // for SageMaker and puts the endpoint on the config before the last promotion all the same.
    if (live === null || (!stranded && (live.status !== 'InService' || live.configName !== last.newConfigName))) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live?.status ?? 'absent'} on ${live?.configName ?? 'nothing'}, but its last promotion (release ${last.releaseId}) left it on ${last.newConfigName ?? 'unknown'}; it changed since, so nothing was changed`);
    }
    // Only an endpoint this pipeline manages, bound to the group it last promoted there, is rolled back.
    const tags = live.arn !== undefined ? await aws.sageMaker.listTags(live.arn) : {};
    const notOurs = ownershipProblem({ endpointName, tags, groupName: packageVersionOf(last.modelPackageArn)?.group ?? '', managedBy: env.MANAGED_BY, bindings: env.ENDPOINT_BINDINGS });
    if (notOurs !== null) refuseOnProblems([notOurs]);
    const supersedes = await takeOverStranded(aws.ledger, aws.sfn, endpointName, stranded, execution.id);
    const config = await aws.sageMaker.describeEndpointConfig(last.newConfigName ?? live.configName ?? '');
    // What the endpoint goes back to serving, for nightly scoring: the package of the previous config's model.
    const previousModel = (await aws.sageMaker.describeEndpointConfig(last.previousConfigName)).variants[0]?.ModelName;
    const restores = previousModel !== undefined ? ((await aws.sageMaker.describeModel(previousModel)).containers.find((c) => c.modelPackageName !== null)?.modelPackageName ?? null) : null;
    const variant = config.variants[0];
    return {
      endpointName,
      style: 'variant-canary',
      targetVariant: null,
      firstDeployment: false,
      previousConfigName: last.previousConfigName,
      liveVariantName: variant?.VariantName ?? null,
      newVariantName: variant?.VariantName ?? '',
      newConfigName: live.configName ?? '',
      modelName: variant?.ModelName ?? '',
      startedAt: new Date(Date.now()).toISOString(),
      // RecordRollback writes the rollback to the ledger against this release.
      rollbackOf: { releaseId: last.releaseId, modelPackageArn: last.modelPackageArn },
      restores,
      ...(supersedes ? { supersedes } : {}),
    };
  },
});

export const handler = awsStepHandler(prepareManualRollbackStep);
