import { z } from 'zod';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { describeAlarms } from '../shared/aws/alarms';
import { describeEndpoint, describeEndpointConfig } from '../shared/aws/endpoints';
import { sloAlarms } from '../shared/domain/alarms';
import { asyncInferenceConfig, canaryVariants, hostingSwitchProblem, newVariant } from '../shared/domain/endpoint-config';
import { guardrailsConfig } from '../shared/domain/guardrails';
import { candidateTargetModel, liveTargetModel } from '../shared/domain/model-artifact';
import type { ModelPackage } from '../shared/domain/model-package';
import { releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

function alarmSummary(a: PutMetricAlarmCommandInput) {
  return { name: a.AlarmName, metric: a.MetricName, statistic: a.ExtendedStatistic ?? a.Statistic, threshold: a.Threshold, periodSeconds: a.Period, evaluationPeriods: a.EvaluationPeriods, datapointsToAlarm: a.DatapointsToAlarm };
}

/** A multi-model release writes objects under the shared endpoint's model prefix and leaves the endpoint alone. */
async function multiModelPreview(pkg: ModelPackage, endpointName: string) {
  const live = await describeEndpoint(endpointName);
  const targetModel = candidateTargetModel(pkg.groupName, pkg.version);
  const liveModel = liveTargetModel(pkg.groupName);
  const problems =
    live === null
      ? [`multi-model endpoint ${endpointName} does not exist; the pipeline releases onto an existing shared endpoint and never creates one`]
      : live.status !== 'InService'
        ? [`endpoint ${endpointName} is ${live.status}, not InService`]
        : [];
  return {
    endpoint: live === null ? { exists: false } : { exists: true, status: live.status, configName: live.configName, variants: live.variants },
    problems,
    wouldCreate: [{ type: 'S3Object', targetModel, under: `${endpointName}'s model prefix`, from: pkg.containers[0]?.modelDataUrl ?? null }],
    wouldChange: [
      {
        type: 'S3Object',
        targetModel: liveModel,
        change: `smoke test with TargetModel ${targetModel}, then copy it over ${liveModel} (the previous ${liveModel}, if any, kept as ${pkg.groupName}/previous-<release>.tar.gz); the endpoint itself is not changed`,
      },
    ],
  };
}

/**
 * State PreviewRelease (a manual run with "dryRun": true): what a release of this package would do,
 * read from the account as it is now, with nothing created or changed. Problems that would stop the
 * release are listed rather than thrown, so one dry run shows all of them.
 */
export const handler = stepHandler({
  step: 'PreviewRelease',
  input: releaseState,
  env: z.object({}),
  run: async ({ package: pkg, plan }) => {
    const problems: string[] = [];
    const base = { dryRun: true, modelPackageArn: pkg.arn, mode: plan.mode, style: plan.style, decision: plan.decision, settings: plan.settings, endpointName: plan.endpointName };
    const model = { type: 'Model', name: plan.names.model, containers: [{ ModelPackageName: pkg.arn }] };
    if (plan.endpointName === null) {
      return { ...base, endpoint: null, wouldCreate: [model], wouldChange: [{ type: 'ActiveBatchModel', group: pkg.groupName, to: plan.names.model }], alarms: [], problems };
    }
    if (plan.style === 'multi-model-artifact') return { ...base, ...(await multiModelPreview(pkg, plan.endpointName)), alarms: [] };
    const extra = plan.settings.canary.alarmNames;
    const found = new Set((await describeAlarms(extra)).map((a) => a.name));
    for (const name of extra.filter((n) => !found.has(n))) problems.push(`canary.alarmNames: no CloudWatch alarm named ${name}`);

    const live = await describeEndpoint(plan.endpointName);
    const liveConfig = live?.configName ? await describeEndpointConfig(live.configName) : undefined;
    const liveVariants = liveConfig?.ProductionVariants ?? [];
    if (live !== null && live.status !== 'InService') problems.push(`endpoint ${plan.endpointName} is ${live.status}, not InService`);
    if (live !== null) {
      const problem = hostingSwitchProblem(plan, liveVariants);
      if (problem !== null) problems.push(problem);
    }
    const alarms = sloAlarms(plan, plan.endpointName, plan.names.variant);
    const asyncConfig = plan.mode === 'async' ? { AsyncInferenceConfig: asyncInferenceConfig(plan) } : {};
    const canary = live !== null && plan.style === 'variant-canary';
    const liveWeights = new Map((live?.variants ?? []).map((v) => [v.name, v.weight]));
    const configs = canary
      ? [
          { type: 'EndpointConfig', name: plan.names.canaryConfig, variants: canaryVariants(liveVariants, liveWeights, newVariant(plan, 0)), ...asyncConfig },
          { type: 'EndpointConfig', name: plan.names.finalConfig, variants: [newVariant(plan, 1)], ...asyncConfig },
        ]
      : [{ type: 'EndpointConfig', name: plan.names.finalConfig, variants: [newVariant(plan, 1)], ...asyncConfig }];
    const wouldChange =
      live === null
        ? [{ type: 'Endpoint', name: plan.endpointName, change: 'CreateEndpoint', to: plan.names.finalConfig }]
        : [
            {
              type: 'Endpoint',
              name: plan.endpointName,
              from: live.configName,
              to: plan.names.finalConfig,
              change:
                plan.style === 'variant-canary'
                  ? `UpdateEndpoint to ${plan.names.canaryConfig} (new variant at weight 0), ${plan.settings.canary.percent}% canary for ${plan.settings.canary.bakeMinutes} min, then all traffic and UpdateEndpoint to ${plan.names.finalConfig}`
                  : plan.style === 'native-guardrails'
                    ? `UpdateEndpoint with deployment guardrails ${JSON.stringify(guardrailsConfig(plan, [...alarms.map((a) => a.AlarmName ?? ''), ...extra]))}`
                    : `UpdateEndpoint all at once, then a ${plan.settings.canary.bakeMinutes} min bake against the alarms`,
            },
          ];
    return {
      ...base,
      endpoint: live === null ? { exists: false } : { exists: true, status: live.status, configName: live.configName, variants: live.variants },
      wouldCreate: [model, ...configs],
      wouldChange,
      alarms: live === null ? [] : [...alarms.map(alarmSummary), ...extra.map((name) => ({ name, existing: found.has(name) }))],
      problems,
    };
  },
});
