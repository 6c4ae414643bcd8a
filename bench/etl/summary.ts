// Pure functions of the measured rounds: per-leg medians, the goals with their verdicts, and the
// console report of one row count.
import type { EtlLeg, Goal, LegRun, LegSummary, Round, RowsResult, Settled } from './types.ts';

/** The INSERT floor's medians over the rounds that measured it, or undefined when none did. */
export function summarizeFloor(rounds: Round[]): RowsResult['floor'] {
  const runs = rounds.filter((r) => r.floor);
  if (!runs.length) return undefined;
  const paired = runs.filter((r) => r.production);
  return {
    ms: median(runs.map((r) => r.floor?.ms as number)),
    ratioVsTyped: +median(runs.map((r) => (r.floor?.ms as number) / r.bareTyped.ms)).toFixed(2),
    mariadbCpuS: medianOf(runs.map((r) => r.floor?.mariadbCpuS)),
    productionOverFloor: paired.length
      ? +median(paired.map((r) => (r.production?.totalMs as number) / (r.floor?.ms as number))).toFixed(2)
      : null,
  };
}

export const GOALS = {
  /** ETL end to end ÷ bare typed LOAD DATA, per path. */
  ratio: { production: 2.0, mysql: 1.5 } as Record<EtlLeg, number>,
  peakRssMb: 300,
  /** Largest growth of peak RSS from the smallest to the largest row count measured. */
  rssGrowth: 0.1,
};

