// Renders a load-test report (markdown + two SVG charts) from its result JSON and the previous
// run of the same scenario. Pure: snapshot-tested against stored fixtures.
import { lineChart } from '../../loadkit/report/svg.ts';
import { int, ms, num, table } from '../../loadkit/report/markdown.ts';
import { AFTER_FAULT_MS, answered, burstSummary } from './fault-figures.ts';
import { fixedRateChartFiles, fixedRateCharts, fixedRateSection } from './fixed-rate.ts';
import type { FaultReport, FiguresWithFailures, LoadTestResult, ThresholdSpec } from './types.ts';

/** "http_req_duration{stage:spike} p(95)<500" */
export function thresholdName(t: ThresholdSpec): string {
  const tags = [t.stage && `stage:${t.stage}`, t.endpoint && `endpoint:${t.endpoint}`].filter(Boolean);
  return `${t.metric}${tags.length ? `{${tags.join(',')}}` : ''} ${t.expression}`;
}

export const chartFiles = (id: string) => ({ throughput: `${id}-throughput.svg`, latency: `${id}-latency.svg` });

const pct = (x: number) => `${num(100 * x, 3)}%`;
const verdict = (pass: boolean | null) => (pass === null ? '— not evaluated' : pass ? '✅ pass' : '❌ fail');
const TARGET_KIND = {
  'local-stack': 'the running local stack (`npm start`), reused',
  'local-started': 'a local stack started for this run (own database and Redis db), stopped after',
  explicit: 'given with `--target`',
} as const;

/** The chart files of a run: latency vs offered rate per endpoint for fixed-rate, else throughput and latency over time. */
export const chartFilesOf = (r: LoadTestResult): string[] =>
  r.fixedRate ? Object.values(fixedRateChartFiles(r.id, r.fixedRate)) : Object.values(chartFiles(r.id));

export function renderCharts(r: LoadTestResult): Record<string, string> {
  // Its probes and steps alternate: a series over time would show the steps as silence.
  if (r.fixedRate) return fixedRateCharts(r.id, r.fixedRate);
  const files = chartFiles(r.id);
  return {
    [files.throughput]: lineChart({
      title: `${r.scenario}: responses per second`,
      yUnit: 'responses per second',
      series: [
        { name: '2xx–3xx', color: '#2f9e44', values: r.timeline.map((p) => p.ok) },
        { name: 'failed (4xx, 5xx, errors)', color: '#e03131', values: r.timeline.map((p) => p.non2xx + p.errors) },
      ],
      markers: r.markers,
    }),
    [files.latency]: lineChart({
      title: `${r.scenario}: p95 latency per second`,
      yUnit: 'milliseconds',
      series: [{ name: 'p95', color: '#1c7ed6', values: r.timeline.map((p) => p.p95) }],
      markers: r.markers,
    }),
  };
}

