// The fixed-rate part of PERFORMANCE.md and its charts, and the lines the bench prints for it.
// Pure: nothing at all when the run had no fixed-rate steps, so older results render as before.
import { HELD_TOLERANCE, type OpenLoopResult } from '../../loadkit/http/open-loop.ts';
import { int, ms, num, table } from '../../loadkit/report/markdown.ts';
import { xyChart } from '../../loadkit/report/svg.ts';
import { type FixedRateEndpoint, type FixedRateResult, pct, stepRatios, unheldSteps } from './fixed-rate.ts';

export const fixedRateChartFile = (id: string) => `performance-fixed-rate-${id}.svg`;

const ENDPOINT_COLOR = '#f38020';
const CEILING_COLOR = '#4a78b5';

export function fixedRateCharts(fixed: FixedRateResult | null | undefined): Record<string, string> {
  if (!fixed) return {};
  const out: Record<string, string> = {};
  for (const e of fixed.endpoints) {
    const points = (pick: (s: FixedRateEndpoint['steps'][number]) => OpenLoopResult | null, key: 'p99' | 'p999') =>
      e.steps.map((s) => {
        const r = pick(s);
        return { x: s.rate, y: r ? r.latency[key] : null, ...(r && !r.held ? { hollow: true } : {}) };
      });
    out[fixedRateChartFile(e.id)] = xyChart({
      title: `${e.label}: latency at a fixed offered load (plain workerd)`,
      xUnit: 'offered requests per second',
      yUnit: 'milliseconds from intended send time',
      logY: true,
      series: [
        { name: 'endpoint p99', color: ENDPOINT_COLOR, points: points((s) => s.endpoint, 'p99') },
        { name: 'endpoint p99.9', color: ENDPOINT_COLOR, dashed: true, points: points((s) => s.endpoint, 'p999') },
        { name: 'ceiling p99', color: CEILING_COLOR, points: points((s) => s.ceiling, 'p99') },
        { name: 'ceiling p99.9', color: CEILING_COLOR, dashed: true, points: points((s) => s.ceiling, 'p999') },
      ],
    });
  }
  return out;
}

const rateCell = (r: number) => (r >= 100 ? int(r) : num(r, 1));
const heldCell = (r: OpenLoopResult | null) => (r === null ? '—' : r.held ? 'yes' : '**no**');
const ratioCell = (x: number | null) => (x === null ? '—' : num(x));

function endpointTable(e: FixedRateEndpoint): string {
  const head = [
    'step',
    'requested req/s',
    'achieved',
    'held',
    'p50',
    'p99',
    'p99.9',
    'ceiling achieved',
    'ceiling held',
    'ceiling p50',
    'ceiling p99',
    'ceiling p99.9',
    'p99 ÷ ceiling',
    'p99.9 ÷ ceiling',
  ];
  const rows = e.steps.map((s) => {
    const c = s.ceiling;
    const r = stepRatios(s);
    return [
      pct(s.share),
      int(s.rate),
      rateCell(s.endpoint.achievedRate),
      heldCell(s.endpoint),
      ms(s.endpoint.latency.p50),
      ms(s.endpoint.latency.p99),
      ms(s.endpoint.latency.p999),
      c ? rateCell(c.achievedRate) : '—',
      heldCell(c),
      c ? ms(c.latency.p50) : '—',
      c ? ms(c.latency.p99) : '—',
      c ? ms(c.latency.p999) : '—',
      ratioCell(r.p99),
      ratioCell(r.p999),
    ];
  });
  const whyNone = (kinds: Record<string, number> | undefined) =>
    kinds && Object.keys(kinds).length
      ? `: ${Object.entries(kinds)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${int(n)}`)
          .join(', ')}`
      : '';
  const failed = e.steps.flatMap((s) =>
    (
      [
        [e.label, s.endpoint],
        ['the ceiling', s.ceiling],
      ] as const
    )
      .filter(([, r]) => r && r.failed > 0)
      .map(
        ([who, r]) =>
          `${who} at ${pct(s.share)}: ${int(r!.failed)} of ${int(r!.completed)} requests failed (${int(r!.errors)} without a response${whyNone(r!.errorKinds)})`,
      ),
  );
  return `### ${e.label} (saturated at ${int(e.saturationRps)} req/s)

