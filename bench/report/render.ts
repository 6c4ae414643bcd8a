// Renders bench/reports/PERFORMANCE.md and its SVG charts from a run's result JSON. Pure: the
// same result gives the same text (snapshot-tested against a stored fixture).
import { barChart } from '../../loadkit/report/svg.ts';
import { BATCH_ENDPOINT_ID, batchPerPerson } from './batch.ts';
import { renderEtl } from './etl-section.ts';
import { renderFetchFloor } from './fetch-floor-section.ts';
import { fixedRateCharts, renderFixedRate } from './fixed-rate-section.ts';
import { renderPauses } from './pauses-section.ts';
import { int, ms, num, table } from '../../loadkit/report/markdown.ts';
import { DESIGN_NOTE, PUBLISHED, PUBLISHED_CONDITIONS } from './published.ts';
import { verdictMark, verdicts } from './verdicts.ts';
import type { EndpointResult, InstructionFigures, PerformanceResult, Runtime, RuntimeResult } from './types.ts';

export const CHART_FILES = { rps: 'performance-rps.svg', p99: 'performance-p99.svg' } as const;
const COLORS: Record<Runtime, string> = { workerd: '#f38020', miniflare: '#4a78b5' };
const RUNTIME_NAME: Record<Runtime, string> = { workerd: 'plain workerd', miniflare: 'Miniflare' };

export const UNCACHED_METHOD = [
  'a twin of the API built from `bench/http/uncached-entry.ts`: the same `createApp` with the real PlanetScale store',
  'and Upstash cache, wired by `src/wiring.ts` as the Worker is, with two changes to what its cache sees: the clock jumps',
  'two days at every reading, and what an L2 read returns is re-stamped as loaded at time 0. The L2 round trip still',
  'happens, but every copy (L1, L2, stale) is expired when looked up, so each request takes the miss path: L2 read,',
  'database load (single-flight: concurrent misses share one load, as in production) and L2 write in `waitUntil`.',
  'The twin has its own Upstash database (Redis db + 4), emptied of the stats keys before it starts, so its writes',
  "never reach the API's. Bindings alone cannot do this: with `CACHE_L1_TTL_MS=0` and a failing or empty Upstash, the",
  'isolate still answers from its in-memory copy as `STALE` (stale-while-revalidate), which measures memory, not the',
  'database. The X-Cache column shows what each response said: the uncached runs must read `MISS` throughout.',
].join('\n');

/** Rows of the chart and side-by-side table: the ceiling, then the endpoints in plan order. */
function rowIds(result: PerformanceResult): { id: string; label: string }[] {
  const seen = new Map<string, string>([['ceiling', 'ceiling (hello-world Worker)']]);
  for (const r of result.runtimes) for (const e of r.endpoints) if (!seen.has(e.id)) seen.set(e.id, e.label);
  return [...seen].map(([id, label]) => ({ id, label }));
}

const ceilingRps = (r: RuntimeResult) => (r.ceilingAfter ? (r.ceiling.rps + r.ceilingAfter.rps) / 2 : r.ceiling.rps);

/** The floor run an endpoint of the API (or its twin) is compared with: the floor of its method. */
function floorOf(r: RuntimeResult, e: Pick<EndpointResult, 'instance' | 'method'>): EndpointResult | undefined {
  if (e.instance !== 'api' && e.instance !== 'uncached') return undefined;
  return r.endpoints.find((x) => x.id === (e.method === 'POST' ? 'floor-post' : 'floor-get'));
}

/** An endpoint's req/s over its floor's in the same runtime and run; null without a floor run. */
export function ratioToFloor(r: RuntimeResult, e: EndpointResult): number | null {
  const f = floorOf(r, e);
  return f && f.figures.rps > 0 ? e.figures.rps / f.figures.rps : null;
}

function figure(r: RuntimeResult, id: string) {
  if (id === 'ceiling')
    return {
      rps: ceilingRps(r),
      p99: Math.max(r.ceiling.latency.p99, r.ceilingAfter?.latency.p99 ?? 0),
      ratio: 1,
      floor: null,
    };
  const e = r.endpoints.find((x) => x.id === id);
  return e
    ? { rps: e.figures.rps, p99: e.figures.latency.p99, ratio: e.ratioToCeiling, floor: ratioToFloor(r, e) }
    : null;
}

