// `npm run bench:etl -- --rows 1000000`: times a bare LOAD DATA LOCAL INFILE of the CSV into an
// empty raw table and the full ETL (a child process: its own peak RSS) side by side on the same
// MariaDB, prints both, the ratio and peak RSS, and writes bench/reports/etl.json.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { generateFile } from '../etl/generate/generator.ts';
import { SOURCE_COLUMNS } from '../etl/schema/columns.ts';
import type { EtlSummary } from '../etl/report/summary.ts';
import { mysqlTarget, type MysqlTarget } from '../local/config.ts';
import { ensureDatabase } from '../local/database.ts';
import { ensureMariaDb } from '../etl/targets/local-services.ts';

const ROOT = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function csvFor(rows: number, seed: string): Promise<string> {
  const dir = join(ROOT, '.local', 'bench');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `nhis-${rows}-${seed}.csv`);
  if (!existsSync(file)) {
    console.log(`generating ${rows.toLocaleString('en-US')} rows → ${file}`);
    await generateFile(`${file}.part`, { rows, seed });
    await rename(`${file}.part`, file);
  }
  return file;
}

/**
 * Waits until InnoDB has flushed the previous step's dirty pages and its checkpoint has caught up
 * (at most 90 s), so no step pays for the one before it: after a big load the server goes on
 * flushing for seconds, and a load that starts then waits for it.
 */
async function settle(conn: Connection): Promise<void> {
  for (let i = 0; i < 180; i++) {
    const [rows] = await conn.query<RowDataPacket[]>(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_checkpoint_age')",
    );
    const get = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0);
    if (get('Innodb_buffer_pool_pages_dirty') < 500 && get('Innodb_checkpoint_age') < 8 << 20) break;
    await sleep(500);
  }
  await sleep(1000);
}

async function crlf(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(65536), 0, 65536, 0);
    const nl = buffer.subarray(0, bytesRead).indexOf(0x0a);
    return nl > 0 && buffer[nl - 1] === 0x0d;
  } finally {
    await fh.close();
  }
}

/**
 * The reference: one plain LOAD DATA LOCAL INFILE of the CSV as it is, no SET clause, into an
 * empty table of the 33 raw columns, typed as in health_records (empty cells become 0 with a
 * warning: that is what "bare" costs) or as text (no conversion at all: the strictest reference).
 */
async function lsn(conn: Connection): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_lsn_current'");
  return Number(rows[0]?.Value ?? NaN);
}

