/**
 * The state machine diagrams in docs/state-machines.md (scripts/diagram.ts): ASL -> Mermaid on a small
 * hand-written definition, the marker handling, the CLI, and the drift check against the packaged template.
 *
 * Mermaid itself is not installed; `mermaidProblems` checks the structure the generator relies on
 * instead (known line forms only, quoted labels, safe and unique ids, balanced subgraphs, every edge
 * and class between declared nodes).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPackagedStateMachines, PACKAGED_TEMPLATE } from '../../local/packaged-template';
import {
  aslToMermaid,
  describeCondition,
  diagramInDocument,
  diagramMarkers,
  DIAGRAMS_PATH,
  documentWithDiagram,
  generatedDiagrams,
  runDiagramCli,
  type AslMachineLike,
} from '../../scripts/diagram';

const { start: DIAGRAM_START, end: DIAGRAM_END } = diagramMarkers('release');
const releaseDocumentWithDiagram = (text: string, mermaid: string) => documentWithDiagram(text, 'release', mermaid);
const releaseDiagramIn = (text: string) => diagramInDocument(text, 'release');

// ---------------------------------------------------------------------------------------------------
// A structural checker for the Mermaid subset the generator writes
// ---------------------------------------------------------------------------------------------------

const ID = '[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"\\n]*"';
const SHAPES: [string, RegExp][] = [
  ['subroutine', new RegExp(`^(${ID})\\[\\[(${LABEL})\\]\\]$`)],
  ['stadium', new RegExp(`^(${ID})\\(\\[(${LABEL})\\]\\)$`)],
  ['circle', new RegExp(`^(${ID})\\(\\((${LABEL})\\)\\)$`)],
  ['parallelogram', new RegExp(`^(${ID})\\[/(${LABEL})/\\]$`)],
  ['rectangle', new RegExp(`^(${ID})\\[(${LABEL})\\]$`)],
  ['diamond', new RegExp(`^(${ID})\\{(${LABEL})\\}$`)],
];
const EDGE = new RegExp(`^(${ID}) (-->|-\\.->)(?:\\|(${LABEL})\\|)? (${ID})$`);
const SUBGRAPH = new RegExp(`^subgraph (${ID}) \\[(${LABEL})\\]$`);
const CLASS_DEF = /^classDef ([A-Za-z]\w*) [\w-]+:[^\s;]+(,[\w-]+:[^\s;]+)*$/;
const CLASS = new RegExp(`^class (${ID}(?:,${ID})*) ([A-Za-z]\\w*)$`);
const RESERVED = new Set(['end', 'subgraph', 'graph', 'flowchart', 'style', 'class', 'classdef', 'click', 'call', 'href', 'linkstyle', 'interpolate', 'default', 'direction']);

interface Parsed {
  nodes: Map<string, { shape: string; label: string }>;
  edges: { from: string; arrow: string; label?: string; to: string }[];
  classes: Map<string, string>;
  subgraphs: string[];
  problems: string[];
}

/** Parses the generator's Mermaid; `problems` lists anything Mermaid might not read as intended. */
function parseMermaid(text: string): Parsed {
  const parsed: Parsed = { nodes: new Map(), edges: [], classes: new Map(), subgraphs: [], problems: [] };
  const lines = text.split('\n');
  if (lines[0] !== 'flowchart TD') parsed.problems.push(`first line is "${lines[0]}", not "flowchart TD"`);
  const open: string[] = [];
  const classDefs = new Set<string>();
  const ids = new Set<string>();
  const declare = (id: string, line: number): void => {
    if (ids.has(id)) parsed.problems.push(`line ${line}: id ${id} declared twice`);
    if (RESERVED.has(id.toLowerCase())) parsed.problems.push(`line ${line}: id ${id} is a Mermaid keyword`);
    ids.add(id);
  };
  const known = (id: string, line: number, what: string): void => {
    if (!parsed.nodes.has(id)) parsed.problems.push(`line ${line}: ${what} ${id} is not a declared node`);
  };
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    const text = raw.trim();
    if (text === '') return;
    if (text.startsWith('%%')) {
      if (text.startsWith('%%{')) parsed.problems.push(`line ${line}: a comment that Mermaid reads as a directive`);
      return;
    }
    const sub = SUBGRAPH.exec(text);
    if (sub?.[1]) {
      declare(sub[1], line);
      open.push(sub[1]);
      parsed.subgraphs.push(sub[1]);
      return;
    }
    if (text === 'end') {
      if (open.pop() === undefined) parsed.problems.push(`line ${line}: end without subgraph`);
      return;
    }
    const edge = EDGE.exec(text);
    if (edge?.[1] && edge[2] && edge[4]) {
      known(edge[1], line, 'edge source');
      known(edge[4], line, 'edge target');
      parsed.edges.push({ from: edge[1], arrow: edge[2], to: edge[4], ...(edge[3] ? { label: edge[3].slice(1, -1) } : {}) });
      return;
    }
    const classDef = CLASS_DEF.exec(text);
    if (classDef?.[1]) {
      classDefs.add(classDef[1]);
      return;
    }
    const cls = CLASS.exec(text);
    if (cls?.[1] && cls[2]) {
      if (!classDefs.has(cls[2])) parsed.problems.push(`line ${line}: class ${cls[2]} used before its classDef`);
      for (const id of cls[1].split(',')) {
        known(id, line, 'classed id');
        if (parsed.classes.has(id)) parsed.problems.push(`line ${line}: ${id} is given two classes`);
        parsed.classes.set(id, cls[2]);
      }
      return;
    }
    for (const [shape, pattern] of SHAPES) {
      const node = pattern.exec(text);
      if (node?.[1] && node[2]) {
        if (parsed.edges.length > 0) parsed.problems.push(`line ${line}: node ${node[1]} declared after the edges`);
        declare(node[1], line);
        parsed.nodes.set(node[1], { shape, label: node[2].slice(1, -1) });
        return;
      }
    }
    parsed.problems.push(`line ${line}: unrecognised line: ${text}`);
  });
  if (open.length > 0) parsed.problems.push(`subgraphs never closed: ${open.join(', ')}`);
  return parsed;
}

