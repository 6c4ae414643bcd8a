// The fixed-rate scenario's part of the report: a table per endpoint (one row per open-loop step)
// and a latency-vs-offered-rate chart per endpoint. Pure.
import { int, ms, num, table } from '../../loadkit/report/markdown.ts';
import { xyChart } from '../../loadkit/report/svg.ts';
import type { FixedRateEndpoint, FixedRateReport } from './types.ts';

/** "POST /simulate" → "simulate", "GET /stats/risk" → "stats-risk": a file name part. */
export const endpointSlug = (endpoint: string) =>
  endpoint
    .replace(/^[A-Z]+ \//, '')
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase() || 'root';

/** One chart per endpoint, beside the report: <id>-rate-<endpoint>.svg. */
export const fixedRateChartFiles = (id: string, f: FixedRateReport): Record<string, string> =>
  Object.fromEntries(f.endpoints.map((e) => [e.endpoint, `${id}-rate-${endpointSlug(e.endpoint)}.svg`]));

const share = (x: number) => `${Math.round(x * 100)} %`;

export function fixedRateCharts(id: string, f: FixedRateReport): Record<string, string> {
  const files = fixedRateChartFiles(id, f);
  const out: Record<string, string> = {};
  for (const e of f.endpoints) {
    const points = (pick: (s: FixedRateEndpoint['steps'][number]) => number) =>
      e.steps.map((s) => ({ x: s.requestedRate, y: pick(s), hollow: !s.held }));
    out[files[e.endpoint]!] = xyChart({
      title: `${e.endpoint}: latency at fixed arrival rates (saturation ${num(e.saturationRps, 1)} req/s)`,
      xUnit: 'offered rate, req/s (hollow: not held)',
      yUnit: 'ms from intended send time',
      logY: true,
      series: [
        { name: 'p50', color: '#2f9e44', points: points((s) => s.latency.p50) },
        { name: 'p99', color: '#1c7ed6', points: points((s) => s.latency.p99) },
        { name: 'p99.9', color: '#e03131', dashed: true, points: points((s) => s.latency.p999) },
      ],
    });
  }
  return out;
}

export function fixedRateSection(id: string, f: FixedRateReport): string {
  const files = fixedRateChartFiles(id, f);
  const parts = f.endpoints.map((e) => {
    const head = `### \`${e.endpoint}\`

Saturation probe: ${num(e.saturationRps, 1)} successful responses per second (p99 ${ms(e.probeP99)}, failed ${num(100 * e.probeFailedRate, 3)}%).`;
    if (!e.steps.length) return `${head}\n\nNo steps: the probe saw no successful response.`;
    return `${head}

${table(
  ['step', 'requested', 'achieved', 'rate', 'p50', 'p99', 'p99.9', 'max', 'failed', 'service p99'],
  e.steps.map((s) => [
    share(s.share),
    `${int(s.requestedRate)} req/s`,
    `${num(s.achievedRate, 1)} req/s`,
    s.held ? 'held' : `could not hold${s.note ? ` (${s.note})` : ''}`,
    ms(s.latency.p50),
    ms(s.latency.p99),
    ms(s.latency.p999),
    ms(s.latency.max),
    `${int(s.failed)} of ${int(s.completed)}`,
    ms(s.service.p99),
  ]),
  ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
)}

![${e.endpoint}: latency vs offered rate](${files[e.endpoint]})`;
  });
  return `## Fixed arrival rates

Per endpoint, alone: a ${f.probe.durationS} s autocannon probe at ${f.probe.connections} connections (closed loop) gives the rate it saturates at here; then open-loop steps at shares of that rate (\`loadkit/http/open-loop.ts\`), each ${f.step.warmupS} s of warm-up at its rate and ${f.step.durationS} s measured.
Latency counts from each request's intended send time (no coordinated omission): when the server falls behind, the wait shows here instead of as requests never sent. "Service p99" counts from when the request was written, as a closed-loop tool would.
A step is held when its achieved rate is within ${num(100 * f.tolerance, 0)} % of the requested one and no request was abandoned; a step not held measured a queue, not the service.
The generator shares the machine with the Worker, so the steps near saturation take CPU from it too.

${parts.join('\n\n')}
`;
}
