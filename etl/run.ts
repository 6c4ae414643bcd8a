// runEtl(): the programmatic ETL used by the CLI, `npm start` and the tests. Header → checksum and
// byte ranges → worker pool into staging → indexes, aggregates → one atomic swap → cache refresh.
import { availableParallelism } from 'node:os';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../local/config.ts';
import { ensureDatabase } from '../local/database.ts';
import { INVALID_REASONS } from '../src/risk/index.ts';
import { refreshStatsCache, type ApiTarget, type CacheReport, type UpstashTarget } from './cache.ts';
import type { ChunkStats } from './chunk.ts';
import type { EncodingOption } from './encoding.ts';
import { runPool, type PoolOutcome } from './pool.ts';
import { createProgress, type ProgressMode } from './progress.ts';
import { readHead, scanFile, type FileHead, type FileScan } from './scan.ts';
import * as store from './store.ts';
import type { EtlSummary } from './summary.ts';

export type EtlMode = 'auto' | 'replace' | 'append';

export interface EtlOptions {
  /** The NHIS CSV to load. */
  input: string;
  mysql: MysqlTarget;
  database: string;
  /** auto (default): make FILE the dataset unless it already is; replace: reload even so; append: add FILE. */
  mode?: EtlMode;
  /** Validate and report; write nothing (no database needed). */
  dryRun?: boolean;
  encoding?: EncodingOption;
  /** Worker threads, each with its own connection. Default: ETL_DEFAULTS.workers. */
  workers?: number;
  /** Target chunk size in bytes (default ETL_DEFAULTS.chunkBytes); or give chunkRows. */
  chunkBytes?: number;
  chunkRows?: number;
  /** Build the secondary indexes after the bulk load (default) or keep them during it. */
  indexes?: 'after' | 'during';
  log?: (line: string) => void;
  progress?: ProgressMode;
  /** Where to invalidate and re-warm the API's cached stats; null or absent: skipped, said so. */
  upstash?: UpstashTarget | null;
  api?: ApiTarget | null;
  signal?: AbortSignal;
}

/** Defaults sized for the 2-core machines of this project (see the report in bench/etl.ts). */
export const ETL_DEFAULTS = {
  workers: Math.max(2, Math.min(4, availableParallelism())),
  chunkBytes: 4 << 20,
  indexes: 'after' as 'after' | 'during',
};

class Clock {
  readonly phases: Record<string, number> = {};
  private readonly t0 = performance.now();
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.phases[phase] = Math.round((this.phases[phase] ?? 0) + performance.now() - t);
    }
  }
  total(): number {
    return Math.round(performance.now() - this.t0);
  }
}

function chunkBytesOf(opts: EtlOptions, head: FileHead): number {
  if (opts.chunkRows) return Math.max(64 * 1024, Math.round(opts.chunkRows * head.avgLineBytes));
  return Math.max(64 * 1024, opts.chunkBytes ?? ETL_DEFAULTS.chunkBytes);
}

function reasonCounts(stats: ChunkStats): Record<string, number> {
  return Object.fromEntries(INVALID_REASONS.map((r, i) => [r, stats.reasons[i] ?? 0]).filter(([, n]) => (n as number) > 0));
}

export async function runEtl(opts: EtlOptions): Promise<EtlSummary> {
  const log = opts.log ?? (() => {});
  const mode = opts.mode ?? 'auto';
  const clock = new Clock();
  const head = await clock.time('header', () => readHead(opts.input, opts.encoding ?? 'auto'));
  const chunkBytes = chunkBytesOf(opts, head);
  const scan = await clock.time('checksum', () => scanFile(opts.input, head.dataStart, chunkBytes, opts.signal));
  const workers = Math.max(1, Math.min(opts.workers ?? ETL_DEFAULTS.workers, scan.ranges.length || 1));
  const base = { opts, head, scan, workers, chunkBytes, clock };
  if (opts.dryRun) {
    const outcome = await clock.time('validate', () => pooled(base, null, 0));
    return summarize(base, 'dry-run', `validated ${opts.input}; nothing written`, null, outcome.stats, null, null, outcome.chunks);
  }

  await ensureDatabase(opts.mysql, opts.database);
  const conn = await mysql.createConnection({ ...opts.mysql, database: opts.database });
  const lockName = `nhis_etl:${opts.database}`;
  try {
    const [lock] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [lockName]);
    if (Number(lock[0]?.got) !== 1) throw new Error(`Another ETL run is loading into database ${opts.database} (lock ${lockName} is held)`);
    const stale = await store.markInterruptedRuns(conn);
    if (stale) log(`Marked ${stale} earlier run(s) left 'running' by a killed process as failed; their staging tables are dropped below.`);
    const files = await store.currentFiles(conn);
    const same = files.find((f) => f.sha256 === scan.sha256);
    const append = mode === 'append' && files.length > 0;
    if (mode === 'append' && same) {
      const msg = `${opts.input} is already part of the dataset (loaded by run #${same.runId}); refusing to append it twice`;
      return await skipped(conn, base, 'refused', msg, files);
    }
    if (mode === 'auto' && same && files.length === 1) {
      const msg = `${opts.input} (sha256 ${scan.sha256.slice(0, 12)}…) is already the current dataset (run #${same.runId}, ${same.rows} rows); nothing changed. Use --replace to reload it.`;
      return await skipped(conn, base, 'unchanged', msg, files);
    }
    return await load(conn, base, append, files.length, log);
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => {});
    await conn.end().catch(() => conn.destroy());
  }
}

