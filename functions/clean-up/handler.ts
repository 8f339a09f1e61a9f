import { cloudWatch } from '../shared/aws/cloudwatch';
import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { sageMaker } from '../shared/aws/sagemaker';
import { createdBy, keptReleases, releasesToClean } from '../shared/domain/cleanup';
import { releasePlanSchema } from '../shared/domain/state';
import { ledgerEnv, ownershipEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** How many releases one clean-up reaches back (the rest on the next release's). */
const RELEASES_PER_RUN = 10;

/**
 * State CleanUp, once a release's outcome is recorded: deletes this release's canary alarms, and the
 * configs, models and alarms of earlier finished releases of the same endpoint (or batch group) that
 * nothing can go back to any more. Kept: the last KEEP_PROMOTED_RELEASES promoted (or registered)
 * releases' resources and the configs each replaced (what a manual rollback restores), whatever the
 * endpoint runs or is moving to and their models, releases still in flight, and the group's active batch
 * model. IAM lets it delete only configs and models tagged as this deployment's and alarms under its
 * prefix; one it may not delete is kept and said. It changes no endpoint, and the state machine goes on to
 * the release's end whatever happens here: clean-up never changes an outcome.
 */
export const cleanUpStep = defineStep({
  step: 'CleanUp',
  input: z.object({
    plan: z.optional(z.pick(releasePlanSchema, { releaseId: true, endpointName: true, style: true, names: true })),
    package: z.optional(z.object({ groupName: z.string() })),
  }),
  env: z.extend(ledgerEnv, {
    MANAGED_BY: ownershipEnv.shape.MANAGED_BY,
    KEEP_PROMOTED_RELEASES: z._default(z.pipe(z.string().check(z.regex(/^[1-9]\d*$/, 'must be a whole number, at least 1')), z.transform(Number)), 3),
  }),
  aws: { ledger: dynamoDbLedger, sageMaker, cloudWatch },
  run: async ({ plan, package: pkg }, { aws, env }) => {
    if (plan === undefined || pkg === undefined) return { skipped: 'this run released nothing: nothing of its own to clean up' };
    if (plan.style === 'multi-model-artifact') return { skipped: 'a multi-model release creates no config or model; its artifacts are restored, never deleted' };
    const target = plan.endpointName ?? `batch:${pkg.groupName}`;
    const records = await aws.ledger.releasesForTarget(target, 50);
    const kept = keptReleases(records, env.KEEP_PROMOTED_RELEASES);

    // What may still be needed: kept and in-flight releases' own names, what the endpoint runs or is moving
    // to, the configs kept releases replaced, every model those configs hold, the active batch model.
    const protectedNames = new Set<string>();
    for (const record of kept) for (const name of createdBy(record, env.MANAGED_BY)?.whileKept ?? []) protectedNames.add(name);
    for (const record of records.filter((r) => r.status === 'IN_PROGRESS')) {
      const created = createdBy(record, env.MANAGED_BY);
      for (const name of [...(created?.configs ?? []), ...(created?.models ?? [])]) protectedNames.add(name);
    }
    if (plan.endpointName !== null) {
      const live = await aws.sageMaker.describeEndpoint(plan.endpointName);
      const configs = [live?.configName, live?.pendingConfigName, ...kept.flatMap((r) => [r.newConfigName, r.previousConfigName])];
      for (const config of new Set(configs.filter((c): c is string => typeof c === 'string' && c !== ''))) {
        protectedNames.add(config);
        for (const model of (await aws.sageMaker.modelsOfConfig(config)) ?? []) protectedNames.add(model);
      }
    } else {
      const active = await aws.ledger.activeBatchModel(pkg.groupName);
      if (active !== null) protectedNames.add(active.modelName);
    }

    const due = releasesToClean({ records, kept, protectedNames, managedBy: env.MANAGED_BY, limit: RELEASES_PER_RUN });
    // This release's canary alarms have judged its bake; nothing reads them once it has ended.
    const candidates = [...new Set([...(plan.endpointName !== null ? [plan.names.errorRateAlarm, plan.names.latencyAlarm] : []), ...due.flatMap((d) => d.delete.alarms)])];
    const alarms = candidates.length > 0 ? (await aws.cloudWatch.describeAlarms(candidates)).map((a) => a.name) : [];
    await aws.cloudWatch.deleteAlarms(alarms);

    const deleted = { configs: [] as string[], models: [] as string[] };
    const notOurs: string[] = [];
    const now = new Date(Date.now()).toISOString();
    for (const release of due) {
      let complete = !release.kept && release.protectedNames.length === 0;
      for (const [kind, names, into] of [['endpoint-config', release.delete.configs, deleted.configs], ['model', release.delete.models, deleted.models]] as const) {
        for (const name of names) {
          const result = await aws.sageMaker.deleteIfOurs(kind, name);
          if (result === 'deleted') into.push(name);
          if (result === 'denied') {
            notOurs.push(name);
            complete = false;
          }
        }
      }
      // A release with something still in use (or not ours to delete) is looked at again next time.
      if (complete) await aws.ledger.markCleanedUp({ target, requestedAt: release.record.requestedAt, releaseId: release.record.releaseId, at: now });
    }
    return {
      target,
      keptReleases: kept.map((r) => r.releaseId),
      deleted: { ...deleted, alarms },
      // Past the keep window yet in use (the endpoint runs it, a rollback would restore it, a release in flight made it).
      stillNeeded: [...new Set(due.filter((d) => !d.kept).flatMap((d) => d.protectedNames))],
      notOurs,
      releasesLookedAt: due.length,
    };
  },
});

export const handler = awsStepHandler(cleanUpStep);
