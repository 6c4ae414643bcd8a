// The ETL benchmark's figures, quoted from bench/reports/etl.json (written by `npm run bench:etl`,
// shape in bench/etl/types.ts): tables of the known shape, or every field when the shape is unknown. Pure.
import type { EtlLeg, Goal, LegRun, LegSummary, RowsResult } from '../etl/types.ts';
import { flatten, int, num, table } from '../../loadkit/report/markdown.ts';

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const secs = (msv: unknown) => (isNum(msv) ? `${num(msv / 1000, 1)} s` : '—');
const cpu = (s: unknown) => (isNum(s) ? `${num(s, 1)} s` : '—');
const times = (x: unknown) => (isNum(x) ? `${num(x)}×` : '—');
const mb = (x: unknown) => (isNum(x) ? `${int(x)} MB` : '—');
const LEGS: [EtlLeg, string][] = [
  ['production', 'production path (HTTP API via the gateway)'],
  ['mysql', 'MySQL path (LOAD DATA per chunk)'],
];

function mainTable(results: RowsResult[]): string {
  const rows = results.map((r) => [
    int(r.rows),
    isNum(r.fileMiB) ? `${num(r.fileMiB, 1)} MiB` : '—',
    secs(r.median?.bareTypedMs),
    secs(r.median?.bareTextMs),
    ...LEGS.flatMap(([l]) => [secs(r.legs[l]?.etlMs), times(r.legs[l]?.ratioVsTyped), mb(r.legs[l]?.peakRssMb)]),
    isNum(r.rounds) ? String(r.rounds) : '—',
  ]);
  const head = [
    'rows',
    'file',
    'bare LOAD DATA (typed)',
    'bare LOAD DATA (text)',
    'production path',
    '÷ typed',
    'peak RSS',
    'MySQL path',
    '÷ typed',
    'peak RSS',
    'rounds',
  ];
  return table(
    head,
    rows,
    head.map(() => 'r'),
  );
}

function cpuTable(results: RowsResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([int(r.rows), 'bare LOAD DATA (typed)', '—', cpu(r.median?.bareTypedMariadbCpuS), '—', '—', '—', '—']);
    for (const [l, label] of LEGS) {
      const s: LegSummary | undefined = r.legs[l];
      if (!s) continue;
      const g = s.gateway;
      rows.push([
        int(r.rows),
        label,
        cpu(s.etlCpuS),
        cpu(s.mariadbCpuS),
        cpu(g?.cpuS),
        isNum(g?.statements) ? int(g.statements) : '—',
        isNum(g?.cpuMsPerStatement) ? `${num(g.cpuMsPerStatement, 1)} ms` : '—',
        mb(g?.peakRssMb),
      ]);
    }
    const f = r.floor;
    if (f && isNum(f.ms))
      rows.push([
        int(r.rows),
        `INSERT floor: the production path's statements straight into MariaDB, ${secs(f.ms)} (${times(f.ratioVsTyped)} typed; the production path ${times(f.productionOverFloor)} this)`,
        '—',
        cpu(f.mariadbCpuS),
        '—',
        '—',
        '—',
        '—',
      ]);
  }
  const head = [
    'rows',
    'leg',
    'ETL CPU',
    'MariaDB CPU',
    'gateway CPU',
    'gateway statements',
    'gateway CPU / statement',
    'gateway peak RSS',
  ];
  return table(
    head,
    rows,
    head.map((_, i) => (i === 1 ? 'l' : 'r')),
  );
}

function replaceTable(results: RowsResult[]): string | null {
  const line = (rows: number, label: string, run: LegRun) => [
    int(rows),
    label,
    secs(run.liveMs),
    secs(run.cleanupMs),
    secs(run.totalMs),
    mb(run.peakRssMb),
    cpu(run.mariadbCpuS),
  ];
  const rows = results
    .filter((r) => r.replace)
    .flatMap((r) => [
      line(r.rows, 'onto one dataset (nothing to remove)', r.replace!.second),
      line(r.rows, 'steady state (removes the previous-but-one)', r.replace!.steady),
    ]);
  if (!rows.length) return null;
  const head = ['rows', '--replace load, production path', 'until live', 'cleanup', 'total', 'peak RSS', 'MariaDB CPU'];
  return table(
    head,
    rows,
    head.map((_, i) => (i === 1 ? 'l' : 'r')),
  );
}

const mark = (pass: boolean | null) => (pass === null ? '— not judged' : pass ? '✅ pass' : '❌ fail');

export function renderEtl(etl: Record<string, unknown> | null): string {
  if (!etl)
    return 'No ETL benchmark result: `bench/reports/etl.json` was absent when this report was written (`npm run bench:etl` writes it).';
  const head = 'Quoted from `bench/reports/etl.json` (written by `npm run bench:etl`: its own run, not this one';
  const results = Array.isArray(etl.results)
    ? (etl.results as RowsResult[]).filter((r) => r && isNum(r.rows) && r.legs && typeof r.legs === 'object')
    : [];
  if (!results.length) return `${head}):\n\n${table(['field', 'value'], flatten(etl).slice(0, 60))}`;
  const machine = (etl.machine ?? {}) as Record<string, unknown>;
  const when = [
    typeof etl.date === 'string' ? etl.date : null,
    isNum(machine.cpus) ? `${machine.cpus} CPUs` : null,
    typeof machine.mariadb === 'string' ? `MariaDB ${machine.mariadb}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const server = Object.entries((etl.server ?? {}) as Record<string, unknown>).filter(([k]) => k !== 'version');
  const options = Object.entries((etl.options ?? {}) as Record<string, unknown>);
  const goals = Array.isArray(etl.goals) ? (etl.goals as Goal[]) : [];
  const replace = replaceTable(results);
  return [
    `${head}${when ? `; ${when}` : ''}). Medians over its rounds; ratios are medians of per-round ratios to the bare loads of the same round. Every ETL leg loads into a fresh database.`,
    '',
    mainTable(results),
    '',
    'CPU seconds per leg (medians; from /proc): the ETL process (worker threads included), MariaDB (server-wide), and the local PlanetScale gateway (its own process).',
    '',
    cpuTable(results),
    ...(replace ? ['', replace] : []),
    ...(goals.length
      ? [
          '',
          table(
            ['goal', 'measured', 'verdict'],
            goals.map((g) => [g.criterion, g.measured, mark(g.pass)]),
          ),
        ]
      : []),
    ...(server.length
      ? [
          '',
          `Server settings (read, not changed by the bench): ${server.map(([k, v]) => `\`${k}=${String(v)}\``).join(', ')}.`,
        ]
      : []),
    ...(options.length ? [`Options: ${options.map(([k, v]) => `${k} ${String(v)}`).join(', ')}.`] : []),
    typeof etl.note === 'string' ? `\n${etl.note}` : '',
  ].join('\n');
}
