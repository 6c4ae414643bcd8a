// The pauses part of PERFORMANCE.md and the lines the bench prints for it. Pure: nothing at all
// when the run had no pauses part, so older results render as before.
import { int, ms, num, table } from '../../loadkit/report/markdown.ts';
import type { PauseFigures, PausesResult } from './pauses.ts';

const orDash = (x: number | null, f: (n: number) => string) => (x === null ? '—' : f(x));

/** Of all stalled time, the share that overlapped a collection. */
export function gcShareOfStalls(f: PauseFigures): number | null {
  return f.stalls.totalMs > 0 ? f.stalls.duringGcMs / f.stalls.totalMs : null;
}

function row(f: PauseFigures, ceiling: PauseFigures | undefined): (string | number)[] {
  const share = gcShareOfStalls(f);
  const bytes = f.gc.bytesPerResponse;
  const vsCeiling =
    bytes !== null && ceiling?.gc.bytesPerResponse ? ` (${num(bytes / ceiling.gc.bytesPerResponse)} ×)` : '';
  return [
    f.label,
    `${num(f.achievedRate, 1)}${f.held ? '' : ' **not held**'}`,
    ms(f.latency.p99),
    ms(f.latency.p999),
    `${f.stalls.count}, ${int(f.stalls.totalMs)} ms, longest ${ms(f.stalls.longestMs)}`,
    share === null ? '—' : `${f.stalls.duringGc} of ${f.stalls.count} (${Math.round(share * 100)} % of the time)`,
    `${f.gc.scavenges}: ${orDash(f.gc.scavengeMeanMs, ms)} mean, ${orDash(f.gc.scavengeMaxMs, ms)} max`,
    f.gc.full ? `${f.gc.full}: ${orDash(f.gc.fullMaxMs, ms)} max` : '0',
    num(f.gc.pauseMsPerS, 1),
    bytes === null ? '—' : `${int(bytes)}${vsCeiling}`,
    orDash(f.gc.handlesPerResponse, (n) => num(n, 1)),
  ];
}

const mib = (bytes: number) => `${num(bytes / 1_048_576, 1)} MiB`;

function overTime(p: PausesResult): string {
  const windows = p.ceilingOverTime;
  if (!windows?.length) return '';
  return `Then one ceiling process under the same load for ${windows.length} windows of ${p.durationS} s, one after
another: V8 sizes the young generation to the load, so the collections get rarer and each one longer.

${table(
  ['window', 'p99', 'p99.9', 'longest stall', 'scavenges', 'young generation (largest)'],
  windows.map((f) => [
    f.label,
    ms(f.latency.p99),
    ms(f.latency.p999),
    ms(f.stalls.longestMs),
    `${f.gc.scavenges}: ${orDash(f.gc.scavengeMeanMs, ms)} mean, ${orDash(f.gc.scavengeMaxMs, ms)} max`,
    orDash(f.gc.newSpaceMaxBytes, mib),
  ]),
  ['l', 'r', 'r', 'r', 'l', 'r'],
)}

`;
}

export function renderPauses(p: PausesResult | null | undefined): string {
  if (!p) return '';
  const head = `## Pauses: what stops the isolate (plain workerd, V8's GC trace)

Each instance in turn at ${int(p.rate)} req/s, open loop (${p.warmupS} s warm-up, ${p.durationS} s measured), its workerd
run with V8's \`--trace-gc-nvp\`. A stall is a gap of ${p.stallMs} ms or more in which requests were outstanding
and no response came; a stall "during a GC" overlapped a collection's pause. Bytes per response are
what the isolate allocated between the window's first and last collection over the responses
meanwhile: the code decides them, and with them how often the young generation is collected; how
long each collection stops the isolate is the runtime's and V8's.

`;
  if (p.skipped) return `${head}Not run: ${p.skipped}.\n\n`;
  const ceiling = p.instances.find((f) => f.id === 'ceiling');
  return `${head}${table(
    [
      'instance',
      'achieved req/s',
      'p99',
      'p99.9',
      'stalls ≥ 10 ms',
      'stalls during a GC',
      'scavenges',
      'full GCs',
      'GC pause ms/s',
      'bytes / response (× ceiling)',
      'young handles / response',
    ],
    p.instances.map((f) => row(f, ceiling)),
    ['l', 'r', 'r', 'r', 'l', 'l', 'l', 'l', 'r', 'r', 'r'],
  )}\n\n${overTime(p)}`;
}

export function pausesLines(p: PausesResult | null | undefined): string[] {
  if (!p || p.skipped) return p?.skipped ? ['', `Pauses: not run (${p.skipped})`] : [];
  const out = ['', `Pauses at ${int(p.rate)} req/s (plain workerd; stalls ≥ ${p.stallMs} ms beside V8's GC trace):`];
  for (const f of [...p.instances, ...(p.ceilingOverTime ?? [])]) {
    const share = gcShareOfStalls(f);
    out.push(
      `    ${f.label.padEnd(36)} p99 ${ms(f.latency.p99).padStart(9)}  stalls ${String(f.stalls.count).padStart(3)} (${int(f.stalls.totalMs)} ms${share === null ? '' : `, ${Math.round(share * 100)} % during a GC`})  scavenges ${f.gc.scavenges} × ${orDash(f.gc.scavengeMeanMs, ms)}  ${f.gc.bytesPerResponse === null ? '—' : int(f.gc.bytesPerResponse)} B and ${orDash(f.gc.handlesPerResponse, (n) => num(n, 1))} handles/response`,
    );
  }
  return out;
}
