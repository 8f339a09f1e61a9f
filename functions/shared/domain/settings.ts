import { InvalidSettings } from '../errors';
import * as z from '../zod';
import { jsonString, type Schema } from '../schema';

/**
 * Release settings come from three layers of the same string keys, later layers winning:
 * stage defaults (serverless.yml params) < the package's CustomerMetadataProperties < a manual run's overrides.
 * Keeping one key space for all three means one parser, one table in the README, one set of errors.
 */
export const SETTING_PREFIXES = ['endpoint', 'canary', 'slo', 'smoke', 'deploy', 'workload', 'model', 'monitoring', 'serverless', 'async'] as const;

export const INFERENCE_MODES = ['realtime', 'serverless', 'async', 'batch', 'multi-model'] as const;
export type InferenceMode = (typeof INFERENCE_MODES)[number];

const intString = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number')), z.transform(Number)),
    z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
  );
const numberString = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+(\.\d+)?$/, 'must be a number')), z.transform(Number)),
    z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
  );
const boolString = z.pipe(z.enum(['true', 'false'], 'must be "true" or "false"'), z.transform((v) => v === 'true'));
const listString = z.pipe(
  z.string(),
  z.transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ),
);
// SageMaker resource names: letters, digits and hyphens, starting and ending with a letter or digit, at most 63.
const resourceName = z
  .string()
  .check(z.maxLength(63, 'must be at most 63 characters'), z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen'));
const instanceType = z.string().check(z.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large'));
const s3Uri = z.string().check(z.regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be an s3:// URI'));

export const smokePayloadSchema = z.strictObject({
  contentType: z.string().check(z.minLength(1)),
  body: z.string(),
  accept: z.optional(z.string().check(z.minLength(1))),
  /** Exact expected response body (surrounding whitespace ignored). */
  expect: z.optional(z.string()),
});
export type SmokePayload = z.infer<typeof smokePayloadSchema>;

const smokePayloads = jsonString(z.array(smokePayloadSchema).check(z.maxLength(20, 'at most 20 payloads')), 'a JSON array of {contentType, body, expect?}');

/** Every key the pipeline understands. Units are in the key's documentation (README, "Configuration"). */
export const SETTING_PARSERS = {
  'endpoint.name': resourceName,
  'endpoint.instanceType': instanceType,
  'endpoint.instanceCount': intString(1, 100),
  'canary.percent': intString(1, 50),
  'canary.bakeMinutes': intString(1, 1440),
  'canary.alarmNames': listString,
  'canary.minInvocations': intString(0, 1_000_000),
  'canary.insufficientTraffic': z.enum(['rollback', 'promote'], 'must be "rollback" or "promote"'),
  'slo.latencyP99Ms': numberString(1, 60_000),
  'slo.errorRatePercent': numberString(0, 100),
  'smoke.payloads': smokePayloads,
  'smoke.latencyBudgetMs': intString(1, 3_600_000),
  'deploy.mode': z.enum(INFERENCE_MODES, `must be one of ${INFERENCE_MODES.join(', ')}`),
  'deploy.strategy': z.enum(['canary', 'native'], 'must be "canary" or "native"'),
  'deploy.multiModelGroup': resourceName,
  'workload.online': boolString,
  'workload.maxPayloadMB': numberString(0, 1024),
  'workload.inferenceSeconds': numberString(0, 3600),
  'workload.traffic': z.enum(['steady', 'intermittent'], 'must be "steady" or "intermittent"'),
  'model.memoryMB': intString(1, 1_000_000),
  'monitoring.dataCapture': boolString,
  'serverless.memoryMB': intString(1024, 6144).check(z.refine((v) => v % 1024 === 0, 'must be 1024, 2048, 3072, 4096, 5120 or 6144')),
  'serverless.maxConcurrency': intString(1, 200),
  'serverless.provisionedConcurrency': intString(1, 200),
  'async.outputPath': s3Uri,
  'async.failurePath': s3Uri,
  'async.maxConcurrentInvocationsPerInstance': intString(1, 1000),
} as const satisfies Record<string, Schema>;

export type SettingKey = keyof typeof SETTING_PARSERS;
type ParsedSettings = { [K in SettingKey]?: z.infer<(typeof SETTING_PARSERS)[K]> };

/** Keys that must have a value once defaults are applied: the stage defaults guarantee them. */
const REQUIRED_KEYS = [
  'endpoint.instanceType',
  'endpoint.instanceCount',
  'canary.percent',
  'canary.bakeMinutes',
  'canary.minInvocations',
  'canary.insufficientTraffic',
  'slo.latencyP99Ms',
  'slo.errorRatePercent',
  'smoke.latencyBudgetMs',
  'deploy.strategy',
  'serverless.memoryMB',
  'serverless.maxConcurrency',
  'async.maxConcurrentInvocationsPerInstance',
] as const satisfies readonly SettingKey[];

export interface ReleaseSettings {
  endpoint: { name?: string; instanceType: string; instanceCount: number };
  canary: {
    percent: number;
    bakeMinutes: number;
    alarmNames: string[];
    minInvocations: number;
    insufficientTraffic: 'rollback' | 'promote';
  };
  slo: { latencyP99Ms: number; errorRatePercent: number };
  smoke: { payloads: SmokePayload[]; latencyBudgetMs: number };
  deploy: { mode?: InferenceMode; strategy: 'canary' | 'native'; multiModelGroup?: string };
  workload: { online?: boolean; maxPayloadMB?: number; inferenceSeconds?: number; traffic?: 'steady' | 'intermittent' };
  model: { memoryMB?: number };
  monitoring: { dataCapture?: boolean };
  serverless: { memoryMB: number; maxConcurrency: number; provisionedConcurrency?: number };
  async: { outputPath?: string; failurePath?: string; maxConcurrentInvocationsPerInstance: number };
}

function isKnownKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTING_PARSERS, key);
}

function isOurPrefix(key: string): boolean {
  const prefix = key.split('.')[0] ?? '';
  return (SETTING_PREFIXES as readonly string[]).includes(prefix) && key.includes('.');
}

/**
 * Parses one layer. Keys outside our prefixes belong to the user and are ignored; a key under our
 * prefixes that we do not know is almost always a typo ("canary.bakeMinute") and is refused, because
 * silently ignoring it would release with a setting the user did not ask for.
 */
export function parseSettingLayer(layer: Record<string, string>, source: string): ParsedSettings {
  const parsed: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(layer)) {
    if (!isOurPrefix(key)) continue;
    if (!isKnownKey(key)) {
      problems.push(`${key}: unknown setting (see the README's configuration table)`);
      continue;
    }
    const result = (SETTING_PARSERS[key] as Schema).safeParse(raw.trim());
    if (result.success) parsed[key] = result.data;
    else problems.push(`${key}=${JSON.stringify(raw)}: ${result.error.issues.map((i) => i.message).join(', ')}`);
  }
  if (problems.length > 0) throw new InvalidSettings(`Invalid settings in ${source}: ${problems.join('; ')}`);
  return parsed as ParsedSettings;
}