async function bareLoad(target: MysqlTarget, database: string, file: string, typed: boolean): Promise<{ ms: number; redoMb: number }> {
  const conn = await mysql.createConnection({ ...target, database, infileStreamFactory: (p: string) => createReadStream(p, { highWaterMark: 1 << 20 }) });
  try {
    await conn.query('DROP TABLE IF EXISTS bench_raw_load');
    const cols = SOURCE_COLUMNS.map(([, c, t]) => `${c} ${typed ? t : 'VARCHAR(16)'} NULL`).join(', ');
    await conn.query(`CREATE TABLE bench_raw_load (${cols}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    await settle(conn);
    const lsn0 = await lsn(conn);
    const t0 = performance.now();
    const eol = (await crlf(file)) ? '\\r\\n' : '\\n';
    await conn.query(
      `LOAD DATA LOCAL INFILE ? INTO TABLE bench_raw_load CHARACTER SET binary FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '${eol}' IGNORE 1 LINES`,
      [file],
    );
    const ms = performance.now() - t0;
    const redoMb = Math.round(((await lsn(conn)) - lsn0) / 1048576);
    await conn.query('DROP TABLE bench_raw_load');
    return { ms, redoMb };
  } finally {
    await conn.end();
  }
}

interface EtlRun {
  summary: EtlSummary;
  wallMs: number;
  rssSamplesMb: number[];
}

/** Runs the ETL CLI as a child process, sampling its RSS from /proc every 100 ms. */
function etlChild(file: string, database: string, extra: string[]): Promise<EtlRun> {
  const args = ['--import', 'tsx', join(ROOT, 'etl', 'cli.ts'), '--input', file, '--database', database, '--replace', '--json', '--progress', 'none', ...extra];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NHIS_API_URL: '', UPSTASH_REDIS_REST_URL: '' } });
  const samples: number[] = [];
  const sampler = setInterval(async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb) samples.push(Math.round(kb / 1024));
    } catch {
      /* exited */
    }
  }, 100);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`ETL exited with ${code}`));
      resolve({ summary: JSON.parse(out) as EtlSummary, wallMs: performance.now() - t0, rssSamplesMb: samples });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: 'bench' },
      database: { type: 'string', default: 'nhis_bench' },
      workers: { type: 'string' },
      'chunk-bytes': { type: 'string' },
      indexes: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      out: { type: 'string', default: join(ROOT, 'bench', 'reports', 'etl.json') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run bench:etl -- [--rows 1000000[,200000…]] [--rounds 3] [--seed S] [--database nhis_bench] [--workers N] [--chunk-bytes N] [--indexes after|during]');
    return;
  }
  const target = await ensureMariaDb(mysqlTarget());
  await ensureDatabase(target, values.database);
  const admin = await mysql.createConnection({ ...target, database: values.database });
  const [ver] = await admin.query<RowDataPacket[]>('SELECT VERSION() AS v');
  const serverVersion = String(ver[0]?.v);
  const extra = [
    ...(values.workers ? ['--workers', values.workers] : []),
    ...(values['chunk-bytes'] ? ['--chunk-bytes', values['chunk-bytes']] : []),
    ...(values.indexes ? ['--indexes', values.indexes] : []),
  ];
  const rounds = Math.max(1, Number(values.rounds));
  const results: RowsResult[] = [];
  for (const rows of values.rows.split(',').map(Number)) {
    const file = await csvFor(rows, values.seed);
    const runs: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so neither side always follows the other's background flushing.
      const etlFirst = r % 2 === 1;
      let etl: EtlRun | null = null;
      if (etlFirst) etl = await etlChild(file, values.database, extra);
      await settle(admin);
      const typed = await bareLoad(target, values.database, file, true);
      const text = await bareLoad(target, values.database, file, false);
      await settle(admin);
      if (!etlFirst) etl = await etlChild(file, values.database, extra);
      const s = (etl as EtlRun).summary;
      runs.push({ bareTypedMs: Math.round(typed.ms), bareTextMs: Math.round(text.ms), redoMb: { bareTyped: typed.redoMb, bareText: text.redoMb, etl: s.redoMb }, etlMs: s.totalMs, etlWallMs: Math.round((etl as EtlRun).wallMs), peakRssMb: Math.round(s.peakRssMb), phasesMs: s.timingsMs, workerMs: s.workerMs ?? {}, loadavg: loadavg()[0] as number, rssSamplesMb: (etl as EtlRun).rssSamplesMb });
      await settle(admin);
    }
    const med = (f: (r: Round) => number) => median(runs.map(f));
    const result: RowsResult = {
      rows,
      fileMiB: +((await stat(file)).size / 1048576).toFixed(1),
      rounds: runs.length,
      median: { bareTypedMs: med((r) => r.bareTypedMs), bareTextMs: med((r) => r.bareTextMs), etlMs: med((r) => r.etlMs), etlWallMs: med((r) => r.etlWallMs) },
      ratioVsTyped: +median(runs.map((r) => r.etlMs / r.bareTypedMs)).toFixed(2),
      ratioVsText: +median(runs.map((r) => r.etlMs / r.bareTextMs)).toFixed(2),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      options: { workers: values.workers ?? 'default', chunkBytes: values['chunk-bytes'] ?? 'default', indexes: values.indexes ?? 'default' },
      // RSS samples (every 100 ms) of the last round only, to show the curve is flat.
      runs: runs.map((r, i) => ({ ...r, rssSamplesMb: i === runs.length - 1 ? r.rssSamplesMb : undefined })),
    };
    results.push(result);
    console.log(renderResult(result));
  }
  await admin.end();
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, mariadb: serverVersion },
    note:
      'Same MariaDB, same file, rounds alternating which side goes first; medians, and ratios paired per round ' +
      '(each ETL against the bare loads measured next to it). ETL = runEtl end to end ' +
      '(checksum, parse, load, indexes, aggregates, swap); its process wall time adds Node/tsx start-up. ' +
      'loadavg is the 1-minute load average after each round: other work on the machine shows there.',
    results,
  };
  await mkdir(join(ROOT, 'bench', 'reports'), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
}

interface Round {
  bareTypedMs: number;
  bareTextMs: number;
  redoMb: { bareTyped: number; bareText: number; etl: number | null };
  etlMs: number;
  etlWallMs: number;
  peakRssMb: number;
  phasesMs: Record<string, number>;
  workerMs: Record<string, number>;
  loadavg: number;
  rssSamplesMb?: number[] | undefined;
}

interface RowsResult {
  rows: number;
  fileMiB: number;
  rounds: number;
  median: { bareTypedMs: number; bareTextMs: number; etlMs: number; etlWallMs: number };
  ratioVsTyped: number;
  ratioVsText: number;
  peakRssMb: number;
  options: Record<string, string>;
  runs: Round[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The console report: a pure function of the result. */
export function renderResult(r: RowsResult): string {
  const last = r.runs.at(-1) as Round;
  return [
    `rows ${r.rows.toLocaleString('en-US')} (${r.fileMiB} MiB), median of ${r.rounds} round(s)`,
    `  bare LOAD DATA LOCAL INFILE, typed raw table  ${sec(r.median.bareTypedMs)}`,
    `  bare LOAD DATA LOCAL INFILE, text raw table   ${sec(r.median.bareTextMs)}`,
    `  full ETL, end to end                         ${sec(r.median.etlMs)}  (process wall ${sec(r.median.etlWallMs)} with Node start-up)`,
    `  ratio ETL / bare (median of per-round ratios) ${r.ratioVsTyped}× typed, ${r.ratioVsText}× text   (goal ≤ 1.5×)`,
    `  peak RSS of the ETL process                  ${r.peakRssMb} MB, workers included (goal < 300 MB)`,
    `  rounds  ${r.runs.map((x) => `${sec(x.etlMs)} vs ${sec(x.bareTypedMs)}/${sec(x.bareTextMs)} (load ${x.loadavg.toFixed(1)})`).join('; ')}`,
    `  last round phases  ${Object.entries(last.phasesMs).map(([k, v]) => `${k} ${sec(v)}`).join(', ')}`,
    `  InnoDB redo written (last round): ETL ${last.redoMb.etl ?? '?'} MiB, bare typed ${last.redoMb.bareTyped} MiB, bare text ${last.redoMb.bareText} MiB`,
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:etl failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