export function renderCharts(result: PerformanceResult): Record<string, string> {
  const rows = rowIds(result);
  const series = (pick: (f: NonNullable<ReturnType<typeof figure>>) => number) =>
    result.runtimes.map((r) => ({
      name: RUNTIME_NAME[r.runtime],
      color: COLORS[r.runtime],
      values: rows.map((row) => {
        const f = figure(r, row.id);
        return f ? pick(f) : null;
      }),
    }));
  return {
    [CHART_FILES.rps]: barChart({
      title: 'Throughput per endpoint (higher is better)',
      unit: 'requests per second',
      categories: rows.map((r) => r.label),
      series: series((f) => f.rps),
    }),
    [CHART_FILES.p99]: barChart({
      title: 'p99 latency per endpoint (lower is better)',
      unit: 'milliseconds',
      categories: rows.map((r) => r.label),
      series: series((f) => f.p99),
    }),
    ...fixedRateCharts(result.fixedRate),
  };
}

function environment(result: PerformanceResult): string {
  const e = result.environment;
  const h = result.http;
  return table(
    ['', ''],
    [
      [
        'Date',
        `${result.startedAt} (${result.quick ? '`--quick`' : 'full run'}, ${int(result.totalSeconds)} s in all)`,
      ],
      ['CPU', `${e.cpuModel}, ${e.cores} cores; ${num(e.memoryGb, 1)} GB RAM; ${e.os}`],
      [
        'Load average (1/5/15 min)',
        `${e.loadAvgStart.map((x) => num(x)).join(' / ')} at start, ${e.loadAvgEnd.map((x) => num(x)).join(' / ')} at end`,
      ],
      ['Node', e.node],
      ['Runtimes', `workerd ${e.workerd} (npm package); Miniflare ${e.miniflare}`],
      [
        'Load generator',
        `autocannon ${e.autocannon}, worker-thread mode (workers: ${h.workers}), ${h.connections} connections, ${h.durationS} s per run after a ${h.warmupS} s warm-up`,
      ],
      ['Micro-benchmarks', `tinybench ${e.tinybench}`],
      [
        'Dataset',
        `${int(e.datasetRows)} rows (${int(e.validRecords)} valid) in database \`${e.database}\`, cache in Redis db ${e.redisDb}, loaded through the real ETL`,
      ],
    ],
  );
}

function sideBySide(result: PerformanceResult): string {
  const header = ['endpoint'];
  for (const r of result.runtimes) header.push(`${RUNTIME_NAME[r.runtime]} req/s`, '× ceiling', '× floor', 'p99');
  const rows = rowIds(result).map((row) => {
    const cells: string[] = [row.label];
    for (const r of result.runtimes) {
      const f = figure(r, row.id);
      cells.push(
        f ? int(f.rps) : '—',
        f?.ratio != null ? num(f.ratio) : '—',
        f?.floor != null ? num(f.floor) : '—',
        f ? ms(f.p99) : '—',
      );
    }
    return cells;
  });
  return table(
    header,
    rows,
    header.map((_, i) => (i === 0 ? 'l' : 'r')),
  );
}

