import { z } from 'zod';
import { describeEndpoint, describeEndpointConfig } from '../shared/aws/endpoints';
import { releaseLedger } from '../shared/aws/ledger';
import { EndpointBusy, EndpointStateConflict } from '../shared/errors';
import type { Deployment } from '../shared/domain/state';
import { ledgerEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State PrepareManualRollback (an operator's {"action": "rollback"}): finds in the ledger the last
 * promotion of the endpoint and checks that the endpoint still runs what it left; then RollBack puts the
 * endpoint back on the config from before it. Refuses to guess: a release in progress (it rolls back by
 * itself on alarm) or an endpoint changed since is a named error, and nothing is changed.
 */
export const handler = stepHandler({
  step: 'PrepareManualRollback',
  input: z.object({ request: z.object({ action: z.literal('rollback'), endpointName: z.string(), reason: z.string().nullable() }) }),
  env: ledgerEnv,
  run: async ({ request }, { env }): Promise<Deployment & { rollbackOf: { releaseId: string; modelPackageArn: string } }> => {
    const { endpointName } = request;
    const releases = await releaseLedger(env.LEDGER_TABLE).releasesForTarget(endpointName, 50);
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
    const live = await describeEndpoint(endpointName);
    if (live === null || live.status !== 'InService' || live.configName !== last.newConfigName) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live?.status ?? 'absent'} on ${live?.configName ?? 'nothing'}, but its last promotion (release ${last.releaseId}) left it on ${last.newConfigName ?? 'unknown'}; it changed since, so nothing was changed`);
    }
    const config = await describeEndpointConfig(live.configName ?? '');
    const variant = config.ProductionVariants?.[0];
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
