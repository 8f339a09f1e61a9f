import { randomBytes } from 'node:crypto';
import { InvalidConfiguration } from '../shared/errors';
import { modelPackageSchema } from '../shared/domain/model-package';
import { planRelease } from '../shared/domain/release-plan';
import { defineStep, noAdapters, stepHandler } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';
import { jsonString } from '../shared/schema';

/** The stage defaults of every setting key (DEFAULT_SETTINGS, from serverless.yml params). */
export const planEnv = z.object({ DEFAULT_SETTINGS: jsonString(z.record(z.string(), z.string()), 'a JSON object of setting key to string value') });

/** State PlanRelease: settings (defaults < package metadata < overrides), the inference mode and why, resource names. */
export const planReleaseStep = defineStep({
  step: 'PlanRelease',
  input: z.object({
    request: z.object({ endpointName: z.nullable(z.string()), overrides: z.record(z.string(), z.string()) }),
    package: modelPackageSchema,
  }),
  env: planEnv,
  aws: noAdapters,
  run: async ({ request, package: pkg }, { env }) => {
    if (Object.keys(env.DEFAULT_SETTINGS).length === 0) throw new InvalidConfiguration('DEFAULT_SETTINGS is empty');
    return planRelease({ request, package: pkg, defaults: env.DEFAULT_SETTINGS, releaseId: randomBytes(4).toString('hex') });
  },
});

export const handler = stepHandler(planReleaseStep);