/** X-Cache as the client saw it (every response's header). */
function cacheCell(e: EndpointResult): string {
  const c = e.figures.xCache ?? {};
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  if (!total) return '—';
  return Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${num((100 * v) / total, 1)}%`)
    .join(', ');
}

/** Responses over the slow mark, and in how many bursts they came (slowBursts). */
function tailCell(f: EndpointResult['figures']): string {
  const t = f.tail;
  if (!t) return '—';
  if (!t.slow) return '0';
  return `${num((100 * t.slow) / Math.max(1, f.requests), 2)}% in ${int(t.bursts)} burst${t.bursts === 1 ? '' : 's'} (median ${int(t.medianBurst)})`;
}

function runtimeDetail(r: RuntimeResult): string {
  const head = [
    'run',
    'req/s',
    '× ceiling',
    'p50',
    'p90',
    'p95',
    'p99',
    'max',
    'over 20 ms',
    'responses',
    'non-2xx',
    'errors',
    'X-Cache',
    'db stmts / req',
    'CPU µs / resp',
    'CPU × ceiling',
    'load avg',
  ];
  const ceilingCpu = [r.ceiling, r.ceilingAfter]
    .map((f) => f?.cpuUsPerResponse)
    .filter((x): x is number => x !== undefined);
  const cpuRef = ceilingCpu.length ? ceilingCpu.reduce((a, b) => a + b, 0) / ceilingCpu.length : undefined;
  const row = (label: string, f: EndpointResult['figures'], e?: EndpointResult) => [
    label,
    int(f.rps),
    e?.ratioToCeiling != null ? num(e.ratioToCeiling) : '—',
    ms(f.latency.p50),
    ms(f.latency.p90),
    ms(f.latency.p95),
    ms(f.latency.p99),
    ms(f.latency.max),
    tailCell(f),
    int(f.requests),
    int(f.non2xx),
    int(f.errors),
    e ? cacheCell(e) : '—',
    e?.server ? num(e.server.dbStatements / Math.max(1, e.server.responses ?? f.requests), 3) : '—',
    f.cpuUsPerResponse !== undefined ? num(f.cpuUsPerResponse, 1) : '—',
    e && f.cpuUsPerResponse && cpuRef !== undefined ? num(cpuRef / f.cpuUsPerResponse) : '—',
    e ? num(e.loadAvg1) : '—',
  ];
  const rows = [row('ceiling (first)', r.ceiling), ...r.endpoints.map((e) => row(e.label, e.figures, e))];
  if (r.ceilingAfter) rows.push(row('ceiling (last)', r.ceilingAfter));
  const drift = r.ceilingAfter
    ? ` The ceiling moved ${num((100 * (r.ceilingAfter.rps - r.ceiling.rps)) / (r.ceiling.rps || 1), 1)}% between the first and last run; ratios use the mean of the two (${int(ceilingRps(r))} req/s).`
    : '';
  const logs = r.endpoints
    .filter((e) => e.workerLog.lines > 0)
    .map(
      (e) =>
        `- ${e.label}: ${int(e.workerLog.lines)} line${e.workerLog.lines === 1 ? '' : 's'}, e.g. ${e.workerLog.samples
          .slice(0, 2)
          .map((x) => `\`${x.replace(/`/g, "'")}\``)
          .join('; ')}`,
    );
  const logText = logs.length
    ? `\n\nLines the Worker and the runtime logged during these runs:\n\n${logs.join('\n')}`
    : '';
  const errors = r.endpoints.flatMap((e) =>
    (e.errorSamples ?? []).map(
      (x) => `- ${e.label}: **${x.status}** \`${x.path}\`: \`${x.body.replace(/\s+/g, ' ').replace(/`/g, "'")}\``,
    ),
  );
  const errorText = errors.length
    ? `\n\nError responses (distinct, as the client got them):\n\n${errors.join('\n')}`
    : '';
  // The same failure in every run differs only by its request id: say it once.
  const scrapeErrors = [
    ...new Set(r.endpoints.map((e) => e.serverError?.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…')).filter(Boolean)),
  ];
  const scrapeText = scrapeErrors.length
    ? `\n\nThe db column is empty where the Worker's counters could not be read: ${scrapeErrors.map((e) => `\`${e}\``).join('; ')}.`
    : '';
  const tailNote = r.endpoints.some((e) => e.figures.tail?.slow)
    ? ' "Over 20 ms": the responses slower than 20 ms, grouped into bursts of responses that completed within 5 ms of each other. A burst about as wide as the connection count is every connection waiting at once, a pause of the whole process or isolate rather than slow requests.'
    : '';
  return `### ${RUNTIME_NAME[r.runtime]}\n\n${table(
    head,
    rows,
    head.map((_, i) => (i === 0 || i === 12 ? 'l' : 'r')),
  )}\n\n${`${drift.trim()}${tailNote}`.trim()}${scrapeText}${errorText}${logText}`;
}

function instructionsSection(result: PerformanceResult): string {
  const ins = result.instructions;
  if (!ins) return 'Not counted in this run.';
  if (!ins.ceiling) return `Not counted: ${ins.skipped ?? 'no figures'}.`;
  const row = (f: InstructionFigures) => [
    f.label,
    int(f.perResponse),
    f.ratioToCeiling != null ? num(f.ratioToCeiling) : '—',
    f.windows.map((w) => int(w)).join(' / '),
  ];
  const rows = [row({ ...ins.ceiling, label: 'ceiling (hello-world Worker)' }), ...ins.endpoints.map(row)];
  return `${table(['endpoint', 'instructions / response', '× ceiling', 'each window'], rows, ['l', 'r', 'r', 'r'])}
