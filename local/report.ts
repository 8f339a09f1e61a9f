/**
 * `npm run simulate -- --report FILE.html`: one self-contained HTML page for the scenarios run.
 *
 * Inline CSS and inline SVG only: no scripts, fonts, stylesheets or images from anywhere (a
 * Content-Security-Policy meta tag enforces it), so the file can be attached to a ticket or opened
 * offline. Every piece of text that comes from a scenario or a run is escaped.
 */
import type { SimulationResult, TimelineEntry } from './runner';
import type { MetricPoint, MetricSeries } from './sim/metrics';

const MINUTE_MS = 60_000;

/** States whose timeline entries mark a change of traffic on the chart. */
// States that move traffic, in each release style's section (statemachines/release.asl.yml).
const TRAFFIC_STATES = ['StartCanary', 'ShiftTraffic', 'Promote', 'GuardedStartDeployment', 'AsyncStartDeployment', 'ServerlessStartBake', 'RollBack'] as const;

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies, readable on white. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
const THRESHOLD_COLOUR = '#C62828';
const TRAFFIC_MARKER_COLOUR = '#555555';
const ALARM_COLOURS: Record<string, string> = { ALARM: '#C62828', OK: '#2E7D32', INSUFFICIENT_DATA: '#8E8E8E' };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute value. Control characters HTML forbids become U+FFFD. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    .replace(/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/g, '\uFFFD');
}

/** Virtual seconds as `+m:ss` (or `+h:mm:ss`). */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${s}` : `${sign}${m}:${s}`;
}

function formatNumber(n: number, maxDigits = 2): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: maxDigits });
}

/** A tick value without floating-point noise (0.30000000000000004 → 0.3). */
function formatTick(n: number): string {
  return String(Number(n.toPrecision(6)));
}

// ---------------------------------------------------------------------------------------------
// Page

export function renderReport(results: SimulationResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const title = results.length === 1 && results[0] ? `Release simulation: ${results[0].scenario}` : `Release simulation: ${results.length} scenarios`;
  const body: string[] = [];
  body.push(`<header><h1>${escapeHtml(title)}</h1>`);
  body.push(
    `<p class="totals">${results.length} scenario${results.length === 1 ? '' : 's'}: <span class="pill ${failed === 0 ? 'ok' : 'bad'}">${passed} as expected</span>${failed > 0 ? ` <span class="pill bad">${failed} not as expected</span>` : ''}</p>`,
  );
  if (results.length > 1) body.push(renderIndex(results));
  body.push('</header>');
  if (results.length === 0) body.push('<p class="muted">No scenarios were run.</p>');
  results.forEach((r, i) => body.push(renderScenario(r, i)));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderIndex(results: SimulationResult[]): string {
  const rows = results.map(
    (r, i) =>
      `<tr><td><a href="#scenario-${i + 1}">${escapeHtml(r.scenario)}</a></td><td>${outcomeBadge(r)}</td><td>${escapeHtml(r.outcome)}</td><td>${escapeHtml(r.expectedOutcome)}</td><td class="num">${formatNumber(r.simulatedSeconds / 60, 1)}</td></tr>`,
  );
  return `<table class="index"><thead><tr><th>Scenario</th><th>Result</th><th>Outcome</th><th>Expected</th><th class="num">Sim. min</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function outcomeBadge(r: SimulationResult): string {
  return r.passed ? '<span class="pill ok">✔ as expected</span>' : '<span class="pill bad">✘ not as expected</span>';
}