/** "HIT-L1 97.1%, STALE 2.9%": which cache tier answered, from every response's X-Cache. */
function xCache(f: FiguresWithFailures): string {
  const c = Object.entries(f.xCache ?? {});
  const total = c.reduce((a, [, n]) => a + n, 0);
  return total
    ? c
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${num((100 * n) / total, 1)}%`)
        .join(', ')
    : '';
}

function figuresRow(label: string, f: FiguresWithFailures): string[] {
  return [
    label,
    int(f.requests),
    num(f.rps, 1),
    ms(f.latency.p50),
    ms(f.latency.p90),
    ms(f.latency.p95),
    ms(f.latency.p99),
    ms(f.latency.max),
    pct(f.failedRate),
    xCache(f),
  ];
}
const FIG_HEAD = ['responses', 'req/s', 'p50', 'p90', 'p95', 'p99', 'max', 'failed', 'X-Cache'];
const FIG_ALIGN = ['l', ...FIG_HEAD.map((h) => (h === 'X-Cache' ? 'l' : 'r'))] as ('l' | 'r')[];

function comparison(r: LoadTestResult, prev: LoadTestResult | null): string {
  if (!prev)
    return `No earlier report of the \`${r.scenario}\` scenario in \`load-tests/reports\`: this run is the baseline for the next.`;
  const rows: [string, number, number, (x: number) => string, boolean][] = [
    ['req/s', prev.overall.rps, r.overall.rps, (x) => num(x, 1), true],
    ['p50', prev.overall.latency.p50, r.overall.latency.p50, ms, false],
    ['p95', prev.overall.latency.p95, r.overall.latency.p95, ms, false],
    ['p99', prev.overall.latency.p99, r.overall.latency.p99, ms, false],
    ['failed', prev.overall.failedRate, r.overall.failedRate, pct, false],
  ];
  const change = (a: number, b: number, higherIsBetter: boolean) => {
    if (a === 0) return b === 0 ? 'same' : 'new';
    const d = (100 * (b - a)) / a;
    const better = higherIsBetter ? d > 0 : d < 0;
    return `${d > 0 ? '+' : ''}${num(d, 1)}%${Math.abs(d) >= 10 ? (better ? ' (better)' : ' (worse)') : ''}`;
  };
  // A stack started for each run gets new ports: same kind and runtime is the same target.
  const sameTarget =
    prev.target.kind === r.target.kind &&
    prev.target.runtime === r.target.runtime &&
    (r.target.kind === 'local-started' || prev.target.url === r.target.url);
  return [
    `Previous run: \`${prev.id}\` (${prev.startedAt}, ${prev.pass ? 'passed' : 'failed'}), target ${prev.target.url}${prev.target.runtime ? ` (${prev.target.runtime})` : ''}${sameTarget ? '' : ' — **a different target or runtime**: compare with care'}.`,
    '',
    table(
      ['', 'previous', 'this run', 'change'],
      [
        ...rows.map(([name, a, b, f, hib]) => [name, f(a), f(b), change(a, b, hib)]),
        [
          'thresholds',
          prev.pass ? 'pass' : 'fail',
          r.pass ? 'pass' : 'fail',
          prev.pass === r.pass ? 'same' : r.pass ? 'now passing' : 'now failing',
        ],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    'Both runs share this machine with other work (see the load averages); a change under about 10% is within noise here.',
  ].join('\n');
}

/** Distinct error responses (request ids aside), with how many of the kept samples look alike. */
function errorSamples(r: LoadTestResult): string {
  if (!r.errorSamples.length) return 'No error responses.';
  const groups = new Map<string, { s: LoadTestResult['errorSamples'][number]; n: number }>();
  for (const s of r.errorSamples) {
    const key = `${s.status} ${s.method} ${s.path} ${s.body.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { s, n: 1 });
  }
  const lines = [...groups.values()].map(
    ({ s, n }) =>
      `- **${s.status}** \`${s.method} ${s.path}\`${n > 1 ? ` (×${n})` : ''}: \`${s.body.replace(/\s+/g, ' ').replace(/`/g, "'")}\``,
  );
  return `Up to three kept per status and endpoint:\n\n${lines.join('\n')}`;
}

