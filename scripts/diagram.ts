/**
 * Draws each state machine as a Mermaid flowchart and keeps docs/state-machines.md current, so the
 * diagrams cannot drift from what is deployed.
 *
 * The definitions are read from the PACKAGED template (`npm run package` writes it), i.e. the ASL exactly
 * as it would be deployed, not the YAML source.
 *
 *   npm run diagram            rewrite each diagram between its markers in docs/state-machines.md
 *   npm run diagram -- --check exit 1 if a diagram there differs from the generated one
 *
 * What is drawn: one node per state (nested Map/Parallel states inside a subgraph), Next and Default
 * edges, every Choice rule with a short condition, and Catch routes as dashed edges labelled with the
 * errors they catch. Retry is left out (every Task has it; drawing it buries the flow) and summarised
 * in a comment at the top of the block instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackagedStateMachines, PACKAGED_TEMPLATE, PROJECT_ROOT, TemplateNotPackaged, type PackagedStateMachines } from '../local/packaged-template';

/** The diagrams drawn, by the name their markers carry, with the state machine each is drawn from. */
export const DIAGRAMS = {
  release: (machines: PackagedStateMachines) => machines.release,
  'batch-scoring': (machines: PackagedStateMachines) => machines.batchScoring,
} as const;
export type DiagramName = keyof typeof DIAGRAMS;

/** The lines a diagram sits between: `<!-- diagram:release:start -->` ... `<!-- diagram:release:end -->`. */
export function diagramMarkers(name: DiagramName): { start: string; end: string } {
  return { start: `<!-- diagram:${name}:start -->`, end: `<!-- diagram:${name}:end -->` };
}
export const DIAGRAMS_PATH = join(PROJECT_ROOT, 'docs', 'state-machines.md');