/** Mermaid entity codes back to characters, to compare labels with state names. */
const decode = (label: string): string =>
  label.replace(/#quot;/g, '"').replace(/#lt;/g, '<').replace(/#gt;/g, '>').replace(/#124;/g, '|').replace(/#96;/g, '`').replace(/#35;/g, '#');

/** The fixed start/end markers the generator adds; not states. */
const MARKERS = new Set(['machineStart', 'machineEnd']);

/** The node drawn for a state (the start/end markers are not states, even a state named "end"). */
const nodeNamed = (parsed: Parsed, name: string): [string, { shape: string; label: string }] | undefined =>
  [...parsed.nodes.entries()].find(([id, n]) => !MARKERS.has(id) && decode(n.label) === name);

/** Edges between two states, by name; `@start`/`@end` are the markers. */
function edgeBetween(parsed: Parsed, from: string, to: string): Parsed['edges'] {
  const idOf = (name: string): string | undefined => (name === '@start' ? 'machineStart' : name === '@end' ? 'machineEnd' : nodeNamed(parsed, name)?.[0]);
  const fromId = idOf(from);
  const toId = idOf(to);
  return parsed.edges.filter((e) => e.from === fromId && e.to === toId);
}

/** Every state name in a definition, nested ones included. */
function stateNames(machine: AslMachineLike): string[] {
  return Object.entries(machine.States).flatMap(([name, state]) => {
    const processor = (state.ItemProcessor ?? state.Iterator) as AslMachineLike | undefined;
    const branches = (state.Branches ?? []) as AslMachineLike[];
    return [name, ...(processor ? stateNames(processor) : []), ...branches.flatMap(stateNames)];
  });
}

// ---------------------------------------------------------------------------------------------------
// A small hand-written definition with one of everything
// ---------------------------------------------------------------------------------------------------

const retry = [{ ErrorEquals: ['Lambda.ServiceException', 'AwsThrottled'], MaxAttempts: 3 }];
const sample = (): AslMachineLike => ({
  StartAt: 'Load',
  States: {
    Load: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:load',
      Retry: retry,
      Catch: [
        { ErrorEquals: ['EndpointStateConflict', 'Busy'], Next: 'Gave up' },
        { ErrorEquals: ['States.ALL'], Next: 'Undo' },
      ],
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.smoke.passed', BooleanEquals: false, Next: 'Undo' },
        { Variable: '$.claim.status', StringEquals: 'queued', Next: 'Pause' },
        { Or: [{ Variable: '$.check', StringEquals: 'InService' }, { Variable: '$.check', StringEquals: 'Deleted' }], Next: 'Fan out' },
        { And: [{ Variable: '$.count', NumericGreaterThan: 3 }, { Variable: '$.count', NumericLessThanEquals: 10 }], Next: 'Each' },
        { Not: { Variable: '$.mode', StringEquals: 'nightly' }, Next: 'end' },
      ],
      Default: 'Gave up',
    },
    Pause: { Type: 'Wait', Seconds: 10, Next: 'Load' },
    'Fan out': {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Task', Resource: 'arn:right', Retry: retry, End: true } } },
      ],
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      MaxConcurrency: 4,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Score',
        States: {
          Score: { Type: 'Task', Resource: 'arn:score', Retry: retry, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Skip' }], Next: 'Scored' },
          Skip: { Type: 'Pass', End: true },
          Scored: { Type: 'Succeed' },
        },
      },
      Next: 'end',
    },
    end: { Type: 'Pass', Result: 'a state named like a Mermaid keyword', End: true },
    Undo: { Type: 'Task', Resource: 'arn:undo', Retry: retry, Next: 'Done' },
    Done: { Type: 'Succeed' },
    'Gave up': { Type: 'Fail', Error: 'GaveUp' },
  },
});