const counts = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${int(n)}`)
    .join(', ');

/** The faults scenario: timeline, figures per fault window, stale-if-error per endpoint, the dropped client. */
export function faultsSection(f: FaultReport): string {
  const bound = f.dbTimeoutMs + 1000;
  const windows = table(
    [
      'window',
      'from–to',
      'responses',
      '2xx',
      '503 + Retry-After',
      'other statuses',
      'no response',
      'p99',
      'max',
      'statements hit',
    ],
    f.windows.map((w) => [
      w.fromS === null ? 'no fault (all the rest)' : w.label,
      w.fromS === null ? '' : `${num(w.fromS, 1)}–${num(w.toS ?? w.fromS, 1)} s`,
      int(w.responses),
      int(w.ok),
      w.afterFault503
        ? `${int(w.retryable503)} (${int(w.afterFault503)} within ${AFTER_FAULT_MS / 1000} s after a fault)`
        : int(w.retryable503),
      counts({ ...w.other, ...(w.bare503 ? { '503 without Retry-After': w.bare503 } : {}) }) || '0',
      int(w.noResponse),
      ms(w.p99),
      ms(w.max),
      w.applied === null ? (w.fromS === null ? '' : 'unknown') : int(w.applied),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r'],
  );
  const tiers = (o: Record<string, number>) => counts(o) || '—';
  const during = f.duringFaults.length
    ? table(
        ['endpoint', 'responses', '2xx', '503 + Retry-After', 'other', 'X-Cache of the 2xx'],
        f.duringFaults.map((e) => [
          `\`${e.endpoint}\``,
          int(e.responses),
          int(e.ok),
          int(e.retryable503),
          int(e.other),
          tiers(e.okXCache),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'l'],
      )
    : "No response completed inside a Vitess error's window.";
  const stats = f.duringFaults.filter((e) => e.endpoint.startsWith('GET /stats/'));
  const staleNote = stats.length
    ? stats.some((e) => e.okXCache.STALE)
      ? "A stats response marked STALE was served from a copy past its freshness whose revalidation needed the failing database: stale-if-error. HIT-L1 ones came from the isolate's own copy before it lapsed."
      : 'No stats response was STALE: every one came from a copy still fresh, so the database was not asked and stale-if-error was not exercised.'
    : '';
  return `## Faults

Injected on the Worker's own PlanetScale gateway (${f.gateway}, the reader role its DATABASE_URL names) with \`POST /__gateway/faults\`.
Each Vitess error fails every statement for its window, inside a 200 reply, as PlanetScale does during failovers and overload;
at its start the stats copies in the cache are aged past their freshness, so stats can only be revalidated from the failing database.

${table(
  ['at', 'event'],
  f.timeline.map((e) => [`${num(e.at, 1)} s`, e.event]),
  ['r', 'l'],
)}

Responses by the window they completed in; "statements hit" is the gateway's own count of statements the fault applied to:

${windows}

During the Vitess errors, per endpoint. X-Cache of the 2xx: HIT from a fresh copy, STALE from one past its freshness, none when no cache answered (\`/simulate\` needs no database; a page or record answered 2xx there was read before the fault):

${during}
${staleNote ? `\n${staleNote}\n` : ''}
${dropSection(f, bound)}`;
}

