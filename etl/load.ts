// The steps of one load once decided: a new dataset beside the live one (a copy of it first, for
// --append) → the worker pool writes the rows → aggregates, page index, files → one UPDATE of
// the pointer row makes it live → the dataset before the previous one is removed. No DDL, no
// transaction: each statement is short and bounded, and a crash before the switch changes
// nothing the API sees (the next run removes the half-written dataset).
import { INVALID_REASONS } from '../src/risk/index.ts';
import { ANCHOR_EVERY } from '../src/data/page-index.ts';
import type { ChunkStats } from './transform/chunk.ts';
import { PageIndexFeed } from './transform/page-feed.ts';
import type { LoadTarget } from './write/messages.ts';
import { runPool, type ChunkPool, type PoolOutcome } from './write/pool.ts';
import type { FileHead, FileScan, RangeFeed } from './read/scan.ts';
import { createProgress } from './report/progress.ts';
import type { EtlSummary } from './report/summary.ts';
import { describeTarget, ETL_DEFAULTS, type EtlOptions, type PhaseTimer } from './options.ts';
import {
  addFile,
  copyFiles,
  createDataset,
  datasetTotals,
  finishRun,
  insertRun,
  markReady,
  switchPointer,
  type Pointer,
} from './dataset/catalog.ts';
import {
  copyPageAnchors,
  copyRecords,
  pageIndexTotals,
  removeUnreferenced,
  writeAggregates,
  writePageIndex,
} from './dataset/writes.ts';
import { rewarmApi, type RewarmReport } from './targets/api-rewarm.ts';
import type { SqlClient } from './targets/sql-client.ts';

export interface RunContext {
  opts: EtlOptions;
  head: FileHead;
  /** Ranges as the checksum pass cuts them, and that pass's result. */
  feed: RangeFeed;
  scanning: Promise<FileScan>;
  workers: number;
  chunkBytes: number;
  timer: PhaseTimer;
  pool: ChunkPool;
  /** Main-thread statements retried after a transient error. */
  retries: number;
}