${batchSection(ins)}
The instructions the workerd process executed per response (user space, every thread), counted by
${ins.tool} (callgrind) with plain workerd serving the production bundle (the floor Worker for the floor rows) on the same local stack:
${int(ins.warmup)} responses of warm-up, then ${ins.windows} windows of ${int(ins.perWindow)} responses each (${ins.connections} connections), the
median window taken, with V8 in \`--predictable\` mode (compilation and garbage collection on the
isolate's thread, in a fixed order), so the count repeats from run to run to within about 2 % and
compares builds where req/s cannot. "× ceiling" is the ceiling's count over the endpoint's. The
kernel's work per response (sockets), the same for every endpoint, is not counted, so req/s ratios
sit closer to 1 than these.`;
}

/** The batch's cost per person next to one /simulate response; empty when either was not counted. */
function batchSection(ins: NonNullable<PerformanceResult['instructions']>): string {
  const b = batchPerPerson(ins);
  if (!b) return '';
  const rows = [
    [`\`POST /simulate/batch\` (${b.persons} persons), per response`, int(b.batchPerResponse)],
    [`per person (÷ ${b.persons})`, int(b.perPerson)],
    ['`POST /simulate`, per response', int(b.simulatePerResponse)],
    ['per person ÷ one `/simulate` response', `${num(b.ratio, 3)} (target ≤ ${b.target}): ${verdictMark(b.pass)}`],
  ];
  const own = ins.endpoints.find((e) => e.id === BATCH_ENDPOINT_ID);
  const windows =
    own?.perWindow !== undefined && own.warmup !== undefined
      ? ` The batch ran ${int(own.warmup)} responses of warm-up and windows of ${int(own.perWindow)} responses (${int(own.perWindow * b.persons)} persons each).`
      : '';
  return `
**Batch scoring, per person.** One response of the batch endpoint divided by its persons, against one response of
\`POST /simulate\` (the same bodies), both counted in this run.${windows}

${table(['', 'instructions'], rows, ['l', 'r'])}
`;
}

/** What the floor runs bound (plain workerd): not a criterion, the most the runtime and the contract leave. */
function floorNote(result: PerformanceResult): string {
  const wd = result.runtimes.find((r) => r.runtime === 'workerd');
  const floors = (['floor-get', 'floor-post'] as const)
    .map((id) => wd?.endpoints.find((e) => e.id === id))
    .filter((e): e is EndpointResult => e !== undefined);
  if (!floors.length) return '';
  const said = floors.map(
    (f) =>
      `${f.method === 'POST' ? 'a POST that reads a JSON body' : 'a GET'} ${int(f.figures.rps)} req/s = ${f.ratioToCeiling != null ? num(f.ratioToCeiling) : '—'} × ceiling (p99 ${ms(f.figures.latency.p99)})`,
  );
  return `

**The floor, for reference (not a criterion).** The app's request pipeline with no route work (\`bench/http/floor-entry.ts\`: Hono, the request context and every common header the contract requires (docs/api.md#common-headers), no key check, no data) answered ${said.join('; ')}. An endpoint of this contract does at least that much work, so its share of the ceiling is bounded by its floor's, up to run-to-run noise. "× floor" below is an endpoint's req/s over the floor of its method: 1.00 would be a route whose own work costs nothing.`;
}

function micro(result: PerformanceResult): string {
  const rows = result.micro.map((m) =>
    m.state === 'completed'
      ? [
          m.label,
          `${num(m.meanUs, 3)} µs`,
          `${num(m.p50Us, 3)} µs`,
          `${num(m.p99Us, 3)} µs`,
          `±${num(m.rmePct, 1)}%`,
          int(m.callsPerSecond),
          m.unitsPerCall > 1 ? `${int(m.unitsPerSecond)} ${m.unit}/s` : '',
          int(m.samples),
        ]
      : [m.label, `failed: ${m.error ?? 'unknown'}`, '', '', '', '', '', ''],
  );
  return table(['task (per call)', 'mean', 'p50', 'p99', 'rme', 'calls/s', 'units/s', 'samples'], rows, [
    'l',
    'r',
    'r',
    'r',
    'r',
    'r',
    'r',
    'r',
  ]);
}

