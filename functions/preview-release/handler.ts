import { cloudWatch, type CloudWatchAdapter } from '../shared/aws/cloudwatch';
import { readEndpointFacts, readMultiModelFacts, readSmokeProblems } from '../shared/aws/release-facts';
import { s3OnDemand, type S3Reader } from '../shared/aws/s3-on-demand';
import { sageMaker, type SageMakerAdapter } from '../shared/aws/sagemaker';
import { canaryAlarmNames, sloAlarms } from '../shared/domain/alarms';
import { canaryVariants, endpointConfigRequest, newVariant } from '../shared/domain/endpoint-config';
import { guardrailsConfig } from '../shared/domain/guardrails';
import { candidateTargetModel, liveTargetModel } from '../shared/domain/model-artifact';
import type { ModelPackage } from '../shared/domain/model-package';
import { endpointReleaseProblems, judgeSharedEndpoint } from '../shared/domain/preflight';
import type { ReleasePlan } from '../shared/domain/release-plan';
import { describeSmokeSource, smokeSourceOfPlan } from '../shared/domain/smoke-payloads';
import { releaseState } from '../shared/domain/state';
import type { EndpointView, MetricAlarmRequest } from '../shared/domain/views';
import { awsEnv, ownershipEnv, s3LocationsEnv, type OwnershipEnv } from '../shared/runtime/env';
import * as z from '../shared/zod';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';

function alarmSummary(a: MetricAlarmRequest) {
  return { name: a.AlarmName, metric: a.MetricName, statistic: a.ExtendedStatistic ?? a.Statistic, threshold: a.Threshold, periodSeconds: a.Period, evaluationPeriods: a.EvaluationPeriods, datapointsToAlarm: a.DatapointsToAlarm };
}

function endpointSummary(live: EndpointView | null) {
  return live === null ? { exists: false } : { exists: true, status: live.status, configName: live.configName, variants: live.variants };
}

/** A multi-model release writes objects under the shared endpoint's model prefix and leaves the endpoint alone. */
async function multiModelPreview(aws: { sageMaker: SageMakerAdapter }, pkg: ModelPackage, endpointName: string, multiModelLocations: readonly string[] | undefined) {
  const facts = await readMultiModelFacts(aws, endpointName);
  const targetModel = candidateTargetModel(pkg.groupName, pkg.version);
  const liveModel = liveTargetModel(pkg.groupName);
  return {
    endpoint: endpointSummary(facts.live),
    problems: judgeSharedEndpoint(endpointName, facts, multiModelLocations).problems.map((p) => p.message),
    wouldCreate: [{ type: 'S3Object', targetModel, under: `${endpointName}'s model prefix`, from: pkg.containers[0]?.modelDataUrl ?? null }],
    wouldChange: [
      {
        type: 'S3Object',
        targetModel: liveModel,
        change: `smoke test with TargetModel ${targetModel}, then copy it over ${liveModel} (the previous ${liveModel}, if any, kept as ${pkg.groupName}/previous-<release>.tar.gz); the endpoint itself is not changed`,
      },
    ],
    alarms: [],
  };
}