export function runThroughPool(
  ctx: RunContext,
  target: LoadTarget | null,
  idOffset: number,
  pages: PageIndexFeed | null = null,
): Promise<PoolOutcome> {
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
    load: target,
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

export async function skipped(
  db: SqlClient,
  ctx: RunContext,
  status: 'unchanged' | 'refused',
  message: string,
): Promise<EtlSummary> {
  const scan = await ctx.scanning;
  const runId = await insertRun(
    db,
    ctx.opts.input,
    scan.sha256,
    ctx.opts.mode === 'append' ? 'append' : 'replace',
    'skipped',
  );
  const summary = summarize(ctx, scan, status, message, runId, null, null, null);
  await finishRun(db, runId, 'skipped', { sha256: scan.sha256, summary, error: status === 'refused' ? message : null });
  ctx.opts.log?.(message);
  return summary;
}

function loadTarget(ctx: RunContext, datasetId: number, runId: number, createdAt: string): LoadTarget {
  const t = ctx.opts.target;
  const run = { datasetId, runId, createdAt };
  if (t.kind === 'mysql') return { kind: 'mysql', mysql: t.mysql, database: t.database, ...run };
  return {
    kind: 'planetscale',
    url: t.url,
    statementBytes: ctx.opts.statementBytes ?? ETL_DEFAULTS.statementBytes,
    concurrency: ctx.opts.concurrency ?? ETL_DEFAULTS.concurrency,
    ...run,
  };
}

export async function load(db: SqlClient, ctx: RunContext, pointer: Pointer, append: boolean): Promise<EtlSummary> {
  const { opts, head, timer } = ctx;
  const log = opts.log ?? (() => {});
  const runId = await insertRun(db, opts.input, '', append ? 'append' : 'replace', 'running');
  let datasetId: number | null = null;
  let switched = false;
  let sha = '';
  try {
    const { rows: now } = await db.execute("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS now");
    const createdAt = String(now[0]?.now);
    const base = append ? pointer.live : null;
    datasetId = await createDataset(db, runId, base);
    const id = datasetId;
    const pages = new PageIndexFeed();
    const baseTotals = base === null ? null : await datasetTotals(db, base);
    if (base !== null && baseTotals) {
      await timer.time('copy', async () => {
        log(
          `Copying dataset #${base} (${baseTotals.total.toLocaleString('en-US')} records) into #${id}, which adds ${opts.input}`,
        );
        await copyRecords(db, base, id, baseTotals.maxId);
        await copyFiles(db, base, id);
        const totals = await pageIndexTotals(db, base);
        await copyPageAnchors(db, base, id, totals, ANCHOR_EVERY);
        pages.seed(totals);
      });
    }
    const idOffset = baseTotals?.maxId ?? 0;
    const estimate = Math.ceil((head.size - head.dataStart) / ctx.chunkBytes);
    log(
      `Loading ${opts.input} into ${describeTarget(opts.target)} as dataset #${id} (run #${runId}, ${append ? `append to #${base}` : 'replace'}): ` +
        `${(head.size / 1048576).toFixed(1)} MiB in ~${estimate} chunks on ${ctx.workers} workers`,
    );
    const outcome = await timer.time('load', () =>
      runThroughPool(ctx, loadTarget(ctx, id, runId, createdAt), idOffset, pages),
    );
    if (!pages.complete(outcome.chunks)) throw new Error('Internal error: the page index did not receive every chunk');
    const scan = await ctx.scanning;
    sha = scan.sha256;
    const checkpoint = () => opts.signal?.throwIfAborted(); // an abort stops the run before the switch
    checkpoint();
    const totals = await timer.time('aggregates', async () => {
      const t = await writeAggregates(db, id, outcome.stats, base, baseTotals);
      await writePageIndex(db, id, pages.builder);
      await addFile(
        db,
        id,
        runId,
        { name: opts.input, sha256: sha, bytes: scan.size },
        outcome.stats.rows,
        idOffset + 1,
      );
      await markReady(db, id, t, idOffset + outcome.stats.rows);
      return t;
    });
    checkpoint();
    const generation = await timer.time('switch', () => switchPointer(db, pointer, id, pointer.live));
    switched = true;
    log(`Dataset #${id} is live (generation ${generation}); #${pointer.live ?? 'none'} is kept for --rollback`);
    await timer
      .time('cleanup', () => removeUnreferenced(db, [id, pointer.live], log, pointer.changedAt, opts.removalGraceMs))
      .catch((err: Error) => log(`warning: could not remove an old dataset (the next run will): ${err.message}`));
    const cache = await timer.time('cache', () => rewarmApi(opts.api ?? null));
    log(`Cache: ${cache.summary}`);
    const files = append
      ? (await db.execute('SELECT COUNT(*) AS n FROM dataset_files WHERE dataset_id = ?', [id])).rows[0]?.n
      : 1;
    const dataset = { id, generation, ...totals, files: Number(files) };
    const msg = `${opts.input} ${append ? 'appended to' : 'is now'} the dataset on ${describeTarget(opts.target)} (dataset #${id}, run #${runId})`;
    const summary = summarize(ctx, scan, 'loaded', msg, runId, outcome, dataset, cache);
    await finishRun(db, runId, 'succeeded', {
      sha256: sha,
      datasetId: id,
      counts: { read: summary.rows.read, valid: summary.rows.valid, invalid: summary.rows.invalid },
      summary,
    });
    return summary;
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (!switched && datasetId !== null) {
      // Not live, so nobody reads it: remove it now (a killed run's is removed by the next run).
      await removeUnreferenced(db, [pointer.live, pointer.previous]).catch(() => {});
    }
    await finishRun(db, runId, switched ? 'succeeded' : 'failed', { sha256: sha, datasetId, error: message }).catch(
      () => {},
    );
    throw err;
  }
}

function reasonCounts(stats: ChunkStats): Record<string, number> {
  return Object.fromEntries(
    INVALID_REASONS.map((r, i) => [r, stats.reasons[i] ?? 0]).filter(([, n]) => (n as number) > 0),
  );
}

export function summarize(
  ctx: RunContext,
  scan: FileScan,
  status: EtlSummary['status'],
  message: string,
  runId: number | null,
  outcome: PoolOutcome | null,
  dataset: EtlSummary['dataset'],
  cache: RewarmReport | null,
): EtlSummary {
  const totalMs = ctx.timer.total();
  const stats = outcome?.stats ?? null;
  const read = stats?.rows ?? 0;
  return {
    status,
    message,
    runId,
    mode: ctx.opts.mode ?? 'auto',
    target: describeTarget(ctx.opts.target),
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
    timingsMs: { ...ctx.timer.phases },
    workerMs: outcome
      ? Object.fromEntries(
          Object.entries(outcome.timings)
            .filter(([k]) => k.endsWith('Ms'))
            .map(([k, v]) => [k.replace(/Ms$/, ''), Math.round(v)]),
        )
      : null,
    retries: (outcome?.timings.retries ?? 0) + ctx.retries,
    totalMs,
    rowsPerSecond: read / Math.max(0.001, totalMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    workers: ctx.workers,
    chunks: outcome?.chunks ?? 0,
    chunkBytes: ctx.chunkBytes,
    cache,
  };
}