describe('the structural checker used below', () => {
  it('flags what would break or silently change a Mermaid flowchart', () => {
    // Prepare
    const broken = [
      'flowchart TD',
      '    a["A"]',
      '    a{"again"}',
      '    subgraph g ["G"]',
      '        end["keyword"]',
      '    a --> ghost',
      '    a -->|"x" y"| a',
      '    class a missing',
    ].join('\n');

    // Act
    const { problems } = parseMermaid(broken);

    // Assess
    expect(problems).toEqual([
      'line 3: id a declared twice',
      'line 5: id end is a Mermaid keyword',
      'line 6: edge target ghost is not a declared node',
      'line 7: unrecognised line: a -->|"x" y"| a',
      'line 8: class missing used before its classDef',
      'subgraphs never closed: g',
    ]);
  });
});

describe('aslToMermaid', () => {
  it('writes structurally valid Mermaid: known lines only, unique safe ids, balanced subgraphs, edges between declared nodes', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(parsed.problems).toEqual([]);
    expect(parsed.subgraphs).toHaveLength(3); // two Parallel branches and the Map's item processor
  });

  it('draws one node per state, nested ones included, shaped by type', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    const shapes = Object.fromEntries(stateNames(definition).map((name) => [name, nodeNamed(parsed, name)?.[1].shape]));
    expect(shapes).toEqual({
      Load: 'rectangle',
      Route: 'diamond',
      Pause: 'stadium',
      'Fan out': 'subroutine',
      Left: 'parallelogram',
      Right: 'rectangle',
      Each: 'subroutine',
      Score: 'rectangle',
      Skip: 'parallelogram',
      Scored: 'circle',
      end: 'parallelogram',
      Undo: 'rectangle',
      Done: 'circle',
      'Gave up': 'circle',
    });
    const stateNodes = [...parsed.nodes.keys()].filter((id) => !MARKERS.has(id));
    expect(stateNodes).toHaveLength(stateNames(definition).length);
  });

  it('styles Succeed and Fail differently', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    const classOf = (name: string): string | undefined => parsed.classes.get(nodeNamed(parsed, name)?.[0] ?? '');
    expect(classOf('Done')).toBe('succeed');
    expect(classOf('Scored')).toBe('succeed');
    expect(classOf('Gave up')).toBe('fail');
  });

  it('labels each Choice rule with a short condition and Default with "otherwise"', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    const label = (to: string): (string | undefined)[] => edgeBetween(parsed, 'Route', to).map((e) => e.label && decode(e.label));
    expect(label('Undo')).toEqual(['smoke.passed = false']);
    expect(label('Pause')).toEqual(['claim.status = queued']);
    expect(label('Fan out')).toEqual(['check = InService or Deleted']);
    expect(label('Each')).toEqual(['count > 3 and count ≤ 10']);
    expect(label('end')).toEqual(['mode ≠ nightly']);
    expect(label('Gave up')).toEqual(['otherwise']);
    expect(edgeBetween(parsed, 'Route', 'Undo')[0]?.arrow).toBe('-->');
  });

  it('draws Catch routes as dashed arrows labelled with the errors, States.ALL as "any error"', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(edgeBetween(parsed, 'Load', 'Gave up')).toEqual([expect.objectContaining({ arrow: '-.->', label: 'EndpointStateConflict, Busy' })]);
    expect(edgeBetween(parsed, 'Load', 'Undo')).toEqual([expect.objectContaining({ arrow: '-.->', label: 'any error' })]);
    expect(edgeBetween(parsed, 'Score', 'Skip')).toEqual([expect.objectContaining({ arrow: '-.->', label: 'any error' })]);
    expect(edgeBetween(parsed, 'Load', 'Route')).toEqual([expect.objectContaining({ arrow: '-->' })]);
    expect(edgeBetween(parsed, 'Load', 'Route')[0]?.label).toBeUndefined();
  });

  it('enters Map and Parallel subgraphs from the state node and leaves by its Next', () => {
    // Prepare
    const definition = sample();

    // Act
    const mermaid = aslToMermaid(definition);
    const parsed = parseMermaid(mermaid);

    // Assess
    expect(edgeBetween(parsed, 'Fan out', 'Left').map((e) => e.label)).toEqual(['branch 1']);
    expect(edgeBetween(parsed, 'Fan out', 'Right').map((e) => e.label)).toEqual(['branch 2']);
    expect(edgeBetween(parsed, 'Each', 'Score').map((e) => e.label)).toEqual(['each item']);
    expect(edgeBetween(parsed, 'Fan out', 'Each')).toEqual([expect.objectContaining({ arrow: '-->' })]);
    expect(edgeBetween(parsed, 'Each', 'end')).toEqual([expect.objectContaining({ arrow: '-->' })]);
    expect(edgeBetween(parsed, 'end', '@end')).toHaveLength(1);
    expect(edgeBetween(parsed, 'Left', '@end')).toEqual([]); // End inside a branch ends the branch, not the machine
    expect(mermaid).toMatch(/subgraph \w+ \["Each: each item, up to 4 at a time"\]\n\s+s_Score\[/);
  });

  it('does not draw Retry, and says in a comment at the top that every Task retries', () => {
    // Prepare
    const definition = sample();

    // Act
    const mermaid = aslToMermaid(definition);

    // Assess
    const header = mermaid.split('\n').slice(1, 4).filter((l) => l.trim().startsWith('%%'));
    expect(header.join('\n')).toContain('Retry is not drawn (too noisy): every Task retries Lambda service errors and transient AWS errors (AwsThrottled).');
    const labels = parseMermaid(mermaid).edges.map((e) => e.label ?? '');
    expect(labels.filter((l) => /retry|Lambda\.|AwsThrottled/i.test(l))).toEqual([]);
  });

  it('gives every node a safe id, even for names with spaces or that are Mermaid keywords', () => {
    // Prepare
    const definition = sample();

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(nodeNamed(parsed, 'Gave up')?.[0]).toMatch(/^[A-Za-z]\w*$/);
    expect(nodeNamed(parsed, 'end')?.[0]).not.toBe('end');
    expect(parsed.problems).toEqual([]);
  });

  it('escapes quotes and markup in labels', () => {
    // Prepare
    const definition: AslMachineLike = {
      StartAt: 'Say "hi" <b>#1</b> | `x`',
      States: {
        'Say "hi" <b>#1</b> | `x`': { Type: 'Choice', Choices: [{ Variable: '$.a', StringEquals: 'say "no"', Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(parsed.problems).toEqual([]);
    expect(nodeNamed(parsed, 'Say "hi" <b>#1</b> | `x`')?.[1].shape).toBe('diamond');
  });

  it('refuses a transition to a state that does not exist instead of drawing an edge to nowhere', () => {
    // Prepare
    const definition = sample();
    const broken: AslMachineLike = { ...definition, States: { ...definition.States, Pause: { Type: 'Wait', Seconds: 1, Next: 'Nowhere' } } };
    const brokenCatch: AslMachineLike = { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:a', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Ghost' }], End: true } } };
    const outOfScope: AslMachineLike = {
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'In', States: { In: { Type: 'Pass', Next: 'Out' } } }, Next: 'Out' }, Out: { Type: 'Succeed' } },
    };

    // Act
    const draw = (d: AslMachineLike) => () => aslToMermaid(d);

    // Assess
    expect(draw(broken)).toThrow('State "Pause" Next goes to "Nowhere", which is not a state in the state machine');
    expect(draw(brokenCatch)).toThrow(/"A" Catch\[0\] goes to "Ghost"/);
    expect(draw(outOfScope)).toThrow(/"In" Next goes to "Out"/);
  });

  it('marks where the machine starts and where a state ends it', () => {
    // Prepare
    const definition: AslMachineLike = { StartAt: 'Only', States: { Only: { Type: 'Task', Resource: 'arn:only', End: true } } };

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(parsed.problems).toEqual([]);
    expect(edgeBetween(parsed, '@start', 'Only')).toHaveLength(1);
    expect(edgeBetween(parsed, 'Only', '@end')).toHaveLength(1);
  });
});

