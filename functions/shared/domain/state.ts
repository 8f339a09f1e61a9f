import { z } from 'zod';
import { modelArtifactSlice } from './model-artifact';
import { modelPackageSchema } from './model-package';
import { releasePlanSchema } from './release-plan';

/**
 * Schemas of the execution-state slices, each written by one step (ResultPath) and read by later ones.
 * Steps validate what they read, so a wiring mistake in the ASL is an InvalidInput naming the field.
 */
export const requestSlice = z.object({
  action: z.literal('deploy'),
  trigger: z.enum(['approval-event', 'manual']),
  modelPackageArn: z.string(),
  endpointName: z.string().nullable(),
  overrides: z.record(z.string(), z.string()),
  force: z.boolean(),
  dryRun: z.boolean(),
  eventId: z.string().nullable(),
  requestedAt: z.string(),
});

export const executionSlice = z.object({ id: z.string(), startTime: z.string() });

export const deploymentSlice = z.object({
  endpointName: z.string(),
  style: z.enum(['variant-canary', 'native-guardrails', 'all-at-once', 'multi-model-artifact']),
  /** The variant the smoke test must reach: the new one beside the live one, or null when it is the only one. */
  targetVariant: z.string().nullable(),
  /** Multi-model only: the model the smoke test must reach (InvokeEndpoint TargetModel), relative to the endpoint's prefix. */
  targetModel: z.string().nullable().optional(),
  /** Multi-model only: the artifacts under the shared endpoint's prefix (StageModelArtifact). */
  artifact: modelArtifactSlice.optional(),
  firstDeployment: z.boolean(),
  previousConfigName: z.string().nullable(),
  liveVariantName: z.string().nullable(),
  newVariantName: z.string(),
  newConfigName: z.string(),
  modelName: z.string(),
  startedAt: z.string(),
});
export type Deployment = z.infer<typeof deploymentSlice>;

export const releaseState = z.object({
  request: requestSlice,
  package: modelPackageSchema,
  plan: releasePlanSchema,
  execution: executionSlice,
});

export { modelPackageSchema, releasePlanSchema };
