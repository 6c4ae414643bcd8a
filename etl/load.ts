// The steps of one load once decided: staging → worker pool → (indexes) → aggregates → one
// atomic swap → cache refresh, with the run log kept up to date; and the run summary.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { INVALID_REASONS } from '../src/risk/index.ts';
import { refreshStatsCache, type CacheReport } from './cache.ts';
import type { ChunkStats } from './transform/chunk.ts';
import type { LoadTarget } from './write/messages.ts';
import { runPool, type ChunkPool, type PoolOutcome } from './write/pool.ts';
import { PageIndexFeed } from './transform/page-feed.ts';
import { createProgress } from './report/progress.ts';
import type { Clock, EtlOptions } from './run.ts';
import type { FileHead, FileScan, RangeFeed } from './read/scan.ts';
import * as store from './store.ts';
import type { EtlSummary } from './report/summary.ts';

export interface RunContext {
  opts: EtlOptions;
  head: FileHead;
  /** Ranges as the checksum pass cuts them, and that pass's result. */
  feed: RangeFeed;
  scanning: Promise<FileScan>;
  workers: number;
  chunkBytes: number;
  indexes: 'during' | 'after';
  clock: Clock;
  pool: ChunkPool;
}

export function pooled(ctx: RunContext, load: LoadTarget | null, idOffset: number, pages: PageIndexFeed | null = null): Promise<PoolOutcome> {
  const { opts, head } = ctx;
  const totalBytes = head.size - head.dataStart;
  const progress = createProgress(totalBytes, opts.progress ?? 'auto', opts.log ?? (() => {}));
  let bytes = 0;
  let rows = 0;
  return runPool(ctx.pool, {
    file: opts.input,
    ranges: ctx.feed,
    fileSize: head.size,
    layout: head.layout,
    encoding: head.encoding.encoding,
    load,
    workers: ctx.workers,
    idOffset,
    firstLine: 2,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onChunk: (r, chunkIdOffset) => {
      pages?.add(r.batchId, chunkIdOffset, r.validRows);
      bytes += r.bytes;
      rows += r.stats.rows;
      progress.update(bytes, rows);
      opts.onProgress?.({ bytes, totalBytes, rows });
    },
  }).finally(() => progress.stop());
}

export async function skipped(conn: Connection, ctx: RunContext, status: 'unchanged' | 'refused', message: string): Promise<EtlSummary> {
  const scan = await ctx.scanning;
  const runId = await store.insertRun(conn, ctx.opts.input, scan.sha256, ctx.opts.mode === 'append' ? 'append' : 'replace', 'skipped');
  const summary = summarize(ctx, scan, status, message, runId, null, null, null);
  await store.finishRun(conn, runId, 'skipped', scan.sha256, null, summary, status === 'refused' ? message : null);
  ctx.opts.log?.(message);
  return summary;
}