export interface SettingLayers {
  defaults: Record<string, string>;
  metadata: Record<string, string>;
  overrides: Record<string, string>;
}

export function resolveSettings(layers: SettingLayers): ReleaseSettings {
  const merged: ParsedSettings = {
    ...parseSettingLayer(layers.defaults, 'stage defaults'),
    ...parseSettingLayer(layers.metadata, "the package's CustomerMetadataProperties"),
    ...parseSettingLayer(layers.overrides, "the manual run's overrides"),
  };
  const missing = REQUIRED_KEYS.filter((key) => merged[key] === undefined);
  if (missing.length > 0) throw new InvalidSettings(`Missing settings with no stage default: ${missing.join(', ')}`);
  const need = <K extends (typeof REQUIRED_KEYS)[number]>(key: K) => merged[key] as NonNullable<ParsedSettings[K]>;
  return {
    endpoint: { name: merged['endpoint.name'], instanceType: need('endpoint.instanceType'), instanceCount: need('endpoint.instanceCount') },
    canary: {
      percent: need('canary.percent'),
      bakeMinutes: need('canary.bakeMinutes'),
      alarmNames: merged['canary.alarmNames'] ?? [],
      minInvocations: need('canary.minInvocations'),
      insufficientTraffic: need('canary.insufficientTraffic'),
    },
    slo: { latencyP99Ms: need('slo.latencyP99Ms'), errorRatePercent: need('slo.errorRatePercent') },
    smoke: { payloads: merged['smoke.payloads'] ?? [], latencyBudgetMs: need('smoke.latencyBudgetMs') },
    deploy: { mode: merged['deploy.mode'], strategy: need('deploy.strategy'), multiModelGroup: merged['deploy.multiModelGroup'] },
    workload: {
      online: merged['workload.online'],
      maxPayloadMB: merged['workload.maxPayloadMB'],
      inferenceSeconds: merged['workload.inferenceSeconds'],
      traffic: merged['workload.traffic'],
    },
    model: { memoryMB: merged['model.memoryMB'] },
    monitoring: { dataCapture: merged['monitoring.dataCapture'] },
    serverless: {
      memoryMB: need('serverless.memoryMB'),
      maxConcurrency: need('serverless.maxConcurrency'),
      provisionedConcurrency: merged['serverless.provisionedConcurrency'],
    },
    async: {
      outputPath: merged['async.outputPath'],
      failurePath: merged['async.failurePath'],
      maxConcurrentInvocationsPerInstance: need('async.maxConcurrentInvocationsPerInstance'),
    },
  };
}