/** The part of an ASL state this script reads; anything else is ignored. */
export interface AslStateLike {
  Type: string;
  [key: string]: unknown;
}
/** A state machine, a Map's ItemProcessor/Iterator or a Parallel branch. */
export interface AslMachineLike {
  StartAt: string;
  States: Record<string, AslStateLike>;
  [key: string]: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------
// Mermaid text helpers
// ---------------------------------------------------------------------------------------------------

const INDENT = '    ';
/** Longest edge label before it is cut with an ellipsis (the ASL has the full rule). */
const MAX_LABEL = 60;

/**
 * A label as a Mermaid quoted string. Characters that would end the string or be read as markup are
 * written as Mermaid entity codes (`#quot;`, `#35;`, ...), which Mermaid turns back into characters.
 */
function quoted(text: string): string {
  const escaped = text
    .replace(/\s+/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;');
  return `"${escaped}"`;
}

function shorten(text: string): string {
  return text.length <= MAX_LABEL ? text : `${text.slice(0, MAX_LABEL - 1)}…`;
}

// ---------------------------------------------------------------------------------------------------
// Choice rules -> short conditions
// ---------------------------------------------------------------------------------------------------

const COMPARISON = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?$/;
const SYMBOL: Record<string, string> = { Equals: '=', LessThan: '<', GreaterThan: '>', LessThanEquals: '≤', GreaterThanEquals: '≥' };
const NEGATED: Record<string, string> = { '=': '≠', '<': '≥', '>': '≤', '≤': '>', '≥': '<' };
const TYPE_TESTS: Record<string, string> = { IsString: 'string', IsNumeric: 'number', IsBoolean: 'boolean', IsTimestamp: 'timestamp' };

/** `$.smoke.passed` -> `smoke.passed`; `$` stays `$`. */
function path(value: unknown): string {
  const text = String(value);
  return text.startsWith('$.') ? text.slice(2) : text;
}

function literal(value: unknown): string {
  if (typeof value === 'string') return value === '' || /\s/.test(value) ? `'${value}'` : value;
  return JSON.stringify(value) ?? String(value);
}

/** A simple comparison, kept apart so `Or` over one variable can be written `x = a or b`. */
interface Comparison {
  variable: string;
  op: string;
  value: string;
}

function comparison(rule: Obj): Comparison | undefined {
  if (rule.Variable === undefined) return undefined;
  for (const [key, value] of Object.entries(rule)) {
    const match = COMPARISON.exec(key);
    if (match?.[2]) {
      // A *Path comparison compares with another field of the input: keep its `$.` so it does not read as a literal.
      return { variable: path(rule.Variable), op: SYMBOL[match[2]] ?? match[2], value: match[3] ? String(value) : literal(value) };
    }
  }
  return undefined;
}

const render = (c: Comparison): string => `${c.variable} ${c.op} ${c.value}`;

/** A Choice rule (or a nested one inside And/Or/Not) as a short condition. */
export function describeCondition(rule: unknown): string {
  if (!isObj(rule)) return '?';
  if (typeof rule.Condition === 'string') {
    // JSONata: show the expression without its {% %} wrapper and the ubiquitous `$states.input.`.
    return rule.Condition.replace(/^\s*\{%\s*/, '').replace(/\s*%\}\s*$/, '').replace(/\$states\.input\./g, '');
  }
  const simple = comparison(rule);
  if (simple) return render(simple);
  const variable = path(rule.Variable);
  if (typeof rule.IsNull === 'boolean') return `${variable} is ${rule.IsNull ? '' : 'not '}null`;
  if (typeof rule.IsPresent === 'boolean') return `${variable} ${rule.IsPresent ? 'present' : 'absent'}`;
  for (const [key, typeName] of Object.entries(TYPE_TESTS)) {
    const test = rule[key];
    if (typeof test === 'boolean') return `${variable} is ${test ? '' : 'not '}${typeName}`;
  }
  if (rule.StringMatches !== undefined) return `${variable} matches ${literal(rule.StringMatches)}`;
  if (rule.Not !== undefined) {
    const inner = isObj(rule.Not) ? comparison(rule.Not) : undefined;
    const negated = inner ? NEGATED[inner.op] : undefined;
    if (inner && negated) return render({ ...inner, op: negated });
    return `not (${describeCondition(rule.Not)})`;
  }
  for (const [key, word] of [
    ['Or', 'or'],
    ['And', 'and'],
  ] as const) {
    const parts = rule[key];
    if (!Array.isArray(parts)) continue;
    const comparisons = parts.map((p) => (isObj(p) ? comparison(p) : undefined));
    const [first] = comparisons;
    // `x = a or x = b` -> `x = a or b`
    if (first && comparisons.every((c) => c !== undefined && c.variable === first.variable && c.op === first.op)) {
      return `${first.variable} ${first.op} ${comparisons.map((c) => c?.value).join(` ${word} `)}`;
    }
    return parts
      .map((p) => {
        const text = describeCondition(p);
        return isObj(p) && (p.And !== undefined || p.Or !== undefined) ? `(${text})` : text;
      })
      .join(` ${word} `);
  }
  return '?';
}

/** `States.ALL` reads as "any error"; other names as they are. */
function describeErrors(errors: unknown): string {
  const names = Array.isArray(errors) ? errors.map(String) : [];
  if (names.includes('States.ALL')) return 'any error';
  return names.join(', ') || '?';
}

// ---------------------------------------------------------------------------------------------------
// ASL -> Mermaid
// ---------------------------------------------------------------------------------------------------

type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'nested';
interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

type StateClass = 'choice' | 'wait' | 'pass' | 'nested' | 'succeed' | 'fail' | 'terminal';
const CLASS_DEFS: Record<StateClass, string> = {
  choice: 'fill:#fff3cd,stroke:#b08900,color:#3d2f00',
  wait: 'fill:#e7f1ff,stroke:#4a7ebb,color:#0b2e59',
  pass: 'fill:#f0f0f0,stroke:#888888,color:#222222',
  nested: 'fill:#efe6ff,stroke:#7a4fc9,color:#2d1459',
  succeed: 'fill:#d4edda,stroke:#28a745,color:#155724',
  fail: 'fill:#f8d7da,stroke:#dc3545,color:#721c24',
  terminal: 'fill:#555555,stroke:#555555,color:#ffffff',
};

/** Fixed ids; every state id starts with `s_`, so they cannot collide, and none is a Mermaid keyword (`end`, `class`, ...). */
const START_ID = 'machineStart';
const END_ID = 'machineEnd';

function asScope(value: unknown, where: string): AslMachineLike {
  if (!isObj(value) || typeof value.StartAt !== 'string' || !isObj(value.States)) {
    throw new Error(`${where} is not a state machine (it needs StartAt and States)`);
  }
  for (const [name, state] of Object.entries(value.States)) {
    if (!isObj(state) || typeof state.Type !== 'string') throw new Error(`State "${name}" in ${where} has no Type`);
  }
  return value as AslMachineLike;
}

class Drawing {
  readonly nodes: string[] = [];
  readonly edges: Edge[] = [];
  readonly classes = new Map<StateClass, string[]>();
  readonly tasks: AslStateLike[] = [];
  private readonly used = new Set<string>([START_ID, END_ID]);

  /** A safe, unique Mermaid id: `s_` + the name with anything but [A-Za-z0-9_] replaced by `_`. */
  id(name: string, suffix = ''): string {
    const base = `s_${name.replace(/[^A-Za-z0-9_]/g, '_')}${suffix}`;
    let candidate = base;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${base}_${n}`;
    this.used.add(candidate);
    return candidate;
  }

  classify(id: string, cls: StateClass): void {
    const ids = this.classes.get(cls) ?? [];
    ids.push(id);
    this.classes.set(cls, ids);
  }

  /** Declares the states of one scope (recursing into Map/Parallel) and collects its edges. */
  scope(machine: AslMachineLike, depth: number, where: string): Map<string, string> {
    const pad = INDENT.repeat(depth);
    const ids = new Map<string, string>();
    for (const name of Object.keys(machine.States)) ids.set(name, this.id(name));
    const target = (from: string, to: unknown, field: string): string => {
      const id = typeof to === 'string' ? ids.get(to) : undefined;
      if (!id) throw new Error(`State "${from}" ${field} goes to "${String(to)}", which is not a state in ${where}`);
      return id;
    };
    if (!ids.has(machine.StartAt)) throw new Error(`StartAt "${machine.StartAt}" is not a state in ${where}`);

    for (const [name, state] of Object.entries(machine.States)) {
      const id = ids.get(name) ?? this.id(name);
      const label = quoted(name);
      switch (state.Type) {
        case 'Task':
          this.tasks.push(state);
          this.nodes.push(`${pad}${id}[${label}]`);
          break;
        case 'Choice':
          this.nodes.push(`${pad}${id}{${label}}`);
          this.classify(id, 'choice');
          break;
        case 'Wait':
          this.nodes.push(`${pad}${id}([${label}])`);
          this.classify(id, 'wait');
          break;
        case 'Pass':
          this.nodes.push(`${pad}${id}[/${label}/]`);
          this.classify(id, 'pass');
          break;
        case 'Succeed':
          this.nodes.push(`${pad}${id}((${label}))`);
          this.classify(id, 'succeed');
          break;
        case 'Fail':
          this.nodes.push(`${pad}${id}((${label}))`);
          this.classify(id, 'fail');
          break;
        case 'Map':
        case 'Parallel':
          this.nodes.push(`${pad}${id}[[${label}]]`);
          this.classify(id, 'nested');
          this.nested(name, id, state, depth);
          break;
        default:
          throw new Error(`State "${name}" in ${where} has Type ${state.Type}, which the diagram does not know how to draw`);
      }

      if (state.Next !== undefined) this.edges.push({ from: id, to: target(name, state.Next, 'Next'), kind: 'next' });
      if (Array.isArray(state.Choices)) {
        state.Choices.forEach((rule: unknown, i) => {
          const next = isObj(rule) ? rule.Next : undefined;
          this.edges.push({ from: id, to: target(name, next, `Choices[${i}]`), kind: 'choice', label: describeCondition(rule) });
        });
      }
      if (state.Default !== undefined) this.edges.push({ from: id, to: target(name, state.Default, 'Default'), kind: 'default', label: 'otherwise' });
      if (Array.isArray(state.Catch)) {
        state.Catch.forEach((catcher: unknown, i) => {
          const c = isObj(catcher) ? catcher : {};
          this.edges.push({ from: id, to: target(name, c.Next, `Catch[${i}]`), kind: 'catch', label: describeErrors(c.ErrorEquals) });
        });
      }
      if (state.End === true && depth === 1) this.edges.push({ from: id, to: END_ID, kind: 'next' });
    }
    return ids;
  }

  /** Map/Parallel: each inner scope in its own subgraph, entered from the state's node. */
  private nested(name: string, id: string, state: AslStateLike, depth: number): void {
    const pad = INDENT.repeat(depth);
    const scopes: { title: string; entry: string; machine: AslMachineLike; suffix: string }[] = [];
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      const mode = isObj(state.ItemProcessor) && isObj(state.ItemProcessor.ProcessorConfig) ? state.ItemProcessor.ProcessorConfig.Mode : undefined;
      const concurrency = typeof state.MaxConcurrency === 'number' && state.MaxConcurrency > 0 ? `, up to ${state.MaxConcurrency} at a time` : '';
      const distributed = mode === 'DISTRIBUTED' ? ' (distributed)' : '';
      scopes.push({ title: `${name}: each item${distributed}${concurrency}`, entry: 'each item', machine: asScope(processor, `Map state "${name}"`), suffix: '__items' });
    } else {
      const branches = Array.isArray(state.Branches) ? state.Branches : [];
      if (branches.length === 0) throw new Error(`Parallel state "${name}" has no Branches`);
      branches.forEach((branch: unknown, i) => {
        scopes.push({ title: `${name}: branch ${i + 1}`, entry: `branch ${i + 1}`, machine: asScope(branch, `Parallel state "${name}" branch ${i + 1}`), suffix: `__branch${i + 1}` });
      });
    }
    for (const { title, entry, machine, suffix } of scopes) {
      this.nodes.push(`${pad}subgraph ${this.id(name, suffix)} [${quoted(title)}]`);
      const inner = this.scope(machine, depth + 1, `${title}`);
      this.nodes.push(`${pad}end`);
      const start = inner.get(machine.StartAt);
      if (start) this.edges.push({ from: id, to: start, kind: 'nested', label: entry });
    }
  }

  /** Edges between the same two nodes of the same kind are drawn once, with their labels combined. */
  mergedEdges(): Edge[] {
    const merged = new Map<string, Edge & { labels: string[] }>();
    for (const edge of this.edges) {
      const solid = edge.kind === 'choice' || edge.kind === 'default' || edge.kind === 'next';
      const key = `${edge.from} ${edge.to} ${solid ? 'solid' : edge.kind}`;
      const existing = merged.get(key);
      if (existing) {
        existing.labels.push(edge.label ?? '');
        if (edge.kind === 'default') existing.kind = 'default';
      } else {
        merged.set(key, { ...edge, labels: [edge.label ?? ''] });
      }
    }
    return [...merged.values()].map(({ labels, ...edge }) => {
      const texts = labels.filter((l) => l !== '');
      let label: string | undefined;
      if (edge.kind === 'default') label = 'otherwise'; // a rule that goes where Default goes adds nothing
      else if (edge.kind === 'catch') label = texts.includes('any error') ? 'any error' : texts.join(', ');
      else label = texts.join(' or ') || undefined;
      return { ...edge, label };
    });
  }
}

/** What the Retry comment says: every Task (or n of m) retries these errors. */
function retrySummary(tasks: AslStateLike[]): string {
  const retrying = tasks.filter((t) => Array.isArray(t.Retry) && t.Retry.length > 0);
  if (retrying.length === 0) return 'no Task retries.';
  const sets = retrying.map((t) => new Set((t.Retry as unknown[]).flatMap((r) => (isObj(r) && Array.isArray(r.ErrorEquals) ? r.ErrorEquals.map(String) : []))));
  const [first = new Set<string>()] = sets;
  const common = [...first].filter((e) => sets.every((s) => s.has(e)));
  const who = retrying.length === tasks.length ? 'every Task retries' : `${retrying.length} of ${tasks.length} Tasks retry`;
  const parts: string[] = [];
  if (common.includes('States.ALL')) parts.push('any error');
  else {
    if (common.some((e) => e.startsWith('Lambda.'))) parts.push('Lambda service errors');
    const others = common.filter((e) => !e.startsWith('Lambda.'));
    if (others.length > 0) parts.push(`transient AWS errors (${others.join(', ')})`);
  }
  return parts.length > 0 ? `${who} ${parts.join(' and ')}.` : `${who}; the errors vary, see Retry in the ASL.`;
}

/** The state machine as a Mermaid `flowchart TD` (no code fence). */
export function aslToMermaid(definition: AslMachineLike): string {
  const machine = asScope(definition, 'the state machine');
  const drawing = new Drawing();
  const top = drawing.scope(machine, 1, 'the state machine');
  const startId = top.get(machine.StartAt);
  if (!startId) throw new Error(`StartAt "${machine.StartAt}" is not a state`);

  const edges = drawing.mergedEdges();
  const hasEnd = edges.some((e) => e.to === END_ID);
  const lines = [
    'flowchart TD',
    `${INDENT}%% Generated from the packaged state machine by scripts/diagram.ts (npm run diagram); do not edit by hand.`,
    `${INDENT}%% Retry is not drawn (too noisy): ${retrySummary(drawing.tasks)}`,
    `${INDENT}%% Solid arrows: Next, Choice rules and Default. Dashed arrows: Catch, labelled with the errors caught.`,
    `${INDENT}${START_ID}(("start"))`,
    ...(hasEnd ? [`${INDENT}${END_ID}(("end"))`] : []),
    ...drawing.nodes,
    `${INDENT}${START_ID} --> ${startId}`,
    ...edges.map((e) => {
      const arrow = e.kind === 'catch' ? '-.->' : '-->';
      const label = e.label ? `|${quoted(shorten(e.label))}|` : '';
      return `${INDENT}${e.from} ${arrow}${label} ${e.to}`;
    }),
  ];
  drawing.classify(START_ID, 'terminal');
  if (hasEnd) drawing.classify(END_ID, 'terminal');
  for (const [cls, style] of Object.entries(CLASS_DEFS) as [StateClass, string][]) {
    const ids = drawing.classes.get(cls);
    if (!ids?.length) continue;
    lines.push(`${INDENT}classDef ${cls} ${style}`);
    lines.push(`${INDENT}class ${ids.join(',')} ${cls}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// The document the diagrams live in
// ---------------------------------------------------------------------------------------------------

function markerLines(lines: string[], name: DiagramName): { start: number; end: number } {
  const markers = diagramMarkers(name);
  const find = (marker: string): number => {
    const at = lines.flatMap((line, i) => (line.trim() === marker ? [i] : []));
    if (at.length === 0) {
      throw new Error(`no "${marker}" line: put ${markers.start} and ${markers.end}, each on its own line, where the diagram goes`);
    }
    if (at.length > 1) throw new Error(`${at.length} "${marker}" lines (lines ${at.map((i) => i + 1).join(', ')}); keep exactly one`);
    return at[0] ?? -1;
  };
  const start = find(markers.start);
  const end = find(markers.end);
  if (end < start) throw new Error(`${markers.end} (line ${end + 1}) comes before ${markers.start} (line ${start + 1})`);
  return { start, end };
}

/** The document with everything between the diagram's markers replaced by a ```mermaid block. */
export function documentWithDiagram(document: string, name: DiagramName, mermaid: string): string {
  const eol = document.includes('\r\n') ? '\r\n' : '\n';
  const lines = document.split(/\r?\n/);
  const { start, end } = markerLines(lines, name);
  const block = ['```mermaid', ...mermaid.replace(/\s+$/, '').split(/\r?\n/), '```'];
  return [...lines.slice(0, start + 1), ...block, ...lines.slice(end)].join(eol);
}

/** The diagram currently in the document: the inside of its ```mermaid block, or whatever is between the markers. */
export function diagramInDocument(document: string, name: DiagramName): string {
  const lines = document.split(/\r?\n/);
  const { start, end } = markerLines(lines, name);
  const inside = lines.slice(start + 1, end);
  if (inside[0]?.trim() === '```mermaid' && inside[inside.length - 1]?.trim() === '```') return inside.slice(1, -1).join('\n');
  return inside.join('\n');
}

/** Every diagram, generated from the packaged template. */
export function generatedDiagrams(templatePath = PACKAGED_TEMPLATE): Record<DiagramName, string> {
  const machines = loadPackagedStateMachines(templatePath);
  return { release: aslToMermaid(DIAGRAMS.release(machines).definition), 'batch-scoring': aslToMermaid(DIAGRAMS['batch-scoring'](machines).definition) };
}

// ---------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------

export interface DiagramCliOptions {
  documentPath?: string;
  templatePath?: string;
  log?: (message: string) => void;
  error?: (message: string) => void;
}

/** Runs the CLI; returns the exit code (0 ok, 1 document out of date or unusable, 2 template not packaged). */
export function runDiagramCli(args: string[], options: DiagramCliOptions = {}): number {
  const { documentPath = DIAGRAMS_PATH, templatePath = PACKAGED_TEMPLATE, log = console.log, error = console.error } = options;
  const check = args.includes('--check');
  let diagrams: Record<DiagramName, string>;
  try {
    diagrams = generatedDiagrams(templatePath);
  } catch (e: unknown) {
    if (e instanceof TemplateNotPackaged) {
      error(e.message);
      return 2;
    }
    throw e;
  }
  if (!existsSync(documentPath)) {
    const { start, end } = diagramMarkers('release');
    error(`${documentPath} not found: create it with ${start} and ${end} lines (and the same for batch-scoring) where the diagrams go, then run \`npm run diagram\``);
    return 1;
  }
  const current = readFileSync(documentPath, 'utf8');
  let updated = current;
  try {
    for (const [name, mermaid] of Object.entries(diagrams) as [DiagramName, string][]) updated = documentWithDiagram(updated, name, mermaid);
  } catch (e: unknown) {
    error(`${documentPath}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (updated === current) {
    log(`${documentPath}: the state machine diagrams are up to date`);
    return 0;
  }
  if (check) {
    error(`${documentPath}: a state machine diagram differs from the packaged state machines. Run \`npm run diagram\` (after \`npm run package\`) and commit ${documentPath.replace(`${PROJECT_ROOT}/`, '')}.`);
    return 1;
  }
  writeFileSync(documentPath, updated);
  log(`${documentPath}: state machine diagrams updated`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = runDiagramCli(process.argv.slice(2));
  } catch (e: unknown) {
    console.error(e);
    process.exitCode = 1;
  }
}
