/**
 * AWS's published service models (botocore's, installed with moto; read at run time, never copied here)
 * and a validator that applies their input rules the way the services do: required members, types, enums,
 * lengths and counts, numeric ranges and patterns (matched whole, as the services' Java validators do).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'header' | 'headers' | 'querystring' | 'statusCode';
  locationName?: string;
}

export interface Shape {
  type: 'structure' | 'string' | 'list' | 'map' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  payload?: string;
}

export interface Operation {
  name: string;
  http?: { method: string; requestUri: string };
  input?: ShapeRef;
  output?: ShapeRef;
}

export interface ServiceModel {
  metadata: { protocol: string; jsonVersion?: string; targetPrefix?: string; endpointPrefix: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** A member that breaks a rule: where (AWS's path), its value, and the rule ("must not be null"). */
export interface Violation {
  path: string;
  value: unknown;
  constraint: string;
  /** A value of the wrong JSON type: the service fails to read it (SerializationException), not to validate it. */
  kind: 'constraint' | 'type';
}

let dataDir: string | undefined;

/** botocore's data directory: BOTOCORE_DATA_DIR, or asked of the Python that has moto. */
export function botocoreDataDir(): string {
  if (dataDir !== undefined) return dataDir;
  const fromEnv = process.env.BOTOCORE_DATA_DIR;
  if (fromEnv) {
    dataDir = fromEnv;
    return dataDir;
  }
  const python = process.env.MOTO_PYTHON ?? 'python3';
  const root = execFileSync(python, ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  dataDir = join(root, 'data');
  return dataDir;
}

const models = new Map<string, ServiceModel>();

/** The newest model botocore has for a service (`sagemaker`, `dynamodb`, `events`, `cloudwatch`, `s3`, ...). */
export function serviceModel(service: string): ServiceModel {
  const cached = models.get(service);
  if (cached) return cached;
  const dir = join(botocoreDataDir(), service);
  if (!existsSync(dir)) throw new Error(`botocore has no model for ${service} (looked in ${dir})`);
  const version = readdirSync(dir).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort().pop();
  if (version === undefined) throw new Error(`botocore has no versioned model for ${service} in ${dir}`);
  const file = join(dir, version, 'service-2.json.gz');
  const plain = join(dir, version, 'service-2.json');
  const text = existsSync(file) ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(plain, 'utf8');
  const model = JSON.parse(text) as ServiceModel;
  models.set(service, model);
  return model;
}

// ---------------------------------------------------------------------------------------------------
// Patterns: Java regular expressions, matched against the whole value
// ---------------------------------------------------------------------------------------------------

const POSIX_CLASSES: Record<string, string> = {
  Alnum: 'a-zA-Z0-9',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Upper: 'A-Z',
  Lower: 'a-z',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  Punct: '!-\\/:-@\\[-`{-~',
  Print: '\\x20-\\x7E',
  Graph: '\\x21-\\x7E',
  ASCII: '\\x00-\\x7F',
};
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

/** Java regex source → JavaScript (unicode mode), or null when it uses something JavaScript lacks. */
export function javaPatternToJs(java: string): string | null {
  let out = '';
  let inClass = false;
  for (let i = 0; i < java.length; i++) {
    const c = java[i] as string;
    if (c === '\\') {
      const n = java[i + 1];
      if (n === undefined) return null;
      if (n === 'p' || n === 'P') {
        const m = /^\{(\w+)\}/.exec(java.slice(i + 2));
        if (m === null) return null;
        const name = m[1] as string;
        const posix = POSIX_CLASSES[name] ?? POSIX_CLASSES[name.replace(/^Is/, '')];
        if (posix !== undefined) {
          if (n === 'P') {
            if (inClass) return null;
            out += `[^${posix}]`;
          } else out += inClass ? posix : `[${posix}]`;
        } else out += `\\${n}{${name}}`;
        i += 1 + m[0].length;
        continue;
      }
      if (n === 'A') {
        out += '^';
        i += 1;
        continue;
      }
      if (n === 'z' || n === 'Z') {
        out += '$';
        i += 1;
        continue;
      }
      // Keep escapes JavaScript's unicode mode knows; drop the backslash of any other (Java allows "\_").
      if (/[a-zA-Z0-9]/.test(n) || SYNTAX.has(n) || (inClass && n === '-')) out += `\\${n}`;
      else out += n;
      i += 1;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

const compiled = new Map<string, RegExp | null>();

/** The pattern as the service applies it (the whole value must match), or null when it cannot be enforced here. */
export function wholeValuePattern(java: string): RegExp | null {
  if (compiled.has(java)) return compiled.get(java) ?? null;
  let regex: RegExp | null = null;
  const js = javaPatternToJs(java);
  for (const source of js === null ? [] : [js, js.replace(/\$\{\d+,\d+\}/g, '$')]) {
    try {
      regex = new RegExp(`^(?:${source})$`, 'su');
      break;
    } catch {
      regex = null;
    }
  }
  compiled.set(java, regex);
  return regex;
}

/** Patterns of a model that could not be compiled (so are not enforced), for the simulation's documentation. */
export function unenforcedPatterns(model: ServiceModel): string[] {
  return Object.values(model.shapes)
    .map((s) => s.pattern)
    .filter((p): p is string => p !== undefined && wholeValuePattern(p) === null);
}

// ---------------------------------------------------------------------------------------------------
// Validation of one input against its shape
// ---------------------------------------------------------------------------------------------------

const lowerCamel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  return `'${JSON.stringify(value).slice(0, 200)}'`;
}

/** "1 validation error detected: Value 'x' at 'endpointName' failed to satisfy constraint: Member must ..." */
export function violationMessage(violations: readonly Violation[]): string {
  const n = violations.length;
  const parts = violations.map((v) => `Value ${shown(v.value)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

function lengthRules(shape: Shape, length: number, what: 'length'): string[] {
  const rules: string[] = [];
  if (shape.min !== undefined && length < shape.min) rules.push(`Member must have ${what} greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) rules.push(`Member must have ${what} less than or equal to ${shape.max}`);
  return rules;
}

function stringRules(shape: Shape, value: string): string[] {
  const rules = lengthRules(shape, [...value].length, 'length');
  if (shape.enum !== undefined && !shape.enum.includes(value)) rules.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  if (shape.pattern !== undefined) {
    const regex = wholeValuePattern(shape.pattern);
    if (regex !== null && !regex.test(value)) rules.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  return rules;
}

function numberRules(shape: Shape, value: number): string[] {
  const rules: string[] = [];
  if (shape.min !== undefined && value < shape.min) rules.push(`Member must have value greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && value > shape.max) rules.push(`Member must have value less than or equal to ${shape.max}`);
  return rules;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every violation of `input` against the input shape of `operation`, as the service reports them.
 * Members the model does not know are ignored, as the JSON services ignore them.
 */
export function validateInput(model: ServiceModel, operation: string, input: unknown): Violation[] {
  const op = model.operations[operation];
  if (op?.input === undefined) return [];
  const violations: Violation[] = [];
  const visit = (ref: ShapeRef, value: unknown, path: string, depth: number): void => {
    const shape = model.shapes[ref.shape];
    if (shape === undefined || depth > 40 || value === undefined || value === null) return;
    const add = (constraint: string, kind: Violation['kind'] = 'constraint'): void => {
      violations.push({ path, value, constraint, kind });
    };
    switch (shape.type) {
      case 'structure': {
        if (!isObject(value)) return add('Member must be a structure', 'type');
        for (const name of shape.required ?? []) {
          if (value[name] === undefined || value[name] === null) violations.push({ path: path === '' ? lowerCamel(name) : `${path}.${lowerCamel(name)}`, value: null, constraint: 'Member must not be null', kind: 'constraint' });
        }
        const present = Object.keys(shape.members ?? {}).filter((name) => value[name] !== undefined && value[name] !== null);
        if (shape.union === true && present.length !== 1) add(`Member must have exactly one of ${Object.keys(shape.members ?? {}).join(', ')} set, not ${present.length}`);
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          if (member.location !== undefined && member.location !== 'headers') continue;
          visit(member, value[name], path === '' ? lowerCamel(name) : `${path}.${lowerCamel(name)}`, depth + 1);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) return add('Member must be a list', 'type');
        for (const rule of lengthRules(shape, value.length, 'length')) add(rule);
        value.forEach((item, i) => {
          if (shape.member) visit(shape.member, item, `${path}.${i + 1}.member`, depth + 1);
        });
        return;
      }
      case 'map': {
        if (!isObject(value)) return add('Member must be a map', 'type');
        for (const rule of lengthRules(shape, Object.keys(value).length, 'length')) add(rule);
        const keyShape = shape.key ? model.shapes[shape.key.shape] : undefined;
        const valueShape = shape.value ? model.shapes[shape.value.shape] : undefined;
        const keyRules = new Set<string>();
        const valueRules = new Set<string>();
        for (const [k, v] of Object.entries(value)) {
          if (keyShape?.type === 'string') for (const r of stringRules(keyShape, k)) keyRules.add(r);
          if (valueShape?.type === 'string' && typeof v === 'string') for (const r of stringRules(valueShape, v)) valueRules.add(r);
          else if (shape.value && valueShape?.type !== 'string') visit(shape.value, v, `${path}.${k}`, depth + 1);
          else if (valueShape?.type === 'string' && typeof v !== 'string' && v !== null) violations.push({ path: `${path}.${k}`, value: v, constraint: 'Member must be a string', kind: 'type' });
        }
        if (keyRules.size > 0) add(`Map keys must satisfy constraint: [${[...keyRules].join(', ')}]`);
        if (valueRules.size > 0) add(`Map value must satisfy constraint: [${[...valueRules].join(', ')}]`);
        return;
      }
      case 'string':
        if (typeof value !== 'string') return add('Member must be a string', 'type');
        for (const rule of stringRules(shape, value)) add(rule);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) return add('Member must be an integer', 'type');
        for (const rule of numberRules(shape, value)) add(rule);
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number') return add('Member must be a number', 'type');
        for (const rule of numberRules(shape, value)) add(rule);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') add('Member must be a boolean', 'type');
        return;
      case 'timestamp':
        if (typeof value !== 'number' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) add('Member must be a timestamp', 'type');
        return;
      case 'blob':
        if (typeof value === 'string') for (const rule of lengthRules(shape, Buffer.byteLength(value, 'base64'), 'length')) add(rule);
        else if (!Buffer.isBuffer(value)) add('Member must be a blob', 'type');
        return;
    }
  };
  visit(op.input, input, '', 0);
  return violations;
}

/**
 * The input of a REST operation (SageMaker Runtime, S3) rebuilt from its URI, headers and query string,
 * so the same validator applies. The payload member, when it is a blob, is given as a Buffer.
 */
export function restInput(model: ServiceModel, operation: string, request: { path: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body?: Buffer }): Record<string, unknown> {
  const op = model.operations[operation];
  const input: Record<string, unknown> = {};
  if (op?.input === undefined || op.http === undefined) return input;
  const shape = model.shapes[op.input.shape];
  const [template] = op.http.requestUri.split('?');
  const names: string[] = [];
  const source = (template ?? '')
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(part);
      if (m === null) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      return m[2] === '+' ? '(.+)' : '([^/]+)';
    })
    .join('');
  const uri = new RegExp(`^${source}/?$`).exec(request.path);
  const header = (name: string) => {
    const v = request.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  for (const [name, member] of Object.entries(shape?.members ?? {})) {
    const memberShape = model.shapes[member.shape];
    const convert = (raw: string | undefined): unknown => {
      if (raw === undefined) return undefined;
      if (memberShape?.type === 'integer' || memberShape?.type === 'long') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (memberShape?.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
      return raw;
    };
    if (member.location === 'uri') {
      const at = names.indexOf(member.locationName ?? name);
      const raw = at >= 0 ? uri?.[at + 1] : undefined;
      input[name] = raw === undefined ? undefined : convert(safeDecode(raw));
    } else if (member.location === 'header') input[name] = convert(header(member.locationName ?? name));
    else if (member.location === 'querystring') input[name] = convert(request.query.get(member.locationName ?? name) ?? undefined);
    else if (shape?.payload === name && memberShape?.type === 'blob' && request.body !== undefined) input[name] = request.body;
  }
  return input;
}

/** Validates members as `validateInput` does, but for REST inputs where every member is at the top level. */
export function validateRestInput(model: ServiceModel, operation: string, input: Record<string, unknown>): Violation[] {
  const op = model.operations[operation];
  if (op?.input === undefined) return [];
  const shape = model.shapes[op.input.shape];
  const violations: Violation[] = [];
  // URI members are there whenever the request reached this operation's route (path-style or virtual-host).
  for (const name of shape?.required ?? []) {
    if (input[name] === undefined && shape?.members?.[name]?.location !== 'uri') violations.push({ path: lowerCamel(name), value: null, constraint: 'Member must not be null', kind: 'constraint' });
  }
  for (const [name, member] of Object.entries(shape?.members ?? {})) {
    const value = input[name];
    if (value === undefined) continue;
    const memberShape = model.shapes[member.shape];
    if (memberShape?.type === 'blob' && Buffer.isBuffer(value)) {
      for (const rule of lengthRules(memberShape, value.length, 'length')) violations.push({ path: lowerCamel(name), value: `<${value.length} bytes>`, constraint: rule, kind: 'constraint' });
      continue;
    }
    const single: ServiceModel = { ...model, operations: { Member: { name: 'Member', input: { shape: '__member' } } }, shapes: { ...model.shapes, __member: { type: 'structure', members: { [name]: { shape: member.shape } } } } };
    violations.push(...validateInput(single, 'Member', { [name]: value }));
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------
// Responses: what the service returns, and nothing it would omit
// ---------------------------------------------------------------------------------------------------

/**
 * Problems of a response against the output shape: members of the wrong type, and structures sent empty
 * (`{}`) where the service omits the member altogether (SageMaker never answers `DataCaptureConfig: {}`).
 */
export function outputProblems(model: ServiceModel, operation: string, output: unknown): string[] {
  const op = model.operations[operation];
  if (op?.output === undefined) return [];
  const problems: string[] = [];
  const visit = (ref: ShapeRef, value: unknown, path: string, depth: number): void => {
    const shape = model.shapes[ref.shape];
    if (shape === undefined || depth > 40 || value === undefined || value === null) return;
    switch (shape.type) {
      case 'structure':
        if (!isObject(value)) {
          problems.push(`${path}: expected a structure`);
          return;
        }
        if (path !== '' && Object.keys(value).length === 0) problems.push(`${path}: an empty structure, which the service omits`);
        for (const [name, member] of Object.entries(shape.members ?? {})) visit(member, value[name], path === '' ? name : `${path}.${name}`, depth + 1);
        for (const name of Object.keys(value)) if (!(name in (shape.members ?? {}))) problems.push(`${path === '' ? name : `${path}.${name}`}: not a member of ${ref.shape}`);
        return;
      case 'list':
        if (!Array.isArray(value)) problems.push(`${path}: expected a list`);
        else value.forEach((item, i) => shape.member && visit(shape.member, item, `${path}[${i}]`, depth + 1));
        return;
      case 'map':
        if (!isObject(value)) problems.push(`${path}: expected a map`);
        else for (const [k, v] of Object.entries(value)) if (shape.value) visit(shape.value, v, `${path}.${k}`, depth + 1);
        return;
      case 'string':
        if (typeof value !== 'string') problems.push(`${path}: expected a string`);
        else if (shape.enum !== undefined && !shape.enum.includes(value)) problems.push(`${path}: ${value} is not one of ${shape.enum.join(', ')}`);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`${path}: expected an integer`);
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number') problems.push(`${path}: expected a number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
        return;
      case 'timestamp':
        if (typeof value !== 'number' && typeof value !== 'string') problems.push(`${path}: expected a timestamp`);
        return;
      case 'blob':
        return;
    }
  };
  visit(op.output, output, '', 0);
  return problems;
}

/**
 * The answer without the members moto sends as empty structures where the service omits them
 * (moto answers `DataCaptureConfig: {}` for "no capture"; SageMaker leaves the member out). Shape-driven:
 * only members the output shape types as structures are dropped, at any depth.
 */
export function omitEmptyStructures(model: ServiceModel, operation: string, output: unknown): unknown {
  const op = model.operations[operation];
  if (op?.output === undefined) return output;
  const prune = (ref: ShapeRef, value: unknown, depth: number): unknown => {
    const shape = model.shapes[ref.shape];
    if (shape === undefined || depth > 40) return value;
    if (shape.type === 'structure' && isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(value)) {
        const memberRef = shape.members?.[name];
        const memberShape = memberRef ? model.shapes[memberRef.shape] : undefined;
        if (memberShape?.type === 'structure' && isObject(member) && Object.keys(member).length === 0) continue;
        out[name] = memberRef ? prune(memberRef, member, depth + 1) : member;
      }
      return out;
    }
    if (shape.type === 'list' && Array.isArray(value) && shape.member) return value.map((item) => prune(shape.member as ShapeRef, item, depth + 1));
    if (shape.type === 'map' && isObject(value) && shape.value) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prune(shape.value as ShapeRef, v, depth + 1)]));
    return value;
  };
  return prune(op.output, output, 0);
}

/** A URI member's value, decoded once; one that is not valid percent-encoding is taken as sent. */
function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