export const LEG_LABEL: Record<EtlLeg, string> = {
  production: 'ETL, production path (PlanetScale HTTP API via the local gateway)',
  mysql: 'ETL, MySQL path (LOAD DATA LOCAL INFILE per chunk)',
};

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The median of the non-null values, or null when there are none. */
export function medianOf(xs: (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? +median(v).toFixed(2) : null;
}

export function summarizeLeg(rounds: Round[], leg: EtlLeg): LegSummary | undefined {
  const runs = rounds.filter((r) => r[leg]).map((r) => ({ round: r, run: r[leg] as LegRun }));
  if (!runs.length) return undefined;
  const med = (f: (x: LegRun) => number | null | undefined) => medianOf(runs.map((x) => f(x.run)));
  const ratio = (bare: (r: Round) => number) => +median(runs.map((x) => x.run.totalMs / bare(x.round))).toFixed(2);
  const out: LegSummary = {
    etlMs: med((r) => r.totalMs) as number,
    etlWallMs: med((r) => r.wallMs) as number,
    ratioVsTyped: ratio((r) => r.bareTyped.ms),
    ratioVsText: ratio((r) => r.bareText.ms),
    peakRssMb: Math.max(...runs.map((x) => x.run.peakRssMb)),
    etlCpuS: med((r) => r.etlCpuS),
    mariadbCpuS: med((r) => r.mariadbCpuS),
  };
  if (runs.some((x) => x.run.gateway)) {
    const statements = med((r) => r.gateway?.statements);
    out.gateway = {
      cpuS: med((r) => r.gateway?.cpuS),
      peakRssMb: med((r) => r.gateway?.peakRssMb),
      statements,
      statementsFrom: runs.at(-1)?.run.gateway?.statementsFrom ?? null,
      cpuMsPerStatement: med((r) => r.gateway?.cpuMsPerStatement),
    };
  }
  return out;
}

/** The goals over every row count measured; a goal whose figure was not measured is not judged. */
export function goals(results: RowsResult[]): Goal[] {
  const out: Goal[] = [];
  for (const r of results) {
    const n = r.rows.toLocaleString('en-US');
    for (const leg of ['production', 'mysql'] as const) {
      const s = r.legs[leg];
      const max = GOALS.ratio[leg];
      const criterion = `${n} rows: ${leg} path ≤ ${max.toFixed(1)}× bare typed LOAD DATA`;
      out.push(
        s
          ? {
              criterion,
              measured: `${s.ratioVsTyped.toFixed(2)}× (${sec(s.etlMs)} vs ${sec(r.median.bareTypedMs)})`,
              pass: s.ratioVsTyped <= max,
            }
          : { criterion, measured: 'not measured', pass: null },
      );
    }
    const peaks = (['production', 'mysql'] as const)
      .map((l) => r.legs[l]?.peakRssMb)
      .filter((x): x is number => x !== undefined);
    const criterion = `${n} rows: ETL peak RSS < ${GOALS.peakRssMb} MB (workers included)`;
    out.push(
      peaks.length
        ? { criterion, measured: `${Math.max(...peaks)} MB`, pass: Math.max(...peaks) < GOALS.peakRssMb }
        : { criterion, measured: 'not measured', pass: null },
    );
  }
  const sorted = [...results].sort((a, b) => a.rows - b.rows);
  const [lo, hi] = [sorted[0], sorted.at(-1)];
  for (const leg of ['production', 'mysql'] as const) {
    const criterion = `${leg} path: peak RSS flat (≤ +${GOALS.rssGrowth * 100} %) from the smallest to the largest row count`;
    const a = lo?.legs[leg]?.peakRssMb;
    const b = hi?.legs[leg]?.peakRssMb;
    if (!lo || !hi || lo === hi || a === undefined || b === undefined)
      out.push({ criterion, measured: 'needs two row counts', pass: null });
    else
      out.push({
        criterion,
        measured: `${a} MB at ${lo.rows.toLocaleString('en-US')} → ${b} MB at ${hi.rows.toLocaleString('en-US')} (${pct(b / a - 1)})`,
        pass: b <= a * (1 + GOALS.rssGrowth),
      });
  }
  return out;
}

export const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`;
const cpu = (s: number | null | undefined) => (s === null || s === undefined ? '?' : `${s.toFixed(1)} s`);
export const verdict = (pass: boolean | null) => (pass === null ? '— not judged' : pass ? 'PASS' : 'FAIL');

function phases(run: LegRun): string {
  return Object.entries(run.phasesMs)
    .map(([k, v]) => `${k} ${sec(v)}`)
    .join(', ');
}

function replaceLine(label: string, run: LegRun): string {
  return `    ${label}: live after ${sec(run.liveMs)}, cleanup ${sec(run.cleanupMs)}, total ${sec(run.totalMs)}; peak RSS ${run.peakRssMb} MB; gateway CPU ${cpu(run.gateway?.cpuS)}, MariaDB CPU ${cpu(run.mariadbCpuS)}`;
}

/** The console report of one row count: a pure function of the result. */
export function renderResult(r: RowsResult): string {
  const lines = [
    `rows ${r.rows.toLocaleString('en-US')} (${r.fileMiB} MiB), median of ${r.rounds} round(s)`,
    `  bare LOAD DATA LOCAL INFILE, typed raw table   ${sec(r.median.bareTypedMs)}  (MariaDB CPU ${cpu(r.median.bareTypedMariadbCpuS)})`,
    `  bare LOAD DATA LOCAL INFILE, text raw table    ${Number.isFinite(r.median.bareTextMs) ? sec(r.median.bareTextMs) : 'not measured'}`,
  ];
  for (const leg of ['production', 'mysql'] as const) {
    const s = r.legs[leg];
    if (!s) continue;
    lines.push(
      `  ${LEG_LABEL[leg]}`,
      `    end to end ${sec(s.etlMs)} (process wall ${sec(s.etlWallMs)}); ${s.ratioVsTyped.toFixed(2)}× bare typed, ${Number.isFinite(s.ratioVsText) ? `${s.ratioVsText.toFixed(2)}×` : '—'} text (goal ≤ ${GOALS.ratio[leg].toFixed(1)}× typed)`,
      `    peak RSS ${s.peakRssMb} MB (workers included); CPU: ETL ${cpu(s.etlCpuS)}, MariaDB ${cpu(s.mariadbCpuS)}` +
        (s.gateway ? `, gateway ${cpu(s.gateway.cpuS)}` : ''),
    );
    const g = s.gateway;
    if (g)
      lines.push(
        `    gateway: ${g.statements ?? '?'} statements (${g.statementsFrom ?? 'not counted'}), ${g.cpuMsPerStatement ?? '?'} ms CPU per statement, peak RSS ${g.peakRssMb ?? '?'} MB`,
      );
    const last = [...r.runs].reverse().find((x) => x[leg])?.[leg];
    if (last)
      lines.push(
        `    last round phases: ${phases(last)}`,
        `    last round worker time: ${Object.entries(last.workerMs)
          .map(([k, v]) => `${k} ${sec(v)}`)
          .join(', ')}`,
      );
  }
  if (r.floor) {
    const f = r.floor;
    lines.push(
      `  INSERT floor: the production path's statements replayed straight into MariaDB (no ETL, HTTP or gateway)`,
      `    ${sec(f.ms)}; ${f.ratioVsTyped.toFixed(2)}× bare typed; MariaDB CPU ${cpu(f.mariadbCpuS)}` +
        (f.productionOverFloor !== null
          ? `; the production path takes ${f.productionOverFloor.toFixed(2)}× this floor (what the ETL and the gateway add)`
          : ''),
    );
  }
  if (r.replace) {
    lines.push(
      `  replace loads into the production-path database (one measurement each)`,
      replaceLine('onto one dataset (nothing to remove)', r.replace.second),
      replaceLine('steady state (removes the previous-but-one)', r.replace.steady),
    );
  }
  const leg = (name: string, ms: number, s: Settled | null | undefined) =>
    `${name} ${sec(ms)}${s ? ` (from checkpoint age ${s.checkpointAgeMb} MB)` : ''}`;
  const round = (x: Round) =>
    `[${x.order.join(' → ')}] ${[leg('typed', x.bareTyped.ms, x.bareTyped.settled), ...(x.production ? [leg('production', x.production.totalMs, x.production.settled)] : []), ...(x.mysql ? [leg('mysql', x.mysql.totalMs, x.mysql.settled)] : []), ...(x.floor ? [leg('floor', x.floor.ms, x.floor.settled)] : [])].join(', ')}; load avg ${x.loadavg.toFixed(1)}`;
  lines.push(
    '  rounds (InnoDB checkpoint age when each step started: redo not yet flushed, which a step may have to flush):',
    ...r.runs.map((x) => `    ${round(x)}`),
  );
  return lines.join('\n');
}
