/** Tiny typed accessors over parsed JSON so the wire shapes stay `unknown` until checked. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string): JsonObject {
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new SyntaxError('expected a JSON object');
  return parsed;
}

export function str(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: JsonObject | undefined, key: string): number | undefined {
  const v = obj?.[key];
  return typeof v === 'number' ? v : undefined;
}

export function bool(obj: JsonObject | undefined, key: string): boolean | undefined {
  const v = obj?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

export function objs(o: JsonObject | undefined, key: string): JsonObject[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function strs(o: JsonObject | undefined, key: string): string[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Drops undefined values so the result is valid Json. */
export function compact(record: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

/** SageMaker's JSON protocol carries timestamps as epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** A timestamp as the JSON protocols send it (epoch seconds) or as a date string, in epoch ms (0 if unreadable). */
export function timestampMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? 0 : parsed;
}
