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

/**
 * One setting's parser: the raw string (trimmed) in, its value or every problem with it out.
 * Plain functions rather than zod schemas: the settings table is built when a step loads, and
 * 27 small schemas (each a chain of zod objects) cost milliseconds of cold start on every step
 * that resolves settings, for rules as simple as "a whole number from 1 to 50".
 */
type SettingParse<T> = { ok: true; value: T } | { ok: false; problems: string[] };
type SettingParser<T> = (raw: string) => SettingParse<T>;

const accept = <T>(value: T): SettingParse<T> => ({ ok: true, value });
const refuse = (problems: string[]): SettingParse<never> => ({ ok: false, problems });

/** The range problems of a parsed number (none when it is within [min, max]). */
function inRange(value: number, min: number, max: number): string[] {
  const problems: string[] = [];
  if (value < min) problems.push(`must be at least ${min}`);
  if (value > max) problems.push(`must be at most ${max}`);
  return problems;
}

const intString =
  (min: number, max: number, extra?: (value: number) => string | null): SettingParser<number> =>
  (raw) => {
    if (!/^\d+$/.test(raw)) return refuse(['must be a whole number']);
    const value = Number(raw);
    const problems = inRange(value, min, max);
    const extraProblem = extra?.(value) ?? null;
    if (extraProblem !== null) problems.push(extraProblem);
    return problems.length > 0 ? refuse(problems) : accept(value);
  };
const numberString =
  (min: number, max: number): SettingParser<number> =>
  (raw) => {
    if (!/^\d+(\.\d+)?$/.test(raw)) return refuse(['must be a number']);
    const value = Number(raw);
    const problems = inRange(value, min, max);
    return problems.length > 0 ? refuse(problems) : accept(value);
  };
const boolString: SettingParser<boolean> = (raw) =>
  raw === 'true' || raw === 'false' ? accept(raw === 'true') : refuse(['must be "true" or "false"']);
/**
 * A list of names. `+` separates them because a real package's metadata cannot hold a comma (its values
 * allow only letters, digits, spaces and `_.:/=+-@`); commas still work in stage defaults and overrides.
 */
