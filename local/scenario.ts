/**
 * The scenario file format (README, "Write your own scenario"). A scenario seeds a model package group,
 * optionally a live endpoint serving the current model, describes how the live and the candidate model
 * behave, how the run is started, what traffic flows, and what outcome is expected.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';

const behaviour = z
  .object({
    latencyMs: z.object({ p50: z.number().positive(), p99: z.number().positive() }).default({ p50: 40, p99: 120 }),
    errorRate: z.number().min(0).max(1).default(0),
    response: z.object({ contentType: z.string(), body: z.string() }).default({ contentType: 'text/csv', body: '0.5' }),
    failOnCreate: z.union([z.boolean(), z.string()]).optional(),
    failTransform: z.union([z.boolean(), z.string()]).optional(),
  })
  .strict();
export type ScenarioBehaviour = z.infer<typeof behaviour>;

const modelSpec = z
  .object({
    /** CustomerMetadataProperties of the package: the pipeline's settings (README, "Configuration"). */
    metadata: z.record(z.string(), z.string()).default({}),
    behaviour: behaviour.default({ latencyMs: { p50: 40, p99: 120 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.5' } }),
    /** Containers in the package (several make a serial inference pipeline). */
    containers: z.number().int().min(1).max(5).default(1),
    /**
     * Smoke payloads of the package: seeding writes them to S3 as JSON Lines and names the file in the
     * package's metadata (`smoke.payloadsUrl`), as a real package must (its metadata cannot hold JSON).
     */
    smokePayloads: z
      .array(z.object({ contentType: z.string(), body: z.string(), accept: z.string().optional(), expect: z.string().optional() }).strict())
      .optional(),
    /** Files of the package's sample payload archive (`SamplePayloadUrl`, a .tar.gz seeding writes to S3). */
    samplePayloads: z.array(z.string()).optional(),
    /** How the live endpoint is hosted today (live model only). */
    hosting: z.enum(['instance', 'serverless', 'async']).default('instance'),
  })
  .strict();

/**
 * RECOVERED, ABORTED, REVOKED and DRIFTED are the outcomes of interrupted and contested releases: a run
 * stopped by an operator ends ABORTED (it records nothing itself); the others are the pipeline's answers
 * to interruptions, drift and revocation.
 */
export const OUTCOMES = ['PROMOTED', 'ROLLED_BACK', 'FAILED', 'ROLLBACK_FAILED', 'SKIPPED', 'REGISTERED', 'SCORED', 'SCORING_FAILED', 'PREVIEWED', 'RECOVERED', 'ABORTED', 'TIMED_OUT', 'REVOKED', 'DRIFTED'] as const;

/** The phases of a release an intervention can wait for (local/interventions.ts maps states to them). */
export const PHASES = ['queue', 'deploy', 'smoke', 'bake', 'shift', 'promote', 'rollback'] as const;

/**
 * Something an operator or AWS does mid-run, once, in the first execution, `afterSeconds` virtual seconds
 * after the release enters `during` (applied at the first step of any execution from then on).
 */
const intervention = z.discriminatedUnion('do', [
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('stop-execution'), statusEvent: z.enum(['sent', 'lost']).default('sent') }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('reject-candidate') }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('drain-candidate') }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('hand-edit-endpoint'), instanceCount: z.number().int().min(1).max(100) }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('approve-version'), behaviour: behaviour.default({ latencyMs: { p50: 40, p99: 120 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.5' } }) }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('lose-response'), operation: z.string().regex(/^[A-Z][A-Za-z0-9]+$/) }).strict(),
  z.object({ during: z.enum(PHASES), afterSeconds: z.number().min(0).default(0), do: z.literal('abort'), reason: z.string().max(500).optional() }).strict(),
]);
export type Intervention = z.infer<typeof intervention>;

/**
 * "approval": approve the candidate and let the event travel through the packaged rule; "schedule": the
 * packaged nightly schedule's input; "sweep": the packaged sweep schedule's input, a sweep period after the
 * run ended; {"manual": {...}}: that input ("$CANDIDATE_ARN" is the candidate's ARN).
 */
const trigger = z.union([z.literal('approval'), z.literal('schedule'), z.literal('sweep'), z.object({ manual: z.unknown() }).strict()]);

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    group: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/).default('churn-model'),
    /** The model already serving on the endpoint; omit for a first deployment. */
    live: modelSpec.optional(),
    candidate: modelSpec,
    /**
     * How the run starts: "approval" approves the candidate in the registry and lets the event travel
     * through the packaged EventBridge rule; {"manual": {...}} starts the state machine with that input
     * ("$CANDIDATE_ARN" is replaced by the candidate's ARN).
     */
    trigger: trigger.default('approval'),
    /**
     * A second run once the first has ended: another trigger (e.g. an operator's rollback after a
     * promotion), or `{"replayApprovalOf": "live"}`: the live version's approval event delivered again.
     */
    then: z.union([trigger, z.object({ replayApprovalOf: z.literal('live') }).strict()]).optional(),
    /** What operators and AWS do mid-run (see `intervention`). */
    interventions: z.array(intervention).default([]),
    /**
     * The first execution's TimeoutSeconds instead of the packaged one (stage param releaseTimeoutSeconds):
     * a run still going then ends TIMED_OUT where it is, and its end starts a recovery.
     */
    executionTimeoutSeconds: z.number().int().min(60).optional(),
    /**
     * Another release holds the endpoint's lease (and the oldest queue ticket) for this many seconds when the
     * run starts, so the run waits in the queue (the `queue` phase) until it expires.
     */
    busyForSeconds: z.number().int().min(60).optional(),
    /** An endpoint created by hand before the run, serving `group`'s model, with no pipeline tags. */
    foreignEndpoint: z.object({ name: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/), group: z.string() }).strict().optional(),
    /** More packages in the registry: other groups the nightly batch scores. Approved unless said. */
    registry: z
      .array(z.object({ group: z.string(), approved: z.boolean().default(true), behaviour: behaviour.optional() }).strict())
      .default([]),
    /** Stage param batchJobs for this run (README, "Nightly batch scoring"). */
    batchJobs: z.array(z.record(z.string(), z.unknown())).optional(),
    /**
     * A platform-owned multi-model endpoint (deploy.multiModelGroup names it): created with a MultiModel
     * container over `prefix`; `liveArtifact` seeds the group's current artifact there, served as `live`.
     */
    sharedMultiModelEndpoint: z.object({ name: z.string(), prefix: z.string().regex(/^s3:\/\/.+\/$/), liveArtifact: z.boolean().default(true) }).strict().optional(),
    /** S3 objects to create before the run ("{date}" is the day being scored), e.g. the day's input data. */
    batchData: z.record(z.string(), z.string()).default({}),
    /** Copies SageMaker sends of the approval event (it may send several). */
    duplicateEvents: z.number().int().min(1).max(10).default(1),
    /** Production-like load on the endpoint while the release runs. */
    traffic: z
      .object({ requestsPerMinute: z.number().min(0).max(100_000), body: z.string().default('1,2,3'), contentType: z.string().default('text/csv') })
      .strict()
      .default({ requestsPerMinute: 600, body: '1,2,3', contentType: 'text/csv' }),
    expect: z
      .object({
        outcome: z.enum(OUTCOMES),
        /** Executions that must end SKIPPED as duplicates. */
        skipped: z.number().int().min(0).default(0),
        /** The error name a failed execution must end with. */
        error: z.string().optional(),
        /** Nothing may be created in the account (bad input). */
        accountUnchanged: z.boolean().default(false),
        /**
         * What the endpoint wholly serves at the end: the `live` model (as before the run), the `candidate`,
         * or `unchanged` (the very config it had before the run).
         */
        endpoint: z.enum(['live', 'candidate', 'unchanged']).optional(),
      })
      .strict(),
    seed: z.number().int().default(7),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

export const SCENARIO_DIR = join(__dirname, 'scenarios');

export function parseScenario(raw: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid scenario ${source}: ${problems}`);
  }
  return result.data;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

export function builtInScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadScenarioFile(join(SCENARIO_DIR, f)));
}

/** A built-in scenario by name, or a scenario file by path. */
export function findScenario(nameOrPath: string): Scenario {
  if (nameOrPath.endsWith('.json')) return loadScenarioFile(nameOrPath);
  const found = builtInScenarios().find((s) => s.name === nameOrPath || s.name === basename(nameOrPath));
  if (!found) throw new Error(`No scenario named ${nameOrPath}; \`npm run simulate -- --list\` names them`);
  return found;
}