function renderScenario(r: SimulationResult, index: number): string {
  const parts: string[] = [];
  parts.push(`<section id="scenario-${index + 1}" class="scenario ${r.passed ? 'passed' : 'failed'}">`);
  parts.push(`<h2>${escapeHtml(r.scenario)} ${outcomeBadge(r)}</h2>`);
  parts.push(`<p class="description">${escapeHtml(r.description)}</p>`);
  parts.push(renderSummary(r));
  parts.push('<h3>Path through the state machine</h3>');
  parts.push(renderPath(r));
  parts.push('<h3>Canary metrics</h3>');
  parts.push(renderMetrics(r));
  if (r.decision !== null && r.decision !== undefined) {
    parts.push(`<details class="raw"><summary>Release decision (PlanRelease)</summary><pre>${escapeHtml(JSON.stringify(r.decision, null, 2))}</pre></details>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Summary

function renderSummary(r: SimulationResult): string {
  const rows: [string, string][] = [];
  const match = r.outcome === r.expectedOutcome;
  rows.push([
    'Outcome',
    `<span class="pill ${match ? 'ok' : 'bad'}">${escapeHtml(r.outcome)}</span> <span class="muted">expected</span> <span class="pill neutral">${escapeHtml(r.expectedOutcome)}</span>`,
  ]);
  if (r.failures.length > 0) rows.push(['Not as expected', `<ul class="failures">${r.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`]);
  const statusClass = r.executionStatus === 'SUCCEEDED' ? 'ok' : r.executionStatus === 'FAILED' ? 'warn' : 'neutral';
  rows.push(['Execution', `<span class="pill ${statusClass}">${escapeHtml(r.executionStatus)}</span>`]);
  if (r.error !== null) rows.push(['Error', `<code>${escapeHtml(r.error)}</code>`]);
  if (r.cause !== null) rows.push(['Cause', `<div class="cause">${escapeHtml(r.cause)}</div>`]);
  if (r.executions.length > 1) rows.push(['Executions', renderExecutions(r)]);
  rows.push(['Final endpoint', renderEndpoint(r)]);
  rows.push(['Events sent', r.events.length === 0 ? '<span class="muted">none</span>' : `<ol class="events">${r.events.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ol>`]);
  rows.push([
    'Time',
    `${formatNumber(r.simulatedSeconds / 60, 1)} simulated minutes in ${formatNumber(r.wallSeconds, 2)} wall seconds`,
  ]);
  rows.push(['State transitions', `${formatNumber(r.stateTransitions, 0)} <span class="muted">(≈ $${((r.stateTransitions * 0.025) / 1000).toFixed(5)} on Standard workflows)</span>`]);
  rows.push(['Candidate', `<code class="arn">${escapeHtml(r.candidateArn)}</code>`]);
  return `<table class="summary"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function renderExecutions(r: SimulationResult): string {
  const rows = r.executions.map(
    (e) =>
      `<tr><td>#${e.index}</td><td>${escapeHtml(e.status)}</td><td>${escapeHtml(e.outcome ?? '—')}</td><td>${escapeHtml(e.error ?? '')}</td><td class="num">${e.stateTransitions}</td></tr>`,
  );
  return `<table class="inner"><thead><tr><th>#</th><th>Status</th><th>Outcome</th><th>Error</th><th class="num">Transitions</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderEndpoint(r: SimulationResult): string {
  const e = r.endpoint;
  if (!e) return '<span class="muted">none</span>';
  const head = `<code>${escapeHtml(e.name)}</code> <span class="pill neutral">${escapeHtml(e.status)}</span> on config <code>${escapeHtml(e.configName ?? '—')}</code>`;
  if (e.variants.length === 0) return `${head} <span class="muted">(no variants)</span>`;
  const total = e.variants.reduce((n, v) => n + v.weight, 0);
  const rows = e.variants.map((v) => {
    const share = total > 0 ? `${formatNumber((v.weight / total) * 100, 1)}%` : '—';
    const candidate = v.modelPackageArn !== null && v.modelPackageArn === r.candidateArn ? ' <span class="pill neutral">candidate</span>' : '';
    return `<tr><td><code>${escapeHtml(v.name)}</code></td><td><code>${escapeHtml(v.model ?? '—')}</code></td><td><code class="arn">${escapeHtml(v.modelPackageArn ?? '—')}</code>${candidate}</td><td class="num">${formatNumber(v.weight, 3)}</td><td class="num">${share}</td></tr>`;
  });
  return `${head}<table class="inner"><thead><tr><th>Variant</th><th>Model</th><th>Model package</th><th class="num">Weight</th><th class="num">Share</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Path

type PathRow = { entries: TimelineEntry[] };

/** Consecutive entries of the same state in the same execution become one row (a loop). */
export function collapseTimeline(timeline: readonly TimelineEntry[]): PathRow[] {
  const rows: PathRow[] = [];
  for (const entry of timeline) {
    const last = rows[rows.length - 1];
    const head = last?.entries[0];
    if (last && head && entry.kind === 'state' && head.kind === 'state' && head.title === entry.title && head.execution === entry.execution) {
      last.entries.push(entry);
    } else {
      rows.push({ entries: [entry] });
    }
  }
  return rows;
}

function alarmStateOf(entry: TimelineEntry): string | undefined {
  return /->\s*(ALARM|OK|INSUFFICIENT_DATA)\b/.exec(entry.detail)?.[1];
}

function entryClass(entry: TimelineEntry): string {
  if (entry.kind === 'alarm') return `alarm alarm-${(alarmStateOf(entry) ?? 'other').toLowerCase()}`;
  if (entry.kind !== 'state') return entry.kind;
  if (entry.detail === 'execution succeeded') return 'state end-ok';
  if (entry.detail === 'execution failed') return 'state end-bad';
  if (entry.title === 'RollBack') return 'state rollback';
  return 'state';
}

function kindLabel(entry: TimelineEntry): string {
  if (entry.kind === 'alarm') return alarmStateOf(entry) ?? 'alarm';
  return entry.kind;
}

function renderEntryCells(entry: TimelineEntry, showExecution: boolean, title: string, detail: string, time: string): string {
  const exec = showExecution ? `<span class="exec">${entry.execution > 0 ? `#${entry.execution}` : ''}</span>` : '';
  return `<span class="t">${time}</span>${exec}<span class="kind">${escapeHtml(kindLabel(entry))}</span><span class="title">${title}</span><span class="detail">${detail}</span>`;
}

function renderPath(r: SimulationResult): string {
  if (r.timeline.length === 0) return '<p class="muted">No timeline recorded.</p>';
  const executions = new Set(r.timeline.filter((e) => e.kind === 'state').map((e) => e.execution));
  const showExecution = executions.size > 1;
  const rows = collapseTimeline(r.timeline);
  const parts: string[] = [];

  // The route at a glance, per execution: the states in order, loops as ×n.
  for (const execution of [...executions].sort((a, b) => a - b)) {
    const steps = rows
      .filter((row) => row.entries[0]?.kind === 'state' && row.entries[0].execution === execution)
      .map((row) => {
        const head = row.entries[0] as TimelineEntry;
        const n = row.entries.length;
        return `<span class="step ${entryClass(head)}">${escapeHtml(head.title)}${n > 1 ? ` <b>×${n}</b>` : ''}</span>`;
      });
    parts.push(`<p class="route">${showExecution ? `<span class="exec">#${execution}</span> ` : ''}${steps.join('<span class="arrow"> → </span>')}</p>`);
  }

  const cls = `path${showExecution ? ' with-exec' : ''}`;
  parts.push(`<ol class="${cls}">`);
  for (const row of rows) {
    const head = row.entries[0];
    const lastEntry = row.entries[row.entries.length - 1];
    if (!head || !lastEntry) continue;
    if (row.entries.length === 1) {
      parts.push(`<li class="${entryClass(head)}"><div class="row">${renderEntryCells(head, showExecution, escapeHtml(head.title), escapeHtml(head.detail), escapeHtml(formatOffset(head.at)))}</div></li>`);
      continue;
    }
    const time = `${escapeHtml(formatOffset(head.at))}–${escapeHtml(formatOffset(lastEntry.at))}`;
    const title = `${escapeHtml(head.title)} <b class="times">×${row.entries.length}</b>`;
    const detail = `<span class="muted">last:</span> ${escapeHtml(lastEntry.detail)}`;
    const inner = row.entries
      .map((e) => `<li class="${entryClass(e)}"><div class="row">${renderEntryCells(e, showExecution, escapeHtml(e.title), escapeHtml(e.detail), escapeHtml(formatOffset(e.at)))}</div></li>`)
      .join('');
    parts.push(`<li class="${entryClass(lastEntry)} loop"><details><summary class="row">${renderEntryCells(head, showExecution, title, detail, time)}</summary><ol class="${cls} inner">${inner}</ol></details></li>`);
  }
  parts.push('</ol>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Metrics chart

interface Marker {
  /** Minutes since the scenario start. */
  x: number;
  label: string;
  full: string;
  colour: string;
  dash: string;
}

interface Plotted {
  label: string;
  colour: string;
  points: MetricPoint[];
}

/**
 * The scenario's start in virtual epoch ms: `SimulationResult.startEpochMs`. A result without it (say,
 * JSON saved by an older run) gets an estimate from the first minute of metrics and when the
 * timeline says traffic started, accurate to within that first minute.
 */
export function scenarioStartMs(r: SimulationResult): { ms: number; estimated: boolean } {
  const recorded: unknown = r.startEpochMs;
  if (typeof recorded === 'number' && Number.isFinite(recorded)) return { ms: recorded, estimated: false };
  const stamps = r.metrics.flatMap((s) => s.points.map((p) => p.timestamp));
  if (stamps.length > 0) {
    const earliest = Math.min(...stamps);
    const trafficAt = r.timeline.find((e) => e.kind === 'traffic')?.at ?? 0;
    return { ms: earliest - trafficAt * 1000, estimated: true };
  }
  const alarms = r.alarmHistory.map((a) => a.timestamp);
  return { ms: alarms.length > 0 ? Math.min(...alarms) : 0, estimated: true };
}

function seriesWithTraffic(metrics: readonly MetricSeries[]): MetricSeries[] {
  return metrics.filter((s) => s.points.some((p) => p.invocations > 0));
}

function niceStep(range: number, targetTicks: number): number {
  const raw = range / Math.max(1, targetTicks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * magnitude;
}

function niceAxis(maxValue: number, floor: number, targetTicks: number): { max: number; step: number } {
  const top = Math.max(maxValue, floor);
  const step = niceStep(top, targetTicks);
  return { max: Math.ceil(top / step - 1e-9) * step, step };
}

function renderMetrics(r: SimulationResult): string {
  const shown = seriesWithTraffic(r.metrics);
  if (shown.length === 0) return '<p class="muted">No invocations were recorded, so there is nothing to chart.</p>';
  const start = scenarioStartMs(r);
  const multipleEndpoints = new Set(shown.map((s) => s.endpointName)).size > 1;
  const plotted: Plotted[] = shown.map((s, i) => ({
    label: multipleEndpoints ? `${s.endpointName} / ${s.variantName}` : s.variantName,
    colour: PALETTE[i % PALETTE.length] ?? '#000000',
    points: s.points.filter((p) => p.invocations > 0).sort((a, b) => a.timestamp - b.timestamp),
  }));

  const markers = chartMarkers(r, start.ms);
  const svg = renderChartSvg(r, plotted, markers, start.ms);
  const legend = [
    ...plotted.map((p) => {
      const invocations = p.points.reduce((n, q) => n + q.invocations, 0);
      return `<li><span class="swatch" style="background:${p.colour}"></span>${escapeHtml(p.label)} <span class="muted">(${formatNumber(invocations, 0)} invocations)</span></li>`;
    }),
  ];
  if (r.thresholds.errorRatePercent !== null || r.thresholds.latencyP99Ms !== null) {
    legend.push(`<li><span class="swatch dashed" style="border-color:${THRESHOLD_COLOUR}"></span>SLO threshold</li>`);
  }
  // Only the kinds of marker this chart has.
  const markerKinds = new Map<string, string>();
  for (const m of markers) markerKinds.set(m.colour, m.colour === TRAFFIC_MARKER_COLOUR ? 'traffic change' : `alarm → ${m.label.split(' ')[0] ?? ''}`);
  for (const [colour, text] of markerKinds) legend.push(`<li><span class="swatch vline" style="border-color:${colour}"></span>${escapeHtml(text)}</li>`);
  const thresholds = [
    r.thresholds.errorRatePercent === null ? 'no error-rate threshold' : `error-rate threshold ${formatNumber(r.thresholds.errorRatePercent, 3)}%`,
    r.thresholds.latencyP99Ms === null ? 'no p99 latency threshold' : `p99 latency threshold ${formatNumber(r.thresholds.latencyP99Ms, 1)} ms`,
  ].join('; ');
  const caption = `Per variant, one point per virtual minute (drawn mid-minute); ${escapeHtml(thresholds)}.${start.estimated ? ' The scenario start was estimated from the first minute of traffic, so markers may be off by up to a minute.' : ''}`;
  const markerList =
    markers.length === 0
      ? ''
      : `<details class="markers"><summary>Markers (${markers.length})</summary><table class="inner"><thead><tr><th>Time</th><th>What</th></tr></thead><tbody>${markers
          .map((m) => `<tr><td class="num">${escapeHtml(formatOffset(m.x * 60))}</td><td><span class="swatch vline" style="border-color:${m.colour}"></span>${escapeHtml(m.full)}</td></tr>`)
          .join('')}</tbody></table></details>`;
  return `<figure class="chart"><ul class="legend">${legend.join('')}</ul>${svg}<figcaption>${caption}</figcaption>${markerList}</figure>`;
}

function chartMarkers(r: SimulationResult, startMs: number): Marker[] {
  const markers: Marker[] = [];
  for (const e of r.timeline) {
    if (e.kind !== 'state' || !(TRAFFIC_STATES as readonly string[]).includes(e.title)) continue;
    markers.push({ x: e.at / 60, label: e.title, full: `${e.title}${e.detail ? `: ${e.detail}` : ''}`, colour: TRAFFIC_MARKER_COLOUR, dash: '5 3' });
  }
  for (const a of r.alarmHistory) {
    // A new alarm's first evaluation to INSUFFICIENT_DATA says nothing about the canary.
    if (a.oldState === undefined && a.newState === 'INSUFFICIENT_DATA') continue;
    markers.push({
      x: (a.timestamp - startMs) / MINUTE_MS,
      // The end of an alarm's name says what it watches (…-error-rate); the start is the endpoint.
      label: `${a.newState} ${truncateStart(a.alarmName, 24)}`,
      full: `${a.alarmName}: ${a.oldState ?? 'new'} → ${a.newState}${a.reason ? ` (${a.reason})` : ''}`,
      colour: ALARM_COLOURS[a.newState] ?? ALARM_COLOURS.INSUFFICIENT_DATA ?? '#888888',
      dash: a.newState === 'ALARM' ? '' : '2 2',
    });
  }
  return markers.sort((a, b) => a.x - b.x);
}

const CHART = { width: 960, left: 70, right: 84, top: 12, plotHeight: 190, gap: 30, bottom: 44 };

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function truncateStart(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function renderChartSvg(r: SimulationResult, plotted: Plotted[], markers: Marker[], startMs: number): string {
  const { width, left, right, top, plotHeight, gap, bottom } = CHART;
  const plotWidth = width - left - right;
  const height = top + plotHeight * 2 + gap + bottom;
  const minuteOf = (p: MetricPoint) => (p.timestamp - startMs) / MINUTE_MS + 0.5;

  // x: minutes since the scenario start, covering metrics, markers and the whole run.
  const xs = [0, r.simulatedSeconds / 60, ...markers.map((m) => m.x), ...plotted.flatMap((p) => p.points.map((q) => minuteOf(q) + 0.5))];
  const xMin = Math.min(0, Math.floor(Math.min(...xs)));
  const xAxis = niceAxis(Math.max(...xs) - xMin, 1, 10);
  const xMax = xMin + xAxis.max;
  const xTicks: number[] = [];
  for (let m = Math.ceil(xMin / xAxis.step) * xAxis.step; m <= xMax + xAxis.step / 1e6; m += xAxis.step) xTicks.push(m);
  const sx = (minutes: number) => left + ((minutes - xMin) / (xMax - xMin)) * plotWidth;

  const errorValues = plotted.flatMap((p) => p.points.map((q) => q.errorRate * 100));
  const latencyValues = plotted.flatMap((p) => p.points.flatMap((q) => (q.latencyP99Us === undefined ? [] : [q.latencyP99Us / 1000])));
  const errorThreshold = r.thresholds.errorRatePercent;
  const latencyThreshold = r.thresholds.latencyP99Ms;

  const charts = [
    {
      id: 'error',
      y0: top,
      axisLabel: 'error rate (%)',
      axis: niceAxis(Math.max(0, ...errorValues, (errorThreshold ?? 0) * 1.2) * 1.05, 1, 5),
      threshold: errorThreshold,
      thresholdLabel: errorThreshold === null ? '' : `${formatTick(errorThreshold)}%`,
      value: (q: MetricPoint): number | undefined => q.errorRate * 100,
    },
    {
      id: 'latency',
      y0: top + plotHeight + gap,
      axisLabel: 'p99 latency (ms)',
      axis: niceAxis(Math.max(0, ...latencyValues, (latencyThreshold ?? 0) * 1.2) * 1.05, 1, 5),
      threshold: latencyThreshold,
      thresholdLabel: latencyThreshold === null ? '' : `${formatTick(latencyThreshold)} ms`,
      value: (q: MetricPoint): number | undefined => (q.latencyP99Us === undefined ? undefined : q.latencyP99Us / 1000),
    },
  ];

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="metrics" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(`Error rate and p99 latency per variant for ${r.scenario}`)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeHtml(`Canary metrics for ${r.scenario}`)}</title>`);

  for (const c of charts) {
    const sy = (v: number) => c.y0 + plotHeight - (v / c.axis.max) * plotHeight;
    const g: string[] = [];
    g.push(`<g class="chart-${c.id}">`);
    g.push(`<rect x="${left}" y="${c.y0}" width="${plotWidth}" height="${plotHeight}" fill="#fbfbfd" stroke="#c8c8d0"/>`);
    // Grid and y ticks.
    for (let v = 0; v <= c.axis.max + c.axis.step / 1e6; v += c.axis.step) {
      const y = round(sy(v));
      g.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#e4e4ea"/>`);
      g.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#444">${formatTick(v)}</text>`);
    }
    for (const m of xTicks) {
      const x = round(sx(m));
      g.push(`<line x1="${x}" x2="${x}" y1="${c.y0}" y2="${c.y0 + plotHeight}" stroke="#eeeef2"/>`);
    }
    const mid = c.y0 + plotHeight / 2;
    g.push(`<text x="18" y="${mid}" transform="rotate(-90 18 ${mid})" text-anchor="middle" fill="#222" font-weight="600">${escapeHtml(c.axisLabel)}</text>`);
    // Threshold.
    if (c.threshold !== null) {
      const y = round(sy(c.threshold));
      g.push(`<line class="threshold" x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="${THRESHOLD_COLOUR}" stroke-width="1.5" stroke-dasharray="7 4"/>`);
      g.push(`<text x="${left + plotWidth + 4}" y="${y + 4}" fill="${THRESHOLD_COLOUR}" font-size="11">SLO ${escapeHtml(c.thresholdLabel)}</text>`);
    }
    // Series: one path per variant, broken where minutes are missing.
    for (const p of plotted) {
      const commands: string[] = [];
      const dots: string[] = [];
      let previous: number | undefined;
      let segment: [number, number][] = [];
      const flush = () => {
        const [first] = segment;
        if (segment.length === 1 && first) dots.push(`<circle cx="${first[0]}" cy="${first[1]}" r="2.5" fill="${p.colour}"/>`);
        segment = [];
      };
      for (const q of p.points) {
        const v = c.value(q);
        if (v === undefined) continue;
        const minute = minuteOf(q);
        const x = round(sx(minute));
        const y = round(sy(v));
        const joined = previous !== undefined && minute - previous <= 1.5;
        if (!joined) flush();
        commands.push(`${joined ? 'L' : 'M'}${x} ${y}`);
        segment.push([x, y]);
        previous = minute;
      }
      flush();
      g.push(
        `<path class="series" data-variant="${escapeHtml(p.label)}" d="${commands.join(' ')}" fill="none" stroke="${p.colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"><title>${escapeHtml(`${p.label}: ${c.axisLabel}`)}</title></path>`,
      );
      g.push(...dots);
    }
    g.push('</g>');
    out.push(...g);
  }

  // Markers through both charts, labelled along the line in the upper one.
  let lastLabelX = -Infinity;
  for (const m of markers) {
    const x = round(sx(m.x));
    const dash = m.dash ? ` stroke-dasharray="${m.dash}"` : '';
    out.push(
      `<line class="marker" x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight * 2 + gap}" stroke="${m.colour}" stroke-width="1.5"${dash}><title>${escapeHtml(`${formatOffset(m.x * 60)} ${m.full}`)}</title></line>`,
    );
    const labelX = Math.max(x + 4, lastLabelX + 13);
    lastLabelX = labelX;
    const labelY = top + 6;
    out.push(
      `<text class="marker-label" x="${labelX}" y="${labelY}" transform="rotate(-90 ${labelX} ${labelY})" text-anchor="end" dominant-baseline="hanging" fill="${m.colour}" font-size="11">${escapeHtml(truncate(m.label, 32))}</text>`,
    );
  }

  // Shared x axis.
  const axisY = top + plotHeight * 2 + gap;
  for (const m of xTicks) {
    const x = round(sx(m));
    out.push(`<line x1="${x}" x2="${x}" y1="${axisY}" y2="${axisY + 4}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${axisY + 17}" text-anchor="middle" fill="#444">${formatTick(m)}</text>`);
  }
  out.push(`<text x="${left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" fill="#222" font-weight="600">minutes since scenario start (virtual time)</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

// ---------------------------------------------------------------------------------------------

const CSS = `
:root { color-scheme: light; --ok: #1b7f3b; --ok-bg: #e3f4e8; --bad: #b3261e; --bad-bg: #fbe4e2; --warn: #8a5a00; --warn-bg: #fff1d6; --muted: #666; --line: #dcdce3; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1d22; background: #fff; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 0 0 6px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h3 { font-size: 15px; margin: 22px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; border: 1px solid transparent; }
.pill.ok { color: var(--ok); background: var(--ok-bg); border-color: #a9d8b6; }
.pill.bad { color: var(--bad); background: var(--bad-bg); border-color: #f0b1ab; }
.pill.warn { color: var(--warn); background: var(--warn-bg); border-color: #ecc987; }
.pill.neutral { color: #333; background: #eef0f4; border-color: #d5d8e0; }
header { margin-bottom: 18px; }
.totals { margin: 0 0 10px; }
table { border-collapse: collapse; }
table.index, table.inner { margin: 6px 0; font-size: 13px; }
table.index th, table.index td, table.inner th, table.inner td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.scenario { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; padding: 16px 20px; margin: 0 0 28px; }
section.scenario.failed { border-left-color: var(--bad); }
.description { margin: 0 0 12px; color: #333; white-space: pre-wrap; overflow-wrap: anywhere; }
table.summary { width: 100%; }
table.summary > tbody > tr > th { width: 150px; text-align: left; vertical-align: top; padding: 5px 12px 5px 0; color: #444; font-weight: 600; }
table.summary > tbody > tr > td { padding: 5px 0; vertical-align: top; }
.cause { white-space: pre-wrap; overflow-wrap: anywhere; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f6f9; padding: 6px 8px; border-radius: 4px; max-height: 16em; overflow: auto; }
ul.failures { margin: 0; padding-left: 18px; color: var(--bad); }
ol.events { margin: 0; padding-left: 22px; }
.route { margin: 4px 0 10px; line-height: 2; }
.route .step { display: inline-block; padding: 0 7px; border-radius: 4px; background: #eef0f4; font-size: 12.5px; white-space: nowrap; }
.route .step.rollback { background: var(--warn-bg); color: var(--warn); }
.route .step.end-ok { background: var(--ok-bg); color: var(--ok); }
.route .step.end-bad { background: var(--bad-bg); color: var(--bad); }
.route .arrow { color: #999; }
ol.path { list-style: none; margin: 0; padding: 0; font-size: 13px; border-top: 1px solid var(--line); }
ol.path.inner { border-top: 0; margin-left: 28px; border-left: 2px solid var(--line); }
ol.path > li { border-bottom: 1px solid #ececf1; }
ol.path.inner > li:last-child { border-bottom: 0; }
.row { display: grid; grid-template-columns: 118px 70px 190px 1fr; gap: 10px; padding: 3px 6px; align-items: baseline; }
ol.with-exec .row { grid-template-columns: 118px 28px 70px 190px 1fr; }
.row .t { font-variant-numeric: tabular-nums; color: #444; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.row .kind { font-size: 11px; text-transform: uppercase; letter-spacing: .03em; color: #777; }
.row .title { font-weight: 600; overflow-wrap: anywhere; }
.row .detail { overflow-wrap: anywhere; color: #333; }
.row .exec, .route .exec { color: #777; font-size: 12px; }
li.note .title, li.traffic .title { font-weight: 500; color: #555; }
li.alarm { background: #fafafa; }
li.alarm-alarm { background: var(--bad-bg); }
li.alarm-alarm .kind, li.alarm-alarm .title { color: var(--bad); }
li.alarm-ok .kind { color: var(--ok); }
li.rollback { background: var(--warn-bg); }
li.end-ok .title { color: var(--ok); }
li.end-bad .title { color: var(--bad); }
li.loop > details > summary { cursor: pointer; list-style: none; }
li.loop > details > summary::-webkit-details-marker { display: none; }
li.loop > details > summary .title::before { content: "▸ "; color: #888; }
li.loop > details[open] > summary .title::before { content: "▾ "; }
b.times { display: inline-block; padding: 0 6px; border-radius: 999px; background: #e3e8f5; color: #233a7a; font-size: 12px; }
figure.chart { margin: 0; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 0 0 6px; font-size: 13px; }
.swatch { display: inline-block; width: 18px; height: 4px; margin-right: 6px; vertical-align: middle; border-radius: 2px; }
.swatch.dashed { height: 0; border-top: 2px dashed; border-radius: 0; background: none; }
.swatch.vline { width: 0; height: 14px; border-left: 2px solid; border-radius: 0; background: none; margin: 0 8px 0 4px; }
svg.metrics { display: block; max-width: 100%; height: auto; }
.marker-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
details.markers, details.raw { margin-top: 8px; font-size: 13px; }
details.markers summary, details.raw summary { cursor: pointer; color: #333; }
details.raw pre { background: #f6f6f9; padding: 8px; border-radius: 4px; overflow: auto; max-height: 24em; font-size: 12px; }
`;
