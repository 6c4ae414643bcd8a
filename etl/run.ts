// runEtl(): the programmatic ETL used by the CLI, `npm start` and the tests. Header → checksum and
// byte ranges → worker pool into staging → indexes, aggregates → one atomic swap → cache refresh.
import { availableParallelism } from 'node:os';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../local/config.ts';
import { ensureDatabase } from '../local/database.ts';
import type { ApiTarget, UpstashTarget } from './cache.ts';
import type { EncodingOption } from './read/encoding.ts';
import { load, pooled, skipped, summarize, type RunContext } from './load.ts';
import { startPool } from './write/pool.ts';
import type { ProgressMode } from './report/progress.ts';
import { RangeFeed, readHead, scanFile, type FileHead } from './read/scan.ts';
import * as store from './store.ts';
import type { EtlSummary } from './report/summary.ts';

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
  /** Keep the secondary indexes during the parallel load (default, measured faster here) or build them after it. */
  indexes?: 'after' | 'during';
  log?: (line: string) => void;
  progress?: ProgressMode;
  /** Called as each chunk is stored (or validated, on a dry run). */
  onProgress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
  /** Where to invalidate and re-warm the API's cached stats; null or absent: skipped, said so. */
  upstash?: UpstashTarget | null;
  api?: ApiTarget | null;
  signal?: AbortSignal;
}

/** Defaults sized for the 2-core machines of this project (see the report in bench/etl.ts). */
export const ETL_DEFAULTS = {
  workers: Math.max(2, Math.min(4, availableParallelism())),
  chunkBytes: 4 << 20,
  indexes: 'during' as 'after' | 'during',
};

export class Clock {
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

export async function runEtl(opts: EtlOptions): Promise<EtlSummary> {
  const clock = new Clock();
  const head = await clock.time('header', () => readHead(opts.input, opts.encoding ?? 'auto'));
  const chunkBytes = chunkBytesOf(opts, head);
  const workers = Math.max(1, Math.min(opts.workers ?? ETL_DEFAULTS.workers, Math.ceil((head.size - head.dataStart) / chunkBytes) || 1));
  // The threads boot, and the checksum pass starts cutting ranges, while the database is
  // prepared; the pool takes each range as soon as it is cut.
  const pool = startPool(workers);
  const feed = new RangeFeed();
  const scanning = clock.time('checksum', () => scanFile(opts.input, head.dataStart, chunkBytes, opts.signal, feed, { fileSize: head.size, workers }));
  scanning.catch(() => {}); // awaited below
  const ctx: RunContext = { opts, head, feed, scanning, workers, chunkBytes, indexes: opts.indexes ?? ETL_DEFAULTS.indexes, clock, pool };
  try {
    if (opts.dryRun) {
      const outcome = await clock.time('validate', () => pooled(ctx, null, 0));
      return summarize(ctx, await scanning, 'dry-run', `validated ${opts.input}; nothing written`, null, outcome, null, null);
    }
    return await decideAndLoad(ctx);
  } finally {
    await scanning.catch(() => {});
    await pool.destroy();
  }
}

/** Run semantics (DESIGN.md): a no-op when FILE already is the dataset, a refusal to append it twice. */
async function decideAndLoad(ctx: RunContext): Promise<EtlSummary> {
  const { opts, head } = ctx;
  const log = opts.log ?? (() => {});
  const mode = opts.mode ?? 'auto';
  await ensureDatabase(opts.mysql, opts.database);
  const conn = await mysql.createConnection({ ...opts.mysql, database: opts.database });
  const lockName = `nhis_etl:${opts.database}`;
  try {
    // A few seconds' grace: the server may not yet have noticed that a killed run's connection is gone.
    const [lock] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 10) AS got', [lockName]);
    if (Number(lock[0]?.got) !== 1) throw new Error(`Another ETL run is loading into database ${opts.database} (lock ${lockName} is held)`);
    const stale = await store.markInterruptedRuns(conn);
    if (stale) log(`Marked ${stale} earlier run(s) left 'running' by a killed process as failed; their staging tables are dropped below.`);
    const files = await store.currentFiles(conn);
    const append = mode === 'append' && files.length > 0;
    // Only a file of the same size can have the same checksum: otherwise loading starts at once,
    // alongside the checksum pass, instead of after it.
    if (mode !== 'replace' && files.some((f) => f.bytes === null || f.bytes === head.size)) {
      const scan = await ctx.scanning;
      const same = files.find((f) => f.sha256 === scan.sha256);
      if (mode === 'append' && same) {
        const msg = `${opts.input} is already part of the dataset (loaded by run #${same.runId}); refusing to append it twice`;
        return await skipped(conn, ctx, 'refused', msg);
      }
      if (mode === 'auto' && same && files.length === 1) {
        const msg = `${opts.input} (sha256 ${scan.sha256.slice(0, 12)}…) is already the current dataset (run #${same.runId}, ${same.rows} rows); nothing changed. Use --replace to reload it.`;
        return await skipped(conn, ctx, 'unchanged', msg);
      }
    }
    return await load(conn, ctx, append, files.length, log);
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => {});
    await conn.end().catch(() => conn.destroy());
  }
}
