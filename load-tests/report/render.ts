// Renders a load-test report (markdown + two SVG charts) from its result JSON and the previous
// run of the same scenario. Pure: snapshot-tested against stored fixtures.
import { lineChart } from '../../bench/report/svg.ts';
import { int, ms, num, table } from '../../bench/report/markdown.ts';
import { thresholdName } from '../thresholds.ts';
import type { FiguresWithFailures, LoadTestResult } from './types.ts';

export const chartFiles = (id: string) => ({ throughput: `${id}-throughput.svg`, latency: `${id}-latency.svg` });

const pct = (x: number) => `${num(100 * x, 3)}%`;
const verdict = (pass: boolean | null) => (pass === null ? '— not evaluated' : pass ? '✅ pass' : '❌ fail');
const TARGET_KIND = {
  'local-stack': 'the running local stack (`npm start`), reused',
  'local-started': 'a local stack started for this run (own database and Redis db), stopped after',
  explicit: 'given with `--target`',
} as const;

export function renderCharts(r: LoadTestResult): Record<string, string> {
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
  return total ? c.sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${num((100 * n) / total, 1)}%`).join(', ') : '';
}

function figuresRow(label: string, f: FiguresWithFailures): string[] {
  return [label, int(f.requests), num(f.rps, 1), ms(f.latency.p50), ms(f.latency.p90), ms(f.latency.p95), ms(f.latency.p99), ms(f.latency.max), pct(f.failedRate), xCache(f)];
}
const FIG_HEAD = ['responses', 'req/s', 'p50', 'p90', 'p95', 'p99', 'max', 'failed', 'X-Cache'];
const FIG_ALIGN = ['l', ...FIG_HEAD.map((h) => (h === 'X-Cache' ? 'l' : 'r'))] as ('l' | 'r')[];

function comparison(r: LoadTestResult, prev: LoadTestResult | null): string {
  if (!prev) return `No earlier report of the \`${r.scenario}\` scenario in \`load-tests/reports\`: this run is the baseline for the next.`;
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
  const sameTarget = prev.target.kind === r.target.kind && prev.target.runtime === r.target.runtime && (r.target.kind === 'local-started' || prev.target.url === r.target.url);
  return [
    `Previous run: \`${prev.id}\` (${prev.startedAt}, ${prev.pass ? 'passed' : 'failed'}), target ${prev.target.url}${prev.target.runtime ? ` (${prev.target.runtime})` : ''}${sameTarget ? '' : ' — **a different target or runtime**: compare with care'}.`,
    '',
    table(['', 'previous', 'this run', 'change'], [
      ...rows.map(([name, a, b, f, hib]) => [name, f(a), f(b), change(a, b, hib)]),
      ['thresholds', prev.pass ? 'pass' : 'fail', r.pass ? 'pass' : 'fail', prev.pass === r.pass ? 'same' : r.pass ? 'now passing' : 'now failing'],
    ], ['l', 'r', 'r', 'r']),
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
  const lines = [...groups.values()].map(({ s, n }) => `- **${s.status}** \`${s.method} ${s.path}\`${n > 1 ? ` (×${n})` : ''}: \`${s.body.replace(/\s+/g, ' ').replace(/`/g, "'")}\``);
  return `Up to three kept per status and endpoint:\n\n${lines.join('\n')}`;
}

export function render(r: LoadTestResult, previous: LoadTestResult | null): string {
  const files = chartFiles(r.id);
  const byEndpoint = (code: string) =>
    r.endpoints.filter((e) => e.status[code]).map((e) => `\`${e.endpoint}\` ${int(e.status[code]!)}`).join(', ');
  const statusRows = Object.entries(r.overall.status).sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, int(n), pct(n / Math.max(1, r.overall.requests)), byEndpoint(code)]);
  const errs = r.connectionErrors.map((e) => [`no response: ${e.kind}`, int(e.count), '', '']);
  const skipped = r.thresholds.filter((t) => t.pass === null).length;
  return `# Load test: ${r.scenario} — ${r.pass ? 'PASS' : 'FAIL'}${skipped ? ` (${skipped} threshold${skipped > 1 ? 's' : ''} not evaluated)` : ''}

${r.summary}

> **Machine.** ${r.machine.cores} cores (${r.machine.cpuModel}), shared with other work; load average ${r.machine.loadAvgStart.map((x) => num(x)).join(' / ')} at start, ${r.machine.loadAvgEnd.map((x) => num(x)).join(' / ')} at end.
> The load generator (autocannon ${r.machine.autocannon}, one worker thread) takes about one core${r.target.kind === 'explicit' ? '' : ', which the local Worker runtime, gateways and MariaDB then do not have'}.

## Run

${table(['', ''], [
    ['Target', `${r.target.url}: ${TARGET_KIND[r.target.kind]}${r.target.runtime ? `; runtime ${r.target.runtime}` : ''}`],
    ['Started', `${r.startedAt}; ${num(r.durationS, 1)} s of traffic (planned ${r.settings.plannedDurationS} s)`],
    ['Stages', r.settings.stages.map((s) => `${s.label}: ${s.connections} connections for ${s.durationS} s`).join('; ')],
    ['Traffic', `${r.settings.traffic}: ${r.settings.weights.map((w) => `${w.endpoint} ${num(w.weight, 1)}%`).join(', ')} (${r.settings.distinctRequests} distinct requests)`],
    ['Generator', `autocannon ${r.machine.autocannon}, worker-thread mode (workers: 1), Node ${r.machine.node}`],
  ])}

## Thresholds

${table(['threshold', 'why', 'measured', 'verdict'], r.thresholds.map((t) => [`\`${thresholdName(t)}\``, t.source ?? '', t.actual === null ? (t.note ?? '') : num(t.actual, 3), verdict(t.pass)]))}

${r.pass ? 'Every evaluated threshold passes.' : 'At least one threshold fails: `npm run load-test` exits with status 1.'}${skipped ? ' A threshold that could not be evaluated (see "measured") neither passes nor fails the run, as in k6; read it as a check that did not happen.' : ''}

## Latency and throughput

${table(['scope', ...FIG_HEAD], [figuresRow('all requests', r.overall), ...(r.stages.length > 1 ? r.stages.map((s) => figuresRow(`stage ${s.label} (${s.connections} conn.)`, s)) : [])], FIG_ALIGN)}

Per endpoint:

${table(['endpoint', ...FIG_HEAD], r.endpoints.map((e) => figuresRow(`\`${e.endpoint}\``, e)), FIG_ALIGN)}

Percentiles are over every response (nearest rank, autocannon's clock), whatever its status. "Failed" counts
responses outside 200–399 and requests that got no response. X-Cache tallies the header of every response.

![Responses per second](${files.throughput})

![p95 latency per second](${files.latency})

## Status codes

${table(['status', 'count', 'share', 'by endpoint'], [...statusRows, ...errs], ['l', 'r', 'r', 'l'])}

## Error samples

${errorSamples(r)}

## Compared with the previous run

${comparison(r, previous)}
${r.notes.length ? `\n## Notes\n\n${r.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}
