// The ETL benchmark's figures, quoted from bench/reports/etl.json (written by `npm run bench:etl`,
// owned by the ETL): a table of the known shape, or every field when the shape is unknown. Pure.
import { flatten, int, num, table } from './markdown.ts';

interface EtlRows {
  rows: number;
  fileMiB?: number;
  rounds?: number;
  median?: { bareTypedMs?: number; bareTextMs?: number; etlMs?: number; etlWallMs?: number };
  ratioVsTyped?: number;
  ratioVsText?: number;
  peakRssMb?: number;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const secs = (msv: unknown) => (isNum(msv) ? `${num(msv / 1000, 1)} s` : '—');
const rate = (rows: number, msv: unknown) => (isNum(msv) && msv > 0 ? int(rows / (msv / 1000)) : '—');

export function renderEtl(etl: Record<string, unknown> | null): string {
  if (!etl) return 'No ETL benchmark result: `bench/reports/etl.json` was absent when this report was written (`npm run bench:etl` writes it).';
  const head = 'Quoted from `bench/reports/etl.json` (written by `npm run bench:etl`: its own run, not this one';
  const results = Array.isArray(etl.results) ? (etl.results as EtlRows[]).filter((r) => r && isNum(r.rows)) : [];
  if (!results.length) return `${head}):\n\n${table(['field', 'value'], flatten(etl).slice(0, 60))}`;
  const machine = (etl.machine ?? {}) as Record<string, unknown>;
  const when = [typeof etl.date === 'string' ? etl.date : null, isNum(machine.cpus) ? `${machine.cpus} CPUs` : null, typeof machine.mariadb === 'string' ? `MariaDB ${machine.mariadb}` : null].filter(Boolean).join(', ');
  const rows = results.map((r) => [
    int(r.rows),
    isNum(r.fileMiB) ? `${num(r.fileMiB, 1)} MiB` : '—',
    secs(r.median?.etlMs),
    rate(r.rows, r.median?.etlMs),
    secs(r.median?.bareTypedMs),
    secs(r.median?.bareTextMs),
    isNum(r.ratioVsTyped) ? num(r.ratioVsTyped) : '—',
    isNum(r.ratioVsText) ? num(r.ratioVsText) : '—',
    isNum(r.peakRssMb) ? `${int(r.peakRssMb)} MB` : '—',
    isNum(r.rounds) ? String(r.rounds) : '—',
  ]);
  return [
    `${head}${when ? `; ${when}` : ''}). Medians over its rounds.`,
    '',
    table(['rows', 'file', 'ETL', 'ETL rows/s', 'bare LOAD DATA (typed)', 'bare LOAD DATA (text)', 'ETL ÷ typed', 'ETL ÷ text', 'peak RSS', 'rounds'], rows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    typeof etl.note === 'string' ? `\n${etl.note}` : '',
  ].join('\n');
}
