// What an ETL run reports (returned by runEtl, stored as JSON in etl_runs.summary) and its
// rendering as text: a pure function of the summary (the cache outcome is logged as it happens).
import type { RewarmReport } from '../targets/api-rewarm.ts';

export type EtlStatus = 'loaded' | 'unchanged' | 'refused' | 'dry-run';

export interface EtlSummary {
  status: EtlStatus;
  /** One line saying what happened (why unchanged or refused, too). */
  message: string;
  runId: number | null;
  mode: 'auto' | 'replace' | 'append';
  /** Where the rows went (no credentials). */
  target: string;
  file: {
    path: string;
    bytes: number;
    sha256: string;
    encoding: string;
    encodingHow: string;
    ignoredColumns: string[];
  };
  rows: {
    /** Source rows read and stored (valid + invalid). */
    read: number;
    valid: number;
    invalid: number;
    invalidByReason: Record<string, number>;
    /** Lines that are not rows, counted apart and not stored. */
    blankLines: number;
    truncatedLines: number;
  };
  /** The dataset the API serves after this run (null for dry runs and refusals). */
  dataset: { id: number; generation: number; total: number; valid: number; invalid: number; files: number } | null;
  timingsMs: Record<string, number>;
  /** Summed over chunks (thread time): reading ranges, parsing, waiting for ids, writing rows. */
  workerMs: Record<string, number> | null;
  totalMs: number;
  rowsPerSecond: number;
  peakRssMb: number;
  workers: number;
  chunks: number;
  chunkBytes: number;
  cache: RewarmReport | null;
  /** Statements retried after a transient error (Vitess UNAVAILABLE, RESOURCE_EXHAUSTED, …). */
  retries: number;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) : '0.0');

export function renderSummary(s: EtlSummary): string {
  const lines = [`ETL ${s.status}: ${s.message}`];
  if (s.status === 'unchanged' || s.status === 'refused') return lines.join('\n');
  const r = s.rows;
  lines.push(
    `  file        ${s.file.path} (${(s.file.bytes / 1048576).toFixed(1)} MiB, ${s.file.encoding} by ${s.file.encodingHow}, sha256 ${s.file.sha256.slice(0, 12)}…)`,
    `  rows read   ${int(r.read)}  valid ${int(r.valid)} (${pct(r.valid, r.read)} %)  invalid ${int(r.invalid)} (${pct(r.invalid, r.read)} %)`,
  );
  const reasons = Object.entries(r.invalidByReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (reasons.length) lines.push(`  invalid by reason  ${reasons.map(([k, n]) => `${k} ${int(n)}`).join(', ')}`);
  lines.push(
    `  not rows    blank lines ${int(r.blankLines)}, truncated lines ${int(r.truncatedLines)} (counted, not stored)`,
  );
  if (s.file.ignoredColumns.length) lines.push(`  ignored columns  ${s.file.ignoredColumns.join(', ')}`);
  if (s.dataset) {
    lines.push(
      `  dataset     #${s.dataset.id} (generation ${s.dataset.generation}): ${int(s.dataset.total)} rows (${int(s.dataset.valid)} valid) ` +
        `from ${s.dataset.files} file(s) in ${s.target}`,
    );
  }
  const phases = Object.entries(s.timingsMs).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(2)} s`);
  lines.push(
    `  throughput  ${int(s.rowsPerSecond)} rows/s over ${(s.totalMs / 1000).toFixed(2)} s; peak RSS ${s.peakRssMb.toFixed(0)} MB; ` +
      `${s.workers} workers, ${s.chunks} chunks of ~${(s.chunkBytes / 1048576).toFixed(1)} MiB`,
    `  phases      ${phases.join(', ')}`,
  );
  if (s.retries) lines.push(`  retries     ${int(s.retries)} statement(s) retried after a transient error`);
  if (s.workerMs)
    lines.push(
      `  workers     ${Object.entries(s.workerMs)
        .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(2)} s`)
        .join(', ')} (summed over chunks)`,
    );
  return lines.join('\n');
}
