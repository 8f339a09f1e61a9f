/**
 * Draws the state machine as a Mermaid flowchart and keeps the README's copy of it current, so the
 * diagram cannot drift from what is deployed.
 *
 * The definition is read from the PACKAGED template (`npm run package` writes it), i.e. the ASL exactly
 * as it would be deployed, not the YAML source.
 *
 *   npm run diagram            rewrite the diagram between the README markers
 *   npm run diagram -- --check exit 1 if the README's diagram differs from the generated one
 *
 * What is drawn: one node per state (nested Map/Parallel states inside a subgraph), Next and Default
 * edges, every Choice rule with a short condition, and Catch routes as dashed edges labelled with the
 * errors they catch. Retry is left out (every Task has it; drawing it buries the flow) and summarised
 * in a comment at the top of the block instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackagedStateMachine, PACKAGED_TEMPLATE, PROJECT_ROOT, TemplateNotPackaged } from '../local/packaged-template';

export const DIAGRAM_START = '<!-- diagram:start -->';
export const DIAGRAM_END = '<!-- diagram:end -->';
export const README_PATH = join(PROJECT_ROOT, 'README.md');

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
// README
// ---------------------------------------------------------------------------------------------------

function markerLines(lines: string[]): { start: number; end: number } {
  const find = (marker: string): number => {
    const at = lines.flatMap((line, i) => (line.trim() === marker ? [i] : []));
    if (at.length === 0) {
      throw new Error(`README has no "${marker}" line: put ${DIAGRAM_START} and ${DIAGRAM_END}, each on its own line, where the diagram goes`);
    }
    if (at.length > 1) throw new Error(`README has ${at.length} "${marker}" lines (lines ${at.map((i) => i + 1).join(', ')}); keep exactly one`);
    return at[0] ?? -1;
  };
  const start = find(DIAGRAM_START);
  const end = find(DIAGRAM_END);
  if (end < start) throw new Error(`README's ${DIAGRAM_END} (line ${end + 1}) comes before ${DIAGRAM_START} (line ${start + 1})`);
  return { start, end };
}

/** The README with everything between the diagram markers replaced by a ```mermaid block. */
export function readmeWithDiagram(readme: string, mermaid: string): string {
  const eol = readme.includes('\r\n') ? '\r\n' : '\n';
  const lines = readme.split(/\r?\n/);
  const { start, end } = markerLines(lines);
  const block = ['```mermaid', ...mermaid.replace(/\s+$/, '').split(/\r?\n/), '```'];
  return [...lines.slice(0, start + 1), ...block, ...lines.slice(end)].join(eol);
}

/** The diagram currently in the README: the inside of its ```mermaid block, or whatever is between the markers. */
export function diagramInReadme(readme: string): string {
  const lines = readme.split(/\r?\n/);
  const { start, end } = markerLines(lines);
  const inside = lines.slice(start + 1, end);
  if (inside[0]?.trim() === '```mermaid' && inside[inside.length - 1]?.trim() === '```') return inside.slice(1, -1).join('\n');
  return inside.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------

export interface DiagramCliOptions {
  readmePath?: string;
  templatePath?: string;
  log?: (message: string) => void;
  error?: (message: string) => void;
}

/** Runs the CLI; returns the exit code (0 ok, 1 README out of date or unusable, 2 template not packaged). */
export function runDiagramCli(args: string[], options: DiagramCliOptions = {}): number {
  const { readmePath = README_PATH, templatePath = PACKAGED_TEMPLATE, log = console.log, error = console.error } = options;
  const check = args.includes('--check');
  let mermaid: string;
  try {
    mermaid = aslToMermaid(loadPackagedStateMachine(templatePath).definition);
  } catch (e: unknown) {
    if (e instanceof TemplateNotPackaged) {
      error(e.message);
      return 2;
    }
    throw e;
  }
  if (!existsSync(readmePath)) {
    error(`${readmePath} not found: create it with ${DIAGRAM_START} and ${DIAGRAM_END} lines where the diagram goes, then run \`npm run diagram\``);
    return 1;
  }
  const readme = readFileSync(readmePath, 'utf8');
  let updated: string;
  try {
    updated = readmeWithDiagram(readme, mermaid);
  } catch (e: unknown) {
    error(`${readmePath}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (updated === readme) {
    log(`${readmePath}: the state machine diagram is up to date`);
    return 0;
  }
  if (check) {
    error(`${readmePath}: the state machine diagram differs from the packaged state machine. Run \`npm run diagram\` (after \`npm run package\`) and commit README.md.`);
    return 1;
  }
  writeFileSync(readmePath, updated);
  log(`${readmePath}: state machine diagram updated`);
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