describe('describeCondition', () => {
  it.each([
    [{ Variable: '$.smoke.passed', BooleanEquals: false }, 'smoke.passed = false'],
    [{ Variable: '$.claim.status', StringEquals: 'duplicate' }, 'claim.status = duplicate'],
    [{ Variable: '$.n', NumericEquals: 0 }, 'n = 0'],
    [{ Variable: '$.n', NumericGreaterThanEquals: 2.5 }, 'n ≥ 2.5'],
    [{ Variable: '$.at', TimestampLessThan: '2026-01-01T00:00:00Z' }, 'at < 2026-01-01T00:00:00Z'],
    [{ Variable: '$.a', StringEqualsPath: '$.b' }, 'a = $.b'],
    [{ Variable: '$.name', StringMatches: 'prod-*' }, 'name matches prod-*'],
    [{ Variable: '$.x', IsPresent: false }, 'x absent'],
    [{ Variable: '$.x', IsNull: true }, 'x is null'],
    [{ Variable: '$.x', IsNumeric: false }, 'x is not number'],
    [{ Variable: '$.s', StringEquals: 'two words' }, "s = 'two words'"],
    [{ Not: { Variable: '$.x', IsPresent: true } }, 'not (x present)'],
    [{ Or: [{ Variable: '$.a', BooleanEquals: true }, { And: [{ Variable: '$.b', NumericLessThan: 1 }, { Variable: '$.c', IsNull: false }] }] }, 'a = true or (b < 1 and c is not null)'],
    [{ Condition: '{% $states.input.count > 3 %}' }, 'count > 3'],
  ])('%j -> %s', (rule, expected) => {
    // Act
    const text = describeCondition(rule);

    // Assess
    expect(text).toBe(expected);
  });
});

