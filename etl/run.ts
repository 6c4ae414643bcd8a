// runEtl() and rollbackDataset(): the programmatic ETL used by the CLI, `npm start` and the tests.
// Header → checksum and byte ranges → decision (load, unchanged, refused) under the run lock →
// load (load.ts). A rollback is one switch of the pointer row back to the previous dataset.
import { describeTarget, ETL_DEFAULTS, PhaseTimer, type EtlOptions, type EtlTarget } from './options.ts';
import {
  ensureControlRows,
  finishRun,
  insertRun,
  markInterruptedRuns,
  readPointer,
  switchPointer,
  datasetFiles,
  type Pointer,
} from './dataset/catalog.ts';
import { acquireRunLock, type RunLockOptions } from './dataset/run-lock.ts';
import { removeUnreferenced } from './dataset/writes.ts';
import { load, runThroughPool, skipped, summarize, type RunContext } from './load.ts';
import { startPool } from './write/pool.ts';
import { RangeFeed, readHead, scanFile, type FileHead } from './read/scan.ts';
import type { EtlSummary } from './report/summary.ts';
import { openClient } from './targets/connect.ts';
import { rewarmApi, type ApiTarget } from './targets/api-rewarm.ts';
import type { SqlClient } from './targets/sql-client.ts';

export { ETL_DEFAULTS, type EtlMode, type EtlOptions, type EtlTarget } from './options.ts';

function chunkBytesOf(opts: EtlOptions, head: FileHead): number {
  if (opts.chunkRows) return Math.max(64 * 1024, Math.round(opts.chunkRows * head.avgLineBytes));
  return Math.max(64 * 1024, opts.chunkBytes ?? ETL_DEFAULTS.chunkBytes);
}

export async function runEtl(opts: EtlOptions): Promise<EtlSummary> {
  const timer = new PhaseTimer();
  const head = await timer.time('header', () => readHead(opts.input, opts.encoding ?? 'auto'));
  const chunkBytes = chunkBytesOf(opts, head);
  const workers = Math.max(
    1,
    Math.min(opts.workers ?? ETL_DEFAULTS.workers, Math.ceil((head.size - head.dataStart) / chunkBytes) || 1),
  );
  // The threads boot, and the checksum pass starts cutting ranges, while the database is
  // prepared; the pool takes each range as soon as it is cut.
  const pool = startPool(workers, {
    chunkBytes,
    statementBytes: opts.statementBytes ?? ETL_DEFAULTS.statementBytes,
    concurrency: opts.concurrency ?? ETL_DEFAULTS.concurrency,
  });
  const feed = new RangeFeed();
  const scanning = timer.time('checksum', () =>
    scanFile(opts.input, head.dataStart, chunkBytes, opts.signal, feed, { fileSize: head.size, workers }),
  );
  scanning.catch(() => {}); // awaited below
  const ctx: RunContext = { opts, head, feed, scanning, workers, chunkBytes, timer, pool, retries: 0 };
  try {
    if (opts.dryRun) {
      const outcome = await timer.time('validate', () => runThroughPool(ctx, null, 0));
      return summarize(
        ctx,
        await scanning,
        'dry-run',
        `validated ${opts.input}; nothing written`,
        null,
        outcome,
        null,
        null,
      );
    }
    const db = await openClient(opts.target, () => ctx.retries++);
    try {
      return await underLock(db, opts, (pointer) => decideAndLoad(db, ctx, pointer));
    } finally {
      await db.close();
    }
  } finally {
    await scanning.catch(() => {});
    await pool.destroy();
  }
}