/** An endpoint release: the configs it would create, the change to the endpoint, its alarms, and what would stop it. */
async function endpointPreview(aws: { sageMaker: SageMakerAdapter; cloudWatch: CloudWatchAdapter }, plan: ReleasePlan, endpointName: string, pkg: ModelPackage, env: OwnershipEnv) {
  const extra = plan.settings.canary.alarmNames;
  const facts = await readEndpointFacts(aws, plan, endpointName);
  const { existingAlarms, live, liveConfig } = facts;
  const problems = endpointReleaseProblems(plan, facts, { groupName: pkg.groupName, managedBy: env.MANAGED_BY, bindings: env.ENDPOINT_BINDINGS }).map((p) => p.message);
  const alarms = sloAlarms(plan, endpointName, plan.names.variant);
  const canary = live !== null && plan.style === 'variant-canary';
  const liveWeights = new Map((live?.variants ?? []).map((v) => [v.name, v.weight]));
  const config = (name: string, variants: ReturnType<typeof newVariant>[]) => {
    const { EndpointConfigName, ProductionVariants, Tags: _tags, ...rest } = endpointConfigRequest(plan, name, variants, liveConfig, []);
    return { type: 'EndpointConfig', name: EndpointConfigName, variants: ProductionVariants, ...rest };
  };
  const configs = canary
    ? [config(plan.names.canaryConfig, canaryVariants(liveConfig?.variants ?? [], liveWeights, newVariant(plan, 0))), config(plan.names.finalConfig, [newVariant(plan, 1)])]
    : [config(plan.names.finalConfig, [newVariant(plan, 1)])];
  const change =
    plan.style === 'variant-canary'
      ? `UpdateEndpoint to ${plan.names.canaryConfig} (new variant at weight 0), ${plan.settings.canary.percent}% canary for ${plan.settings.canary.bakeMinutes} min, then all traffic and UpdateEndpoint to ${plan.names.finalConfig}`
      : plan.style === 'all-at-once'
        ? `UpdateEndpoint all at once, then a ${plan.settings.canary.bakeMinutes} min bake against the alarms`
        : `UpdateEndpoint with deployment guardrails ${JSON.stringify(guardrailsConfig(plan, canaryAlarmNames(plan, alarms)))}`;
  return {
    endpoint: endpointSummary(live),
    configs,
    wouldChange: live === null ? [{ type: 'Endpoint', name: endpointName, change: 'CreateEndpoint', to: plan.names.finalConfig }] : [{ type: 'Endpoint', name: endpointName, from: live.configName, to: plan.names.finalConfig, change }],
    alarms: live === null ? [] : [...alarms.map(alarmSummary), ...extra.map((name) => ({ name, existing: existingAlarms.has(name) }))],
    problems,
  };
}

/** Where the smoke test would read its payloads and how many it would send, or why it cannot. */
async function smokePreview(aws: { s3: S3Reader }, plan: ReleasePlan) {
  const read = await readSmokeProblems(aws, plan);
  return { summary: { source: describeSmokeSource(smokeSourceOfPlan(plan)), payloads: read.payloads }, problems: read.problems.map((p) => p.message) };
}

/**
 * State PreviewRelease (a manual run with "dryRun": true): what a release of this package would do,
 * read from the account as it is now, with nothing created or changed. Problems that would stop the
 * release are listed rather than thrown, so one dry run shows all of them; they are the release's own checks.
 */
export const previewReleaseStep = defineStep({
  step: 'PreviewRelease',
  input: releaseState,
  env: z.extend(awsEnv, { ...ownershipEnv.shape, MULTI_MODEL_LOCATIONS: s3LocationsEnv }),
  aws: { sageMaker, cloudWatch, s3: s3OnDemand },
  run: async ({ package: pkg, plan }, { aws, env }) => {
    const base = { dryRun: true as const, modelPackageArn: pkg.arn, mode: plan.mode, style: plan.style, decision: plan.decision, settings: plan.settings, endpointName: plan.endpointName };
    const model = { type: 'Model', name: plan.names.model, containers: [{ ModelPackageName: pkg.arn }] };
    if (plan.endpointName === null) {
      return { ...base, endpoint: null, smoke: null, wouldCreate: [model], wouldChange: [{ type: 'ActiveBatchModel', group: pkg.groupName, to: plan.names.model }], alarms: [], problems: [] };
    }
    const smoke = await smokePreview(aws, plan);
    if (plan.style === 'multi-model-artifact') {
      const preview = await multiModelPreview(aws, pkg, plan.endpointName, env.MULTI_MODEL_LOCATIONS);
      return { ...base, ...preview, smoke: smoke.summary, problems: [...preview.problems, ...smoke.problems] };
    }
    const { configs, ...preview } = await endpointPreview(aws, plan, plan.endpointName, pkg, env);
    return { ...base, ...preview, smoke: smoke.summary, problems: [...preview.problems, ...smoke.problems], wouldCreate: [model, ...configs] };
  },
});

export const handler = awsStepHandler(previewReleaseStep);