describe('documentWithDiagram', () => {
  const readme = ['# Title', '', 'Intro.', '', DIAGRAM_START, 'stale text', '```mermaid', 'flowchart TD', '```', DIAGRAM_END, '', 'After.', ''].join('\n');

  it('replaces everything between the markers with a mermaid block and leaves the rest alone', () => {
    // Prepare
    const mermaid = 'flowchart TD\n    a --> b\n';

    // Act
    const updated = releaseDocumentWithDiagram(readme, mermaid);

    // Assess
    expect(updated).toBe(['# Title', '', 'Intro.', '', DIAGRAM_START, '```mermaid', 'flowchart TD', '    a --> b', '```', DIAGRAM_END, '', 'After.', ''].join('\n'));
    expect(releaseDiagramIn(updated)).toBe('flowchart TD\n    a --> b');
  });

  it('is idempotent, so an up-to-date document is left byte for byte', () => {
    // Prepare
    const once = releaseDocumentWithDiagram(readme, 'flowchart TD\n    a --> b');

    // Act
    const twice = releaseDocumentWithDiagram(once, 'flowchart TD\n    a --> b');

    // Assess
    expect(twice).toBe(once);
  });

  it('keeps Windows line endings', () => {
    // Prepare
    const crlf = `x\r\n${DIAGRAM_START}\r\n${DIAGRAM_END}\r\ny\r\n`;

    // Act
    const updated = releaseDocumentWithDiagram(crlf, 'flowchart TD');

    // Assess
    expect(updated).toBe(`x\r\n${DIAGRAM_START}\r\n\`\`\`mermaid\r\nflowchart TD\r\n\`\`\`\r\n${DIAGRAM_END}\r\ny\r\n`);
  });

  it.each([
    ['no markers', '# Title\n', /no "<!-- diagram:release:start -->" line/],
    ['no end marker', `${DIAGRAM_START}\n`, /no "<!-- diagram:release:end -->" line/],
    ['two start markers', `${DIAGRAM_START}\n${DIAGRAM_START}\n${DIAGRAM_END}\n`, /2 "<!-- diagram:release:start -->" lines \(lines 1, 2\)/],
    ['end before start', `${DIAGRAM_END}\n${DIAGRAM_START}\n`, /diagram:release:end --> \(line 1\) comes before/],
  ])('throws a clear error when the document has %s', (_case, text, message) => {
    // Act
    const update = () => releaseDocumentWithDiagram(text, 'flowchart TD');

    // Assess
    expect(update).toThrow(message);
  });
});