export function render(result: PerformanceResult): string {
  const v = verdicts(result);
  const failed = v.filter((x) => x.pass === false).length;
  const measuredCount = v.filter((x) => x.pass !== null).length;
  return `# Performance report

Generated by \`npm run bench${result.quick ? ' -- --quick' : ''}\`. Every figure in this report was measured in this run, on this machine, unless it
is explicitly marked as published elsewhere. Compare a figure only with the ceiling of the same runtime in the same run.

> **Machine.** ${result.environment.cores} cores, shared with other work. The load generator (autocannon, one worker thread) needs about
> one core, so the Worker runtime, gateways and MariaDB share the rest: every req/s figure here is the capacity of that pair
> on this machine, not of the Worker alone. Figures from Miniflare include its development proxy; plain workerd is how
> production runs the bundle.

## Environment

${environment(result)}

## Acceptance (plain workerd)

${table(
  ['criterion', 'measured', 'verdict'],
  v.map((x) => [x.criterion, x.measured, verdictMark(x.pass)]),
)}

${measuredCount ? `${measuredCount - failed} of ${measuredCount} measured criteria pass.` : 'Plain workerd was not measured in this run.'}${floorNote(result)}

## HTTP: both runtimes side by side

${sideBySide(result)}

![Throughput per endpoint](${CHART_FILES.rps})

![p99 latency per endpoint](${CHART_FILES.p99})

Latency percentiles are over every response of a run (autocannon's own clock, nearest rank), whatever its status.
"× ceiling" is the endpoint's req/s over the hello-world Worker's req/s in the same runtime and run.
"CPU µs / resp" is the CPU time the workerd process spent per response over the whole run (plain
workerd only: Miniflare's workerd sits behind its Node proxy), and "CPU × ceiling" the ceiling's
CPU per response over the endpoint's: roughly what the req/s ratio would be if workerd had a core
of its own and were the bottleneck. req/s says how fast the Worker answered on this machine; CPU
per response says what each answer cost the runtime itself (the gateways and databases behind a
subrequest are other processes, not counted).

## HTTP: every figure

${result.runtimes.map(runtimeDetail).join('\n\n')}

X-Cache is the header of every response, tallied by the load generator; db statements per request come from the
Worker's own \`GET /metrics\`, read before and after each run;
"load avg" is the machine's 1-minute load average when the run started (the machine is shared).

${renderFixedRate(result.fixedRate)}${renderPauses(result.pauses)}## Instructions per response (plain workerd under callgrind)

${instructionsSection(result)}

${renderFetchFloor(result.fetchFloor)}## How it was measured

- Each run: ${result.http.connections} connections from one autocannon worker thread to 127.0.0.1 for ${result.http.warmupS + result.http.durationS} s. The
  first ${result.http.warmupS} s after the first response are a warm-up, left out of the figures (it also fills the caches for the
  cached stats); the rest is measured. The ceiling Worker answers \`{"status":"ok"}\` with no app and no I/O, in the
  same runtime, and is measured first and last. The floor Worker (\`bench/http/floor-entry.ts\`, built like the
  production bundle) is the app's own request pipeline with no route work: \`GET /\` answers \`{"status":"ok"}\` with
  the common headers, and \`POST /\` first reads its body under the contract's JSON body rules (the same 64 bodies as
  \`POST /simulate\`).
- \`POST /simulate\` cycles through 64 valid bodies; \`/records/:id\` through ${int(result.http.recordIdPool)} random valid ids; the last page of
  \`/records\` is page ${int(result.http.recordsLastPage)} (\`total_pages\` of page 1 at limit 20, or the valid rows ÷ 20 when page 1 failed).
- Uncached stats: ${UNCACHED_METHOD.split('\n').join('\n  ')}

## Micro-benchmarks (tinybench, Node ${result.environment.node})

${micro(result)}

## ETL benchmark

${renderEtl(result.etl)}

## The replaced service's published figures

**Published, on other hardware, not a side-by-side measurement.** Quoted as published in its performance report
(2026-02-17). Conditions: ${PUBLISHED_CONDITIONS} Its database was remote, so its latencies include a network
round trip this run does not have, and its throughput figure was computed from one 12 ms request, not measured.

${table(
  ['what', 'published', 'how it was obtained'],
  PUBLISHED.map((p) => [p.what, p.published, p.how]),
)}

${DESIGN_NOTE}
`;
}