/** Takes the run lock, tidies what a killed run left, and runs `work` with the pointer as read. */
async function underLock<T>(
  db: SqlClient,
  opts: { log?: (line: string) => void; lock?: Partial<RunLockOptions>; removalGraceMs?: number },
  work: (p: Pointer) => Promise<T>,
): Promise<T> {
  const log = opts.log ?? (() => {});
  await ensureControlRows(db);
  const lock = await acquireRunLock(db, { ...opts.lock, onLost: (err) => log(`warning: ${err.message}`) });
  try {
    const stale = await markInterruptedRuns(db);
    if (stale) log(`Marked ${stale} earlier run(s) left 'running' by a killed process as failed.`);
    const pointer = await readPointer(db);
    // A load killed before its switch left a dataset nobody points at: remove it first.
    await removeUnreferenced(db, [pointer.live, pointer.previous], log, pointer.changedAt, opts.removalGraceMs);
    return await work(pointer);
  } finally {
    await lock.release();
  }
}

/** Run semantics: a no-op when FILE already is the dataset, a refusal to append it twice. */
async function decideAndLoad(db: SqlClient, ctx: RunContext, pointer: Pointer): Promise<EtlSummary> {
  const { opts, head } = ctx;
  const mode = opts.mode ?? 'auto';
  const files = pointer.live === null ? [] : await datasetFiles(db, pointer.live);
  // Only a file of the same size can have the same checksum: otherwise loading starts at once,
  // alongside the checksum pass, instead of after it.
  if (mode !== 'replace' && files.some((f) => f.bytes === head.size)) {
    const scan = await ctx.scanning;
    const same = files.find((f) => f.sha256 === scan.sha256);
    if (mode === 'append' && same) {
      return skipped(
        db,
        ctx,
        'refused',
        `${opts.input} is already part of the dataset (loaded by run #${same.runId}); refusing to append it twice`,
      );
    }
    if (mode === 'auto' && same && files.length === 1) {
      const msg = `${opts.input} (sha256 ${scan.sha256.slice(0, 12)}…) is already the live dataset (#${pointer.live}, run #${same.runId}, ${same.rows} rows); nothing changed. Use --replace to reload it.`;
      return skipped(db, ctx, 'unchanged', msg);
    }
  }
  return load(db, ctx, pointer, mode === 'append' && pointer.live !== null);
}

export interface RollbackOptions {
  target: EtlTarget;
  log?: (line: string) => void;
  api?: ApiTarget | null;
  lock?: Partial<RunLockOptions>;
}

export interface RollbackSummary {
  status: 'rolled-back' | 'refused';
  message: string;
  runId: number | null;
  live: number | null;
  previous: number | null;
  generation: number;
  totalMs: number;
}

/** Makes the previous dataset live again, and the one it replaces the next rollback's target. */
export async function rollbackDataset(opts: RollbackOptions): Promise<RollbackSummary> {
  const timer = new PhaseTimer();
  const log = opts.log ?? (() => {});
  const db = await openClient(opts.target);
  try {
    return await underLock(db, opts, async (pointer) => {
      if (pointer.previous === null) {
        const message = `There is no previous dataset to roll back to (live: ${pointer.live === null ? 'none' : `#${pointer.live}`}) on ${describeTarget(opts.target)}`;
        log(message);
        return {
          status: 'refused',
          message,
          runId: null,
          live: pointer.live,
          previous: null,
          generation: pointer.generation,
          totalMs: timer.total(),
        };
      }
      const runId = await insertRun(db, `dataset #${pointer.previous}`, '', 'rollback', 'running');
      const generation = await switchPointer(db, pointer, pointer.previous, pointer.live);
      const message = `Dataset #${pointer.previous} is live again (generation ${generation}); #${pointer.live} is kept for the next rollback`;
      log(message);
      const cache = await rewarmApi(opts.api ?? null);
      log(`Cache: ${cache.summary}`);
      await finishRun(db, runId, 'succeeded', { datasetId: pointer.previous, summary: { message, cache } });
      return {
        status: 'rolled-back',
        message,
        runId,
        live: pointer.previous,
        previous: pointer.live,
        generation,
        totalMs: timer.total(),
      };
    });
  } finally {
    await db.close();
  }
}