interface Base {
  opts: EtlOptions;
  head: FileHead;
  scan: FileScan;
  workers: number;
  chunkBytes: number;
  clock: Clock;
}

function pooled(b: Base, load: Parameters<typeof runPool>[0]['load'], idOffset: number): Promise<PoolOutcome> {
  const progress = createProgress(b.scan.size - b.head.dataStart, b.opts.progress ?? 'auto', b.opts.log ?? (() => {}));
  let bytes = 0;
  let rows = 0;
  return runPool({
    file: b.opts.input,
    ranges: b.scan.ranges,
    fileSize: b.scan.size,
    layout: b.head.layout,
    encoding: b.head.encoding.encoding,
    load,
    workers: b.workers,
    idOffset,
    firstLine: 2,
    ...(b.opts.signal ? { signal: b.opts.signal } : {}),
    onChunk: (r) => {
      bytes += r.bytes;
      rows += r.stats.rows;
      progress.update(bytes, rows);
    },
  }).finally(() => progress.stop());
}

async function skipped(conn: Connection, b: Base, status: 'unchanged' | 'refused', message: string, files: store.DatasetFile[]): Promise<EtlSummary> {
  const runId = await store.insertRun(conn, b.opts.input, b.scan.sha256, b.opts.mode === 'append' ? 'append' : 'replace', 'skipped');
  const summary = summarize(b, status, message, runId, null, null, null, 0);
  const rows = files.reduce((n, f) => n + f.rows, 0);
  summary.dataset = null;
  await store.finishRun(conn, runId, 'skipped', null, { ...summary, datasetRows: rows }, status === 'refused' ? message : null);
  return summary;
}

async function load(conn: Connection, b: Base, append: boolean, currentFileCount: number, log: (line: string) => void): Promise<EtlSummary> {
  const { opts, scan, clock } = b;
  const indexes = opts.indexes ?? ETL_DEFAULTS.indexes;
  const runId = await store.insertRun(conn, opts.input, scan.sha256, append ? 'append' : 'replace', 'running');
  let swapped = false;
  try {
    const [ts] = await conn.query<RowDataPacket[]>("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s') AS ts");
    const createdAt = String(ts[0]?.ts);
    const idOffset = await clock.time('prepare', async () => {
      await store.ensureLocalInfile(conn);
      await store.prepareStaging(conn, indexes === 'during', append);
      return append ? store.currentMaxId(conn) : 0;
    });
    log(
      `Loading ${opts.input} into ${opts.database} (run #${runId}, ${append ? 'append' : 'replace'}): ` +
        `${(scan.size / 1048576).toFixed(1)} MiB in ${scan.ranges.length} chunks on ${b.workers} workers`,
    );
    const outcome = await clock.time('load', () => pooled(b, { mysql: opts.mysql, database: opts.database, runId, createdAt }, idOffset));
    if (indexes === 'after') await clock.time('indexes', () => store.buildIndexes(conn));
    const totals = await clock.time('aggregates', async () => {
      const t = await store.writeAggregates(conn, outcome.stats, append);
      await store.addFile(conn, runId, opts.input, scan.sha256, outcome.stats.rows, idOffset + 1);
      return t;
    });
    await clock.time('swap', () => store.swapIn(conn));
    swapped = true;
    await clock.time('cleanup', () => store.dropOld(conn)).catch((err: Error) => log(`warning: could not drop the previous dataset's tables: ${err.message}`));
    const cache = await clock.time('cache', () => refreshStatsCache({ upstash: opts.upstash ?? null, api: opts.api ?? null }));
    log(`Cache: ${cache.summary}`);
    const dataset = { ...totals, files: append ? currentFileCount + 1 : 1 };
    const msg = `${opts.input} ${append ? 'appended to' : 'is now'} the dataset of ${opts.database} (run #${runId})`;
    const summary = summarize(b, 'loaded', msg, runId, outcome.stats, dataset, cache, outcome.chunks);
    await store.finishRun(conn, runId, 'succeeded', { read: summary.rows.read, valid: summary.rows.valid, invalid: summary.rows.invalid }, summary);
    return summary;
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (!swapped) await store.dropStaging(conn).catch(() => {});
    await store.finishRun(conn, runId, swapped ? 'succeeded' : 'failed', null, null, message).catch(() => {});
    throw err;
  }
}

function summarize(
  b: Base,
  status: EtlSummary['status'],
  message: string,
  runId: number | null,
  stats: ChunkStats | null,
  dataset: EtlSummary['dataset'],
  cache: CacheReport | null,
  chunks: number,
): EtlSummary {
  const totalMs = b.clock.total();
  const read = stats?.rows ?? 0;
  return {
    status,
    message,
    runId,
    mode: b.opts.mode ?? 'auto',
    database: b.opts.database,
    file: {
      path: b.opts.input,
      bytes: b.scan.size,
      sha256: b.scan.sha256,
      encoding: b.head.encoding.encoding,
      encodingHow: b.head.encoding.how,
      ignoredColumns: b.head.layout.ignored,
    },
    rows: {
      read,
      valid: stats?.valid ?? 0,
      invalid: stats?.invalid ?? 0,
      invalidByReason: stats ? reasonCounts(stats) : {},
      blankLines: stats?.blankLines ?? 0,
      truncatedLines: stats?.truncatedLines ?? 0,
    },
    dataset,
    timingsMs: { ...b.clock.phases },
    totalMs,
    rowsPerSecond: read / Math.max(0.001, totalMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    workers: b.workers,
    chunks,
    chunkBytes: b.chunkBytes,
    cache,
  };
}
