import { createHash } from 'node:crypto';
import { InvalidConfiguration } from '../shared/errors';
import { modelPackageSchema } from '../shared/domain/model-package';
import { platformLimitsSchema } from '../shared/domain/platform-limits';
import { planRelease } from '../shared/domain/release-plan';
import { defineStep, noAdapters, stepHandler } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';
import { jsonString } from '../shared/schema';
import { executionSlice } from '../shared/domain/state';
import { ownershipEnv, s3LocationsEnv, secondsFromEnv } from '../shared/runtime/env';

const settingsObject = jsonString(z.record(z.string(), z.string()), 'a JSON object of setting key to string value');

/**
 * The stage defaults: DEFAULT_SETTINGS (the keys serverless.yml has a param for) and STAGE_SETTINGS (the
 * stageSettings param: any key, e.g. canary.alarmNames or inline smoke.payloads), the latter winning.
 */
export const planEnv = z.object({
  DEFAULT_SETTINGS: settingsObject,
  STAGE_SETTINGS: z._default(settingsObject, {}),
  RELEASE_TIMEOUT_SECONDS: z.optional(secondsFromEnv),
  /** The platform's bounds on the safety settings (stage params); the safe defaults when absent. */
  PLATFORM_LIMITS: z.optional(jsonString(platformLimitsSchema, 'a JSON object of the platform limits')),
  /** Names the alarms a release creates (their prefix), so IAM can scope PutMetricAlarm to them. */
  MANAGED_BY: ownershipEnv.shape.MANAGED_BY,
  /** The stage's dataLocations (s3:// prefixes, a JSON list): where async results may be written. */
  DATA_LOCATIONS: s3LocationsEnv,
});

/** One stage-defaults layer from the two variables. */
export function stageDefaults(env: { DEFAULT_SETTINGS: Record<string, string>; STAGE_SETTINGS: Record<string, string> }): Record<string, string> {
  return { ...env.DEFAULT_SETTINGS, ...env.STAGE_SETTINGS };
}

/**
 * A release's id: 8 hex characters of the execution's ARN. Execution names are unique per state machine,
 * so each run gets its own id; and a run has the same id however often it is replayed (the simulation's
 * runs are reproducible, names of resources and alarms included).
 */
export function releaseIdOf(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex').slice(0, 8);
}

/** State PlanRelease: settings (defaults < package metadata < overrides), the inference mode and why, resource names. */
export const planReleaseStep = defineStep({
  step: 'PlanRelease',
  input: z.object({
    request: z.object({ endpointName: z.nullable(z.string()), overrides: z.record(z.string(), z.string()) }),
    package: modelPackageSchema,
    execution: executionSlice,
  }),
  env: planEnv,
  aws: noAdapters,
  run: async ({ request, package: pkg, execution }, { env }) => {
    if (Object.keys(env.DEFAULT_SETTINGS).length === 0) throw new InvalidConfiguration('DEFAULT_SETTINGS is empty');
    return planRelease({
      request,
      package: pkg,
      defaults: stageDefaults(env),
      releaseId: releaseIdOf(execution.id),
      managedBy: env.MANAGED_BY,
      dataLocations: env.DATA_LOCATIONS,
      ...(env.RELEASE_TIMEOUT_SECONDS !== undefined ? { releaseTimeoutSeconds: env.RELEASE_TIMEOUT_SECONDS } : {}),
      ...(env.PLATFORM_LIMITS !== undefined ? { limits: env.PLATFORM_LIMITS } : {}),
    });
  },
});

export const handler = stepHandler(planReleaseStep);