function dropSection(f: FaultReport, bound: number): string {
  const d = f.drop;
  if (!d) return 'The client drop did not run (see the notes).';
  const b = burstSummary(d.burst);
  const first = d.first.aborted
    ? `was aborted after ${d.abortAfterMs} ms, unanswered, as planned`
    : `was answered (${d.first.status ?? d.first.error ?? 'no status'}) after ${d.first.ms} ms, before the abort: the hold did not catch it, so the drop was not exercised`;
  const late = d.burst.filter((x) => x.ms > bound).length;
  const bad = d.burst.filter((x) => !answered(x));
  return `### Client drop

\`${d.method} ${d.path}\`${d.coldKey ? ', whose total was not cached,' : d.coldKey === null ? ' (the cache could not be checked for its total)' : ''} was sent while the gateway held the next statement matching \`${d.match}\` for ${int(d.holdMs)} ms; the request ${first}.
Then ${b.sent} concurrent requests for the same key: ${b.answered} of ${b.sent} answered 2xx or 503 with Retry-After (${counts(b.statuses)}), the slowest in ${ms(b.maxMs)} (bound ${ms(bound)}: DB_TIMEOUT_MS + 1 s)${late ? `, ${late} later than that` : ''}.${b.statuses['200'] ? ` Their 200s carried ${d.distinctTotals} distinct total${d.distinctTotals === 1 ? '' : 's'}.` : ''}
${bad.length ? `\nNot answered: ${bad.map((x) => `${x.status ?? 'no response'}${x.status === 503 ? ' without Retry-After' : ''}${x.error ? ` (${x.error.replace(/`/g, "'")})` : ''} after ${ms(x.ms)}`).join('; ')}.\n` : ''}`;
}

export function render(r: LoadTestResult, previous: LoadTestResult | null): string {
  const files = chartFiles(r.id);
  const byEndpoint = (code: string) =>
    r.endpoints
      .filter((e) => e.status[code])
      .map((e) => `\`${e.endpoint}\` ${int(e.status[code]!)}`)
      .join(', ');
  const statusRows = Object.entries(r.overall.status)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => [code, int(n), pct(n / Math.max(1, r.overall.requests)), byEndpoint(code)]);
  const errs = r.connectionErrors.map((e) => [`no response: ${e.kind}`, int(e.count), '', '']);
  const skipped = r.thresholds.filter((t) => t.pass === null).length;
  return `# Load test: ${r.scenario} — ${r.pass ? 'PASS' : 'FAIL'}${skipped ? ` (${skipped} threshold${skipped > 1 ? 's' : ''} not evaluated)` : ''}

${r.summary}

> **Machine.** ${r.machine.cores} cores (${r.machine.cpuModel}), shared with other work; load average ${r.machine.loadAvgStart.map((x) => num(x)).join(' / ')} at start, ${r.machine.loadAvgEnd.map((x) => num(x)).join(' / ')} at end.
> The load generator (autocannon ${r.machine.autocannon}, one worker thread) takes about one core${r.target.kind === 'explicit' ? '' : ', which the local Worker runtime, gateways and MariaDB then do not have'}.

## Run

${table(
  ['', ''],
  [
    [
      'Target',
      `${r.target.url}: ${TARGET_KIND[r.target.kind]}${r.target.runtime ? `; runtime ${r.target.runtime}` : ''}`,
    ],
    ['Started', `${r.startedAt}; ${num(r.durationS, 1)} s of traffic (planned ${r.settings.plannedDurationS} s)`],
    [
      'Stages',
      r.settings.stages.map((s) => `${s.label}: ${s.connections} connections for ${s.durationS} s`).join('; ') +
        (r.fixedRate
          ? `; after each probe, open-loop steps at ${r.fixedRate.endpoints[0]?.steps.map((s) => `${Math.round(100 * s.share)} %`).join(', ') || 'shares'} of its rate, ${r.fixedRate.step.warmupS} s warm-up + ${r.fixedRate.step.durationS} s each`
          : ''),
    ],
    [
      'Traffic',
      `${r.settings.traffic}: ${r.settings.weights.map((w) => `${w.endpoint} ${num(w.weight, 1)}%`).join(', ')} (${r.settings.distinctRequests} distinct requests)`,
    ],
    [
      'Generator',
      `autocannon ${r.machine.autocannon}, worker-thread mode (workers: 1)${r.fixedRate ? ' for the probes; loadkit/http/open-loop.ts (fixed arrival rate, in process) for the steps' : ''}, Node ${r.machine.node}`,
    ],
  ],
)}

## Thresholds

${table(
  ['threshold', 'why', 'measured', 'verdict'],
  r.thresholds.map((t) => [
    `\`${thresholdName(t)}\``,
    t.source ?? '',
    t.actual === null ? (t.note ?? '') : num(t.actual, 3),
    verdict(t.pass),
  ]),
)}

${r.pass ? 'Every evaluated threshold passes.' : 'At least one threshold fails: `npm run load-test` exits with status 1.'}${skipped ? ' A threshold that could not be evaluated (see "measured") neither passes nor fails the run, as in k6; read it as a check that did not happen.' : ''}
${r.faults ? `\n${faultsSection(r.faults)}` : ''}${r.fixedRate ? `\n${fixedRateSection(r.id, r.fixedRate)}` : ''}
## ${r.fixedRate ? 'Saturation probes (closed loop)' : 'Latency and throughput'}

${table(['scope', ...FIG_HEAD], [figuresRow('all requests', r.overall), ...(r.stages.length > 1 ? r.stages.map((s) => figuresRow(`stage ${s.label} (${s.connections} conn.)`, s)) : [])], FIG_ALIGN)}

Per endpoint:

${table(
  ['endpoint', ...FIG_HEAD],
  r.endpoints.map((e) => figuresRow(`\`${e.endpoint}\``, e)),
  FIG_ALIGN,
)}

Percentiles are over every response (nearest rank, autocannon's clock), whatever its status. "Failed" counts
responses outside 200–399 and requests that got no response. X-Cache tallies the header of every response.
${
  r.fixedRate
    ? ''
    : `
![Responses per second](${files.throughput})

![p95 latency per second](${files.latency})
`
}
## Status codes

${table(['status', 'count', 'share', 'by endpoint'], [...statusRows, ...errs], ['l', 'r', 'r', 'l'])}

## Error samples

${errorSamples(r)}

## Compared with the previous run

${comparison(r, previous)}
${r.notes.length ? `\n## Notes\n\n${r.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}