${table(
  head,
  rows,
  head.map((_, i) => (i === 0 ? 'l' : 'r')),
)}
${failed.length ? `\nFailed requests: ${failed.join('; ')}.\n` : ''}
![${e.label}: latency at a fixed offered load](${fixedRateChartFile(e.id)})
`;
}

/** The section, ending in a blank line; empty when the run had no fixed-rate steps. */
export function renderFixedRate(fixed: FixedRateResult | null | undefined): string {
  if (!fixed) return '';
  const unheld = unheldSteps(fixed);
  const body = fixed.endpoints.length
    ? fixed.endpoints.map(endpointTable).join('\n')
    : 'No endpoint had a saturation figure in this run to plan steps from.\n';
  const logs = fixed.workerLog?.lines
    ? `\nThe Worker and the runtime logged ${int(fixed.workerLog.lines)} lines during the steps, e.g. ${fixed.workerLog.samples
        .slice(0, 2)
        .map((x) => `\`${x.replace(/`/g, "'")}\``)
        .join('; ')}.\n`
    : '';
  return `## HTTP: latency at a fixed offered load (plain workerd)

Each endpoint is offered requests at ${fixed.shares.map(pct).join(', ')} of the rate it saturated at under autocannon earlier in this
run, and the ceiling Worker is offered the same absolute rates, step by step beside it. A step sends on a fixed
schedule whatever the server does (\`loadkit/http/open-loop.ts\`), for ${fixed.warmupS} s of warm-up and then ${fixed.durationS} s measured, and each
request's latency counts from the moment it was due to be sent, not from when a connection was free, so a stall shows
as the latency of every request due during it (no coordinated omission). Percentiles are from an HDR histogram of
every measured request; a step "held" its rate when the responses per second of its measured window came within
${HELD_TOLERANCE * 100} % of the offered rate and the generator never gave up on the server. The generator shares the machine's cores
with the Worker, as in the saturation runs.${unheld.length ? `\n\n**Not held:** ${unheld.join('; ')}.` : ''}

${body}${logs}
`;
}

const f2 = (x: number) => x.toFixed(2);

/** Console lines of the fixed-rate steps (empty when none ran). */
export function fixedRateLines(fixed: FixedRateResult | null | undefined): string[] {
  if (!fixed) return [];
  const lines = [
    `\nFixed-rate steps (plain workerd, open loop; ms from intended send time; endpoint | ceiling at the same rate; ${fixed.warmupS} s warm-up + ${fixed.durationS} s each):`,
  ];
  const fig = (r: OpenLoopResult) =>
    `${String(r.achievedRate).padStart(7)} ${r.held ? 'held    ' : 'NOT HELD'}  p50 ${f2(r.latency.p50)}  p99 ${f2(r.latency.p99)}  p99.9 ${f2(r.latency.p999)}${r.failed ? `  (${r.failed} failed)` : ''}`;
  for (const e of fixed.endpoints) {
    lines.push(`  ${e.label} (saturated at ${Math.round(e.saturationRps)} req/s):`);
    for (const s of e.steps) {
      const r = stepRatios(s);
      lines.push(
        `    ${pct(s.share).padStart(4)} ${String(s.rate).padStart(6)} req/s → ${fig(s.endpoint)} | ceiling ${s.ceiling ? fig(s.ceiling) : 'not measured'}  p99 ×${r.p99 === null ? 'n/a' : f2(r.p99)}  p99.9 ×${r.p999 === null ? 'n/a' : f2(r.p999)}`,
      );
    }
  }
  return lines;
}
