import { writeFileSync } from 'node:fs';
import { collapseTimeline, escapeHtml, formatOffset, renderReport, scenarioStartMs } from '../../local/report';
import { metricRows, physicalSeconds, type SimulationResult, type TimelineEntry } from '../../local/runner';
import type { MetricPoint, MetricSeries } from '../../local/sim/metrics';

/** Virtual epoch ms at the scenario start. */
const START = Date.UTC(2025, 0, 15, 9, 0, 0);
const CANDIDATE_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/2';
const MINUTE = 60_000;
const SVG_XMLNS = 'xmlns="http://www.w3.org/2000/svg"';
const XSS_DESCRIPTION = 'Candidate fails 8% of requests <script>alert(1)</script> & rolls back';

/** Deterministic noise, so the fixture (and the preview) never changes. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

function points(fromMinute: number, toMinute: number, perMinute: number, errorRate: number, p99Ms: number, seed: number): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (let m = fromMinute; m < toMinute; m++) {
    const invocations = Math.round(perMinute * (0.9 + 0.2 * noise(seed + m)));
    const rate = Math.max(0, errorRate * (0.6 + 0.8 * noise(seed * 7 + m)));
    const errors = Math.round(invocations * rate);
    out.push({
      timestamp: START + m * MINUTE,
      invocations,
      errors5xx: errors,
      errors4xx: 0,
      errorRate: invocations > 0 ? errors / invocations : 0,
      latencyP50Us: Math.round(p99Ms * 330),
      latencyP99Us: Math.round(p99Ms * 1000 * (0.85 + 0.3 * noise(seed * 13 + m))),
    });
  }
  return out;
}

function state(at: number, title: string, detail: string, execution = 1): TimelineEntry {
  return { at, kind: 'state', execution, title, detail };
}

/** A canary that trips its error-rate alarm and rolls back, as `runScenario` would report it. */
function rollbackResult(): SimulationResult {
  const endpoint = 'churn-model';
  const alarm = 'churn-model-canary-5xx';
  const checks = Array.from({ length: 7 }, (_, i) => state(1160 + i * 60, 'CheckCanary', i < 6 ? `healthy: baking, ${14 - i} minute(s) left` : `unhealthy: alarm ${alarm} is ALARM`));
  const timeline: TimelineEntry[] = [
    { at: 480, kind: 'note', execution: 0, title: 'seeded', detail: `endpoint ${endpoint} InService, serving arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/1` },
    { at: 481, kind: 'traffic', execution: 0, title: 'traffic', detail: `1200 requests/minute to ${endpoint}` },
    { at: 482, kind: 'note', execution: 0, title: 'approved', detail: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/2: 1 event(s) matched the packaged rule' },
    state(483, 'NormalizeInput', 'approval request for arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/2'),
    state(484, 'DescribePackage', 'churn v2: Approved, Completed, 1 container(s)'),
    state(485, 'PlanRelease', 'mode canary by rule live-endpoint (endpoint in service); style realtime; endpoint churn-model'),
    state(486, 'ClaimRelease', 'lease on churn-model acquired'),
    state(487, 'PrepareDeployment', 'live config churn-model-live (variant live); canary config churn-model-2 adds candidate-2 at weight 0'),
    state(488, 'StartDeployment', ''),
    state(789, 'CheckDeployment', 'Updating (InService on churn-model-live)'),
    state(1090, 'CheckDeployment', 'InService (InService on churn-model-2)'),
    state(1092, 'SmokeTest', 'passed: 1 payload(s) answered'),
    state(1100, 'StartCanary', `traffic split live=80%, candidate-2=20%; bake until 2025-01-15T09:33:20Z; alarms ${alarm}`),
    ...checks.slice(0, 4),
    { at: 1390, kind: 'alarm', execution: 0, title: alarm, detail: 'OK -> ALARM: Threshold Crossed: 3 datapoints [0.081, 0.079, 0.08] were greater than the threshold (0.01)' },
    ...checks.slice(4),
    state(1521, 'RollBack', 'rolled back (back to churn-model-live)'),
    state(1822, 'CheckRollback', 'Updating (InService on churn-model-2)'),
    state(2123, 'CheckRollback', 'InService (InService on churn-model-live)'),
    state(2124, 'RecordRollback', 'ROLLED_BACK: canary unhealthy'),
    state(2124, 'ReleaseRolledBack', 'execution failed'),
  ];
  const metrics: MetricSeries[] = [
    { endpointName: endpoint, variantName: 'live', points: points(8, 36, 1200, 0.001, 180, 1) },
    { endpointName: endpoint, variantName: 'candidate-2', points: points(18, 26, 240, 0.08, 150, 2) },
    // A variant that never served: omitted from the chart.
    { endpointName: endpoint, variantName: 'shadow', points: [{ timestamp: START + 20 * MINUTE, invocations: 0, errors5xx: 0, errors4xx: 0, errorRate: 0 }] },
  ];
  return {
    metricRows: metricRows(metrics, endpoint, START, new Map([['candidate-2', CANDIDATE_ARN]])),
    pipelineSeconds: 1944,
    physicalSeconds: 1500,
    scenario: 'realtime-canary-alarm-rollback',
    description: XSS_DESCRIPTION,
    outcome: 'ROLLED_BACK',
    expectedOutcome: 'ROLLED_BACK',
    passed: true,
    failures: [],
    executionStatus: 'FAILED',
    error: 'ReleaseRolledBack',
    cause: 'canary unhealthy: alarm churn-model-canary-5xx is ALARM <img src=x onerror=alert(2)>',
    states: ['NormalizeInput', 'DescribePackage', 'PlanRelease'],
    stateTransitions: 61,
    largestStateBytes: 9000,
    endpoint: {
      name: endpoint,
      status: 'InService',
      configName: 'churn-model-live',
      variants: [{ name: 'live', model: 'churn-live', modelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/1', weight: 1 }],
    },
    events: ['Release Rolled Back'],
    eventIds: ['abc12345.rolled_back'],
    locks: { leases: [], tickets: [], claimsInProgress: [], releasesInProgress: [] },
    decision: { rule: 'live-endpoint', reasons: ['endpoint in service'] },
    executions: [
      { index: 1, status: 'FAILED', outcome: 'ROLLED_BACK', error: 'ReleaseRolledBack', cause: 'canary unhealthy', states: ['NormalizeInput'], stateTransitions: 61 },
    ],
    simulatedSeconds: 2124,
    wallSeconds: 3.42,
    startEpochMs: START,
    awsCalls: [],
    ledger: [],
    timeline,
    metrics,
    alarmHistory: [
      { alarmName: alarm, timestamp: START + 1101_000, oldState: undefined, newState: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation' },
      { alarmName: alarm, timestamp: START + 1160_000, oldState: 'INSUFFICIENT_DATA', newState: 'OK', reason: 'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.01)' },
      { alarmName: alarm, timestamp: START + 1390_000, oldState: 'OK', newState: 'ALARM', reason: 'Threshold Crossed: 3 datapoints were greater than the threshold (0.01)' },
    ],
    thresholds: { errorRatePercent: 1, latencyP99Ms: 400 },
    candidateArn: CANDIDATE_ARN,
  };
}

/** The markup between `<ol class="path` and the section's chart. */
function pathSection(html: string): string {
  const start = html.indexOf('<ol class="path');
  const end = html.indexOf('<h3>Canary metrics</h3>', start);
  return html.slice(start, end);
}

function svgOf(html: string): string {
  const match = /<svg[\s\S]*?<\/svg>/.exec(html);
  return match?.[0] ?? '';
}

/** The `<g class="chart-NAME">` group of the chart. */
function chartGroup(svg: string, name: string): string {
  const match = new RegExp(`<g class="chart-${name}">[\\s\\S]*?</g>`).exec(svg);
  return match?.[0] ?? '';
}

function count(haystack: string, needle: RegExp): number {
  return haystack.match(new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : `${needle.flags}g`))?.length ?? 0;
}

describe('renderReport', () => {
  it('writes one complete HTML document', () => {
    // Prepare
    const result = rollbackResult();

    // Act
    const html = renderReport([result]);
    if (process.env.REPORT_PREVIEW) writeFileSync(process.env.REPORT_PREVIEW, html);

    // Assess
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html.trimEnd().endsWith('</body>\n</html>')).toBe(true);
    for (const tag of ['html', 'head', 'body', 'section', 'details', 'svg', 'table', 'ol']) {
      expect(count(html, new RegExp(`<${tag}[\\s>]`))).toBe(count(html, new RegExp(`</${tag}>`)));
    }
  });

  it('is self-contained: no scripts and no network references', () => {
    // Prepare
    const result = rollbackResult();

    // Act
    const html = renderReport([result]);

    // Assess
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
    const withoutXmlns = html.split(SVG_XMLNS).join('');
    expect(withoutXmlns).not.toMatch(/https?:\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text from the scenario and the run', () => {
    // Prepare
    const result = { ...rollbackResult(), scenario: 'odd "name" & <b>bold</b>' };

    // Act
    const html = renderReport([result]);

    // Assess
    expect(html).toContain(escapeHtml(XSS_DESCRIPTION));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('odd &quot;name&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>bold</b>');
    expect(escapeHtml('a\u0000b')).toBe('a\uFFFDb');
  });

  it('shows the outcome against the expectation, the execution and the final endpoint', () => {
    // Prepare
    const passed = rollbackResult();
    const failed = { ...rollbackResult(), outcome: 'PROMOTED', passed: false, failures: ['outcome PROMOTED, expected ROLLED_BACK'] };

    // Act
    const good = renderReport([passed]);
    const bad = renderReport([failed]);

    // Assess
    expect(good).toContain('<span class="pill ok">ROLLED_BACK</span>');
    expect(good).toContain('class="scenario passed"');
    expect(good).toContain('ReleaseRolledBack');
    expect(good).toContain('churn-live');
    expect(good).toContain('Release Rolled Back');
    expect(good).toContain('35.4 simulated minutes in 3.42 wall seconds');
    expect(bad).toContain('<span class="pill bad">PROMOTED</span>');
    expect(bad).toContain('class="scenario failed"');
    expect(bad).toContain('outcome PROMOTED, expected ROLLED_BACK');
  });

  it('lists the states entered in order, with their time offsets', () => {
    // Prepare
    const result = rollbackResult();
    const expected = ['NormalizeInput', 'DescribePackage', 'PlanRelease', 'ClaimRelease', 'PrepareDeployment', 'StartDeployment', 'CheckDeployment', 'SmokeTest', 'StartCanary', 'CheckCanary', 'RollBack', 'CheckRollback', 'RecordRollback', 'ReleaseRolledBack'];

    // Act
    const path = pathSection(renderReport([result]));

    // Assess
    const positions = expected.map((name) => path.indexOf(`<span class="title">${name}`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(path).toContain('+18:20'); // StartCanary at 1100 s
    expect(path).toContain('churn-model-canary-5xx');
    expect(path).toContain('OK -&gt; ALARM');
    expect(path).toContain('seeded');
  });

  it('collapses a loop into one expandable row', () => {
    // Prepare
    const result = rollbackResult();

    // Act
    const html = renderReport([result]);
    const path = pathSection(html);

    // Assess: the alarm between the 4th and 5th check splits the loop in two.
    expect(path).toContain('CheckCanary <b class="times">×4</b>');
    expect(path).toContain('CheckCanary <b class="times">×3</b>');
    expect(path).toContain('CheckDeployment <b class="times">×2</b>');
    expect(count(path, /<li class="[^"]*loop"><details>/)).toBe(4); // 2× CheckCanary, CheckDeployment, CheckRollback
    expect(count(path, /<span class="title">CheckCanary<\/span>/)).toBe(7); // every check still there when expanded
    expect(html).toContain('CheckCanary <b>×4</b>'); // the route at a glance
  });

  it('collapses only consecutive entries of the same state and execution', () => {
    // Prepare
    const timeline = [state(1, 'A', ''), state(2, 'A', ''), state(3, 'A', '', 2), state(4, 'B', ''), state(5, 'A', '')];

    // Act
    const rows = collapseTimeline(timeline);

    // Assess
    expect(rows.map((r) => r.entries.map((e) => e.at))).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('charts error rate and p99 latency per variant with thresholds and markers', () => {
    // Prepare
    const result = rollbackResult();

    // Act
    const svg = svgOf(renderReport([result]));

    // Assess
    expect(svg).not.toBe('');
    for (const chart of ['error', 'latency']) {
      const group = chartGroup(svg, chart);
      expect(count(group, /<path class="series"/)).toBe(2);
      expect(group).toContain('data-variant="live"');
      expect(group).toContain('data-variant="candidate-2"');
      expect(group).not.toContain('data-variant="shadow"');
      expect(count(group, /<line class="threshold"[^>]*stroke-dasharray/)).toBe(1);
    }
    expect(svg).toContain('SLO 1%');
    expect(svg).toContain('SLO 400 ms');
    expect(svg).toContain('error rate (%)');
    expect(svg).toContain('p99 latency (ms)');
    expect(svg).toContain('minutes since scenario start');
    // StartCanary and RollBack from the timeline, OK and ALARM from the alarm history (not the initial INSUFFICIENT_DATA).
    expect(count(svg, /<line class="marker"/)).toBe(4);
    expect(svg).toContain('>StartCanary</text>');
    expect(svg).toContain('>RollBack</text>');
    expect(svg).toContain('>ALARM churn-model-canary-5xx</text>');
    expect(svg).toContain('>OK churn-model-canary-5xx</text>');
  });

  it('places alarm markers and metrics on the scenario clock', () => {
    // Prepare
    const recorded = rollbackResult();
    const estimated = { ...rollbackResult(), startEpochMs: Number.NaN }; // e.g. JSON from a run before the field existed

    // Act
    const fromMetrics = scenarioStartMs(estimated);
    const fromResult = scenarioStartMs(recorded);
    const html = renderReport([recorded]);

    // Assess: first metric minute (8) minus when traffic started (481 s), within a minute of the truth.
    expect(fromMetrics).toEqual({ ms: START + 8 * MINUTE - 481_000, estimated: true });
    expect(Math.abs(fromMetrics.ms - START)).toBeLessThan(MINUTE);
    expect(fromResult).toEqual({ ms: START, estimated: false });
    expect(html).not.toContain('was estimated');
    expect(renderReport([estimated])).toContain('was estimated');
  });

  it('says so when there is nothing to chart', () => {
    // Prepare
    const result = { ...rollbackResult(), metrics: [], alarmHistory: [] };

    // Act
    const html = renderReport([result]);

    // Assess
    expect(html).not.toContain('<svg');
    expect(html).toContain('nothing to chart');
  });

  it('gives each result its own section and an index', () => {
    // Prepare
    const first = rollbackResult();
    const second = { ...rollbackResult(), scenario: 'realtime-canary-promote', outcome: 'PROMOTED', expectedOutcome: 'PROMOTED' };

    // Act
    const html = renderReport([first, second]);
    const empty = renderReport([]);

    // Assess
    expect(count(html, /<section id="scenario-\d+"/)).toBe(2);
    expect(html).toContain('href="#scenario-1"');
    expect(html).toContain('href="#scenario-2"');
    expect(count(html, /<svg/)).toBe(2);
    expect(empty).toContain('No scenarios were run.');
    expect(empty.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('formats virtual time offsets', () => {
    expect([formatOffset(0), formatOffset(65), formatOffset(1100), formatOffset(3725)]).toEqual(['+0:00', '+1:05', '+18:20', '+1:02:05']);
  });
});

describe('the physical floor of a run', () => {
  it('counts overlapping lifecycles and bakes once, and only inside the run', () => {
    // 0-100 s and 50-150 s overlap (150 s); 200-260 s (60 s); -50-10 s starts before the run (10 s).
    expect(physicalSeconds([[0, 100_000], [50_000, 150_000], [200_000, 260_000], [-50_000, 10_000]], 0, 1_000_000)).toBe(210);
    expect(physicalSeconds([[0, 100_000]], 0, 40_000)).toBe(40);
  });
});

describe('metric rows (the --json chart data)', () => {
  it('has one row per virtual minute and variant of the released endpoint, minutes from the scenario start', () => {
    // Prepare
    const series: MetricSeries[] = [
      { endpointName: 'churn', variantName: 'live', points: [{ timestamp: START + 2 * MINUTE + 30_000, invocations: 10, errors5xx: 1, errors4xx: 0, errorRate: 0.1, latencyP99Us: 181_449 }] },
      { endpointName: 'churn', variantName: 'v2', points: [{ timestamp: START + 2 * MINUTE, invocations: 0, errors5xx: 0, errors4xx: 0, errorRate: 0 }] },
      { endpointName: 'other', variantName: 'x', points: [{ timestamp: START, invocations: 5, errors5xx: 0, errors4xx: 0, errorRate: 0, latencyP99Us: 1000 }] },
    ];

    // Act
    const rows = metricRows(series, 'churn', START, new Map([['v2', CANDIDATE_ARN]]));

    // Assess
    expect(rows).toEqual([
      { minute: 2, variant: 'live', modelPackageArn: null, invocations: 10, errors5xx: 1, p99Ms: 181.4 },
      { minute: 2, variant: 'v2', modelPackageArn: CANDIDATE_ARN, invocations: 0, errors5xx: 0, p99Ms: null },
    ]);
  });
});