describe('npm run diagram (CLI)', () => {
  let dir: string;
  const quiet = { log: () => undefined, error: () => undefined };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diagram-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites the document in place; --check then passes, and fails with a hint once a diagram drifts', () => {
    // Prepare
    const documentPath = join(dir, 'state-machines.md');
    const batch = diagramMarkers('batch-scoring');
    writeFileSync(documentPath, `# R\n${DIAGRAM_START}\n${DIAGRAM_END}\n\n## Batch\n${batch.start}\n${batch.end}\n`);
    const errors: string[] = [];

    // Act
    const staleCheck = runDiagramCli(['--check'], { documentPath, ...quiet, error: (m) => errors.push(m) });
    const write = runDiagramCli([], { documentPath, ...quiet });
    const freshCheck = runDiagramCli(['--check'], { documentPath, ...quiet });
    writeFileSync(documentPath, readFileSync(documentPath, 'utf8').replace('machineStart -->', 'machineStart -.->'));
    const driftedCheck = runDiagramCli(['--check'], { documentPath, ...quiet });

    // Assess
    expect([staleCheck, write, freshCheck, driftedCheck]).toEqual([1, 0, 0, 1]);
    expect(errors.join('\n')).toContain('npm run diagram');
    const written = readFileSync(documentPath, 'utf8');
    expect(releaseDiagramIn(written).startsWith('flowchart TD')).toBe(true);
    expect(diagramInDocument(written, 'batch-scoring')).toContain('ScoreBatches');
  });

  it('says to run npm run package when there is no packaged template', () => {
    // Prepare
    const errors: string[] = [];

    // Act
    const code = runDiagramCli(['--check'], { documentPath: join(dir, 'state-machines.md'), templatePath: join(dir, 'missing.json'), ...quiet, error: (m) => errors.push(m) });

    // Assess
    expect(code).toBe(2);
    expect(errors.join('\n')).toContain('npm run package');
  });
});

describe('the packaged state machine diagrams (npm run package)', () => {
  it.each(['release', 'batchScoring'] as const)('the %s diagram is valid and draws every state of the deployed definition once', (id) => {
    // Prepare
    const { definition } = loadPackagedStateMachines(PACKAGED_TEMPLATE)[id];

    // Act
    const parsed = parseMermaid(aslToMermaid(definition));

    // Assess
    expect(parsed.problems).toEqual([]);
    const missing = stateNames(definition).filter((name) => nodeNamed(parsed, name) === undefined);
    expect(missing).toEqual([]);
  });

  it('draws the release routes that matter: a conflict at the start records a failure, a failed smoke test rolls back', () => {
    const parsed = parseMermaid(aslToMermaid(loadPackagedStateMachines(PACKAGED_TEMPLATE).release.definition));
    expect(edgeBetween(parsed, 'StartDeployment', 'RecordFailure')).toEqual([expect.objectContaining({ arrow: '-.->', label: 'EndpointStateConflict' })]);
    expect(edgeBetween(parsed, 'DidSmokeTestPass', 'RollBack').map((e) => e.label)).toEqual(['smoke.passed = false']);
  });

  it("docs/state-machines.md's diagrams are the ones generated from the packaged template (run `npm run diagram` if this fails)", () => {
    // Prepare
    expect(existsSync(DIAGRAMS_PATH)).toBe(true);
    const document = readFileSync(DIAGRAMS_PATH, 'utf8');

    // Act
    const expected = generatedDiagrams(PACKAGED_TEMPLATE);

    // Assess
    expect(diagramInDocument(document, 'release')).toBe(expected.release);
    expect(diagramInDocument(document, 'batch-scoring')).toBe(expected['batch-scoring']);
  });
});
