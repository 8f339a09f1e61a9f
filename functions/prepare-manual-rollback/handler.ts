import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointBusy, EndpointStateConflict } from '../shared/errors';
import type { Deployment } from '../shared/domain/state';
import { ledgerEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State PrepareManualRollback (an operator's {"action": "rollback"}): finds in the ledger the last
 * promotion of the endpoint and checks that the endpoint still runs what it left; then RollBack puts the
 * endpoint back on the config from before it. Refuses to guess: a release in progress (it rolls back by
 * itself on alarm) or an endpoint changed since is a named error, and nothing is changed.
 */
export const prepareManualRollbackStep = defineStep({
  step: 'PrepareManualRollback',
  input: z.object({ request: z.object({ action: z.literal('rollback'), endpointName: z.string(), reason: z.nullable(z.string()) }) }),
  env: ledgerEnv,
  aws: { ledger: dynamoDbLedger, sageMaker },
  run: async ({ request }, { aws }): Promise<Deployment> => {
    const { endpointName } = request;
    const releases = await aws.ledger.releasesForTarget(endpointName, 50);
    const running = releases.find((r) => r.status === 'IN_PROGRESS');
    if (running) throw new EndpointBusy(`Release ${running.releaseId} of ${running.modelPackageArn} is in progress on ${endpointName} (execution ${running.executionArn ?? 'unknown'}); it rolls back by itself on alarm, or stop that execution first`);
    const last = releases.find((r) => r.status === 'PROMOTED');
    if (!last) throw new EndpointStateConflict(`The ledger has no promoted release of ${endpointName} to roll back`);
    if (last.mode === 'multi-model') {
      throw new EndpointStateConflict(
        `The last promotion of ${endpointName} (release ${last.releaseId} of ${last.modelPackageArn}) placed a model artifact on a shared multi-model endpoint, which a config rollback cannot undo; release the earlier package version again (force), or copy the group's <group>/previous-${last.releaseId}.tar.gz back to <group>.tar.gz`,
      );
    }
    if (!last.previousConfigName) throw new EndpointStateConflict(`Release ${last.releaseId} created ${endpointName}; there is no earlier config to go back to (delete the endpoint instead)`);
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null || live.status !== 'InService' || live.configName !== last.newConfigName) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live?.status ?? 'absent'} on ${live?.configName ?? 'nothing'}, but its last promotion (release ${last.releaseId}) left it on ${last.newConfigName ?? 'unknown'}; it changed since, so nothing was changed`);
    }
    const config = await aws.sageMaker.describeEndpointConfig(live.configName ?? '');
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
    };
  },
});

export const handler = awsStepHandler(prepareManualRollbackStep);