const listString: SettingParser<string[]> = (raw) =>
  accept(
    raw
      .split(/[+,]/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
const oneOf =
  <const T extends readonly string[]>(values: T, message: string): SettingParser<T[number]> =>
  (raw) =>
    (values as readonly string[]).includes(raw) ? accept(raw as T[number]) : refuse([message]);
const matching =
  (pattern: RegExp, message: string, maxLength?: number): SettingParser<string> =>
  (raw) => {
    const problems: string[] = [];
    if (maxLength !== undefined && raw.length > maxLength) problems.push(`must be at most ${maxLength} characters`);
    if (!pattern.test(raw)) problems.push(message);
    return problems.length > 0 ? refuse(problems) : accept(raw);
  };
/** A setting whose value is structured (JSON), parsed by a schema. */
const bySchema =
  <S extends Schema>(schema: S): SettingParser<z.output<S>> =>
  (raw) => {
    const result = schema.safeParse(raw);
    return result.success ? accept(result.data) : refuse(result.error.issues.map((i) => i.message));
  };

// SageMaker resource names: letters, digits and hyphens, starting and ending with a letter or digit, at most 63.
const resourceName = matching(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen', 63);
const instanceType = matching(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type such as ml.m5.large');
const s3Uri = matching(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be an s3:// URI');
const s3ObjectUri = matching(/^s3:\/\/[a-z0-9.-]{3,63}\/.*[^/]$/, 'must be the s3:// URI of an object (s3://bucket/key)');

export const smokePayloadSchema = z.strictObject({
  contentType: z.string().check(z.minLength(1)),
  body: z.string(),
  accept: z.optional(z.string().check(z.minLength(1))),
  /** Exact expected response body (surrounding whitespace ignored). */
  expect: z.optional(z.string()),
});
export type SmokePayload = z.infer<typeof smokePayloadSchema>;

const smokePayloads = bySchema(jsonString(z.array(smokePayloadSchema).check(z.maxLength(20, 'at most 20 payloads')), 'a JSON array of {contentType, body, expect?}'));

/** Every key the pipeline understands. Units are in the key's documentation (README, "Configuration"). */
export const SETTING_PARSERS = {
  'endpoint.name': resourceName,
  'endpoint.instanceType': instanceType,
  'endpoint.instanceCount': intString(1, 100),
  'canary.percent': intString(1, 50),
  'canary.bakeMinutes': intString(1, 1440),
  'canary.alarmNames': listString,
  'canary.minInvocations': intString(0, 1_000_000),
  'canary.insufficientTraffic': oneOf(['rollback', 'promote'], 'must be "rollback" or "promote"'),
  'slo.latencyP99Ms': numberString(1, 60_000),
  'slo.errorRatePercent': numberString(0, 100),
  'smoke.payloads': smokePayloads,
  'smoke.payloadsUrl': s3ObjectUri,
  'smoke.latencyBudgetMs': intString(1, 3_600_000),
  'deploy.mode': oneOf(INFERENCE_MODES, `must be one of ${INFERENCE_MODES.join(', ')}`),
  'deploy.strategy': oneOf(['canary', 'native'], 'must be "canary" or "native"'),
  'deploy.multiModelGroup': resourceName,
  'workload.online': boolString,
  'workload.maxPayloadMB': numberString(0, 1024),
  'workload.inferenceSeconds': numberString(0, 3600),
  'workload.traffic': oneOf(['steady', 'intermittent'], 'must be "steady" or "intermittent"'),
  'model.memoryMB': intString(1, 1_000_000),
  'monitoring.dataCapture': boolString,
  'serverless.memoryMB': intString(1024, 6144, (v) => (v % 1024 === 0 ? null : 'must be 1024, 2048, 3072, 4096, 5120 or 6144')),
  'serverless.maxConcurrency': intString(1, 200),
  'serverless.provisionedConcurrency': intString(1, 200),
  'async.outputPath': s3Uri,
  'async.failurePath': s3Uri,
  'async.maxConcurrentInvocationsPerInstance': intString(1, 1000),
} as const satisfies Record<string, SettingParser<unknown>>;

export type SettingKey = keyof typeof SETTING_PARSERS;
type ParsedValue<P> = P extends SettingParser<infer T> ? T : never;
type ParsedSettings = { [K in SettingKey]?: ParsedValue<(typeof SETTING_PARSERS)[K]> };

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
  /** Inline payloads or the URL of a JSON Lines file of them: whichever the highest layer names (never both). */
  smoke: { payloads?: SmokePayload[]; payloadsUrl?: string; latencyBudgetMs: number };
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
    const result = (SETTING_PARSERS[key] as SettingParser<unknown>)(raw.trim());
    if (result.ok) parsed[key] = result.value;
    else problems.push(`${key}=${JSON.stringify(raw)}: ${result.problems.join(', ')}`);
  }
  if (problems.length > 0) throw new InvalidSettings(`Invalid settings in ${source}: ${problems.join('; ')}`);
  return parsed as ParsedSettings;
}

export interface SettingLayers {
  defaults: Record<string, string>;
  metadata: Record<string, string>;
  overrides: Record<string, string>;
}

/**
 * Keys that set one thing two ways: a layer naming either replaces both from the layers below it, so a
 * package's `smoke.payloadsUrl` wins over inline stage-default payloads, and an override's inline
 * payloads over the package's file.
 */
const ALTERNATIVES: readonly (readonly SettingKey[])[] = [['smoke.payloads', 'smoke.payloadsUrl']];

function mergeLayer(below: ParsedSettings, layer: ParsedSettings): ParsedSettings {
  const merged: ParsedSettings = { ...below };
  for (const keys of ALTERNATIVES) {
    if (keys.some((key) => layer[key] !== undefined)) for (const key of keys) delete merged[key];
  }
  return { ...merged, ...layer };
}

export function resolveSettings(layers: SettingLayers): ReleaseSettings {
  const merged = [
    parseSettingLayer(layers.metadata, "the package's CustomerMetadataProperties"),
    parseSettingLayer(layers.overrides, "the manual run's overrides"),
  ].reduce(mergeLayer, parseSettingLayer(layers.defaults, 'stage defaults'));
  for (const [layer, source] of [[layers.defaults, 'stage defaults'], [layers.metadata, "the package's CustomerMetadataProperties"], [layers.overrides, "the manual run's overrides"]] as const) {
    if (layer['smoke.payloads'] !== undefined && layer['smoke.payloadsUrl'] !== undefined) {
      throw new InvalidSettings(`Invalid settings in ${source}: smoke.payloads and smoke.payloadsUrl both set; name the payloads one way`);
    }
  }
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
    // Undefined when no layer names inline payloads: an explicit `[]` is a choice (no smoke test), not a default.
    smoke: { payloads: merged['smoke.payloads'], payloadsUrl: merged['smoke.payloadsUrl'], latencyBudgetMs: need('smoke.latencyBudgetMs') },
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