export async function load(conn: Connection, ctx: RunContext, append: boolean, currentFileCount: number, log: (line: string) => void): Promise<EtlSummary> {
  const { opts, head, clock } = ctx;
  const indexes = ctx.indexes;
  const runId = await store.insertRun(conn, opts.input, '', append ? 'append' : 'replace', 'running');
  let swapped = false;
  let sha = '';
  try {
    const [ts] = await conn.query<RowDataPacket[]>('SELECT UNIX_TIMESTAMP() AS ts');
    const createdAt = Number(ts[0]?.ts);
    const idOffset = await clock.time('prepare', async () => {
      await store.ensureLocalInfile(conn);
      await store.prepareStaging(conn, indexes === 'during', append);
      return append ? store.currentMaxId(conn) : 0;
    });
    const estimate = Math.ceil((head.size - head.dataStart) / ctx.chunkBytes);
    log(
      `Loading ${opts.input} into ${opts.database} (run #${runId}, ${append ? 'append' : 'replace'}): ` +
        `${(head.size / 1048576).toFixed(1)} MiB in ~${estimate} chunks on ${ctx.workers} workers`,
    );
    const redoBefore = await store.redoState(conn);
    // A fresh dataset's page index is built from the workers' rows as they load; an appended
    // one must cover the rows already there, so it is built by scanning staging at the end.
    const pages = append ? null : new PageIndexFeed();
    const outcome = await clock.time('load', () => pooled(ctx, { mysql: opts.mysql, database: opts.database, runId, createdAt }, idOffset, pages));
    if (pages && !pages.complete(outcome.chunks)) throw new Error('Internal error: the page index did not receive every chunk');
    const redo = await redoReport(conn, redoBefore, log);
    const scan = await ctx.scanning;
    sha = scan.sha256;
    const checkpoint = () => opts.signal?.throwIfAborted(); // an abort stops the run before the swap
    checkpoint();
    if (indexes === 'after') await clock.time('indexes', () => store.buildIndexes(conn));
    checkpoint();
    const totals = await clock.time('aggregates', async () => {
      // One transaction: the aggregates, the page index and the file row commit together.
      await conn.beginTransaction();
      const t = await store.writeAggregates(conn, outcome.stats, append, pages?.builder ?? null);
      await store.addFile(conn, runId, opts.input, sha, outcome.stats.rows, idOffset + 1);
      await conn.commit();
      return t;
    });
    checkpoint();
    await clock.time('swap', () => store.swapIn(conn));
    swapped = true;
    await clock.time('cleanup', () => store.dropOld(conn)).catch((err: Error) => log(`warning: could not drop the previous dataset's tables: ${err.message}`));
    const cache = await clock.time('cache', () => refreshStatsCache({ upstash: opts.upstash ?? null, api: opts.api ?? null }));
    log(`Cache: ${cache.summary}`);
    const dataset = { ...totals, files: append ? currentFileCount + 1 : 1 };
    const msg = `${opts.input} ${append ? 'appended to' : 'is now'} the dataset of ${opts.database} (run #${runId})`;
    const summary = summarize(ctx, scan, 'loaded', msg, runId, outcome, dataset, cache);
    summary.redoMb = redo;
    await store.finishRun(conn, runId, 'succeeded', sha, { read: summary.rows.read, valid: summary.rows.valid, invalid: summary.rows.invalid }, summary);
    return summary;
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    await conn.rollback().catch(() => {});
    if (!swapped) await store.dropStaging(conn).catch(() => {});
    await store.finishRun(conn, runId, swapped ? 'succeeded' : 'failed', sha, null, null, message).catch(() => {});
    throw err;
  }
}

/**
 * How much InnoDB redo the load wrote. When it is well over what the server holds before
 * checkpoints must catch up (innodb_log_file_size), writers wait for page flushing: say so once.
 */
async function redoReport(conn: Connection, before: store.RedoState | null, log: (line: string) => void): Promise<number | null> {
  const after = before ? await store.redoState(conn) : null;
  if (!before || !after) return null;
  const mb = (after.lsn - before.lsn) / 1048576;
  if (after.lsn - before.lsn > 1.5 * after.maxAge) {
    log(
      `note: this load wrote ${mb.toFixed(0)} MiB of InnoDB redo, ${((after.lsn - before.lsn) / after.maxAge).toFixed(1)}× what the server holds ` +
        `between checkpoints (${(after.maxAge / 1048576).toFixed(0)} MiB), so it ran at the page-flushing rate; a larger ` +
        'innodb_log_file_size (dynamic in MariaDB ≥ 10.9: SET GLOBAL innodb_log_file_size = 1073741824) raises that limit.',
    );
  }
  return Math.round(mb);
}

function reasonCounts(stats: ChunkStats): Record<string, number> {
  return Object.fromEntries(INVALID_REASONS.map((r, i) => [r, stats.reasons[i] ?? 0]).filter(([, n]) => (n as number) > 0));
}

export function summarize(
  ctx: RunContext,
  scan: FileScan,
  status: EtlSummary['status'],
  message: string,
  runId: number | null,
  outcome: PoolOutcome | null,
  dataset: EtlSummary['dataset'],
  cache: CacheReport | null,
): EtlSummary {
  const totalMs = ctx.clock.total();
  const stats = outcome?.stats ?? null;
  const read = stats?.rows ?? 0;
  return {
    status,
    message,
    runId,
    mode: ctx.opts.mode ?? 'auto',
    database: ctx.opts.database,
    file: {
      path: ctx.opts.input,
      bytes: scan.size,
      sha256: scan.sha256,
      encoding: ctx.head.encoding.encoding,
      encodingHow: ctx.head.encoding.how,
      ignoredColumns: ctx.head.layout.ignored,
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
    timingsMs: { ...ctx.clock.phases },
    workerMs: outcome ? Object.fromEntries(Object.entries(outcome.timings).map(([k, v]) => [k.replace(/Ms$/, ''), Math.round(v)])) : null,
    totalMs,
    rowsPerSecond: read / Math.max(0.001, totalMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    workers: ctx.workers,
    chunks: outcome?.chunks ?? 0,
    chunkBytes: ctx.chunkBytes,
    cache,
    redoMb: null,
  };
}
