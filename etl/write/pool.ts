// Runs the chunk tasks on a piscina pool of worker threads and hands out ids in source order:
// each chunk reports its row count once parsed, and gets its first id when all earlier ones have.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { emptyStats, type ChunkStats } from '../transform/chunk.ts';
import type { SourceEncoding } from '../read/encoding.ts';
import type { HeaderLayout } from '../read/header.ts';
import type { ByteRange, RangeFeed } from '../read/scan.ts';
import type { BaseMessage, ChunkResult, ChunkTask, ChunkTimings, CountedMessage, LoadTarget } from './messages.ts';

export interface PoolOptions {
  file: string;
  /** The ranges, possibly still being cut by the checksum pass. */
  ranges: RangeFeed;
  /** The range of the last chunk ends at the end of the file. */
  fileSize: number;
  layout: HeaderLayout;
  encoding: SourceEncoding;
  load: LoadTarget | null;
  workers: number;
  /** Id of the first row minus one (0, or the current max id for --append). */
  idOffset: number;
  /** Line number of the first data line (2 after a one-line header). */
  firstLine: number;
  signal?: AbortSignal;
  /** Called as each chunk completes (for progress). */
  onChunk?: (result: Extract<ChunkResult, { status: 'ok' }>, idOffset: number) => void;
}

export interface PoolOutcome {
  stats: ChunkStats;
  /** Sum over chunks of each step's time (thread time, not wall time). */
  timings: ChunkTimings;
  chunks: number;
}

export class ChunkFailedError extends Error {
  override name = 'ChunkFailedError';
}

/** V8's heap flags, which a worker thread refuses in its execArgv (its bounds are resourceLimits). */
const HEAP_FLAG = /^--(max|min)-(semi|old)-space-size(=|$)|^--max-heap-size(=|$)/;

/**
 * Worker threads start from worker-entry.cjs, which loads the TypeScript worker through tsx's
 * in-thread CommonJS hooks. The parent's `--import tsx` is left out: it would give every worker
 * its own module-loader thread (an extra V8 isolate, ~20 MB each) for no benefit here. So are the
 * parent's heap flags (ETL_NODE_FLAGS): Node refuses them for a worker.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (/^--(import|loader|experimental-loader)$/.test(a) && /tsx/.test(argv[i + 1] ?? '')) i++;
    else if (HEAP_FLAG.test(a)) {
      if (!a.includes('=') && /^\d+$/.test(argv[i + 1] ?? '')) i++;
    } else if (!/^--(import|loader|experimental-loader)=.*tsx/.test(a)) out.push(a);
  }
  return out;
}

export function mergeStats(into: ChunkStats, s: ChunkStats): void {
  into.rows += s.rows;
  into.lines += s.lines;
  into.blankLines += s.blankLines;
  into.truncatedLines += s.truncatedLines;
  into.valid += s.valid;
  into.invalid += s.invalid;
  s.reasons.forEach((n, i) => (into.reasons[i] = (into.reasons[i] as number) + n));
  s.aggRecords.forEach((n, i) => (into.aggRecords[i] = (into.aggRecords[i] as number) + n));
  s.aggRiskSum.forEach((n, i) => (into.aggRiskSum[i] = (into.aggRiskSum[i] as number) + n));
}

export type ChunkPool = Piscina<ChunkTask, ChunkResult>;

export interface WorkerHeapSizing {
  chunkBytes: number;
  statementBytes: number;
  concurrency: number;
}

const MiB = 1 << 20;

/**
 * A worker's old generation, MB. Its rows live in Buffers (outside the heap); what the heap holds
 * is its code and, per statement in flight, the statement's text, the driver's JSON body and the
 * encoded request (each a large object, freed only by a full collection). Left to V8's defaults,
 * the ETL's RSS climbed through a load (to 296 MB at a million rows, `npm run bench:etl`); bounded
 * by what the settings need, it stays flat (about 210 MB with the main thread's own bound).
 */
export function workerOldSpaceMb(s: WorkerHeapSizing): number {
  return Math.ceil(32 + (2 * s.chunkBytes) / MiB + (6 * s.concurrency * s.statementBytes) / MiB);
}

/**
 * Starts the worker threads (each loads its modules at once): the ETL does this before its
 * checksum pass, so the threads boot while the main thread reads the file.
 */
export function startPool(workers: number, heap: WorkerHeapSizing): ChunkPool {
  return new Piscina<ChunkTask, ChunkResult>({
    filename: new URL('./worker-entry.cjs', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    stricterFIFO: true,
    execArgv: workerExecArgv(),
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: workerOldSpaceMb(heap) },
  });
}

/** Runs every range on `pool` (at most opts.workers at a time); the caller destroys the pool. */
export async function runPool(pool: ChunkPool, opts: PoolOptions): Promise<PoolOutcome> {
  const stats = emptyStats();
  const timings: ChunkTimings = { readMs: 0, parseMs: 0, waitMs: 0, loadMs: 0, retries: 0 };
  opts.signal?.throwIfAborted();
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  // Ids in source order: chunk k may load once chunks 0..k-1 have said how many rows they hold
  // (a chunk knows its row count only once parsed: blank, truncated and multi-line records).
  const ports: MessagePort[] = [];
  const counted: (CountedMessage | undefined)[] = [];
  const idOffsets: number[] = [];
  let next = 0;
  let idOffset = opts.idOffset;
  let lineOffset = opts.firstLine;
  const release = () => {
    for (let m = counted[next]; m; m = counted[next]) {
      const base: BaseMessage = { kind: 'base', idOffset, lineOffset };
      idOffsets[next] = idOffset;
      ports[next]?.postMessage(base);
      idOffset += m.rows;
      lineOffset += m.lines;
      next++;
    }
  };

  const runChunk = (batchId: number, range: ByteRange): Promise<void> => {
    let port: MessagePort | null = null;
    const transferList: MessagePort[] = [];
    if (opts.load) {
      const channel = new MessageChannel();
      ports[batchId] = channel.port1;
      channel.port1.on('message', (m: CountedMessage) => {
        counted[m.batchId] = m;
        release();
      });
      port = channel.port2;
      transferList.push(port);
    }
    const task: ChunkTask = {
      file: opts.file,
      start: range.start,
      end: range.end,
      batchId,
      atEof: range.end >= opts.fileSize,
      layout: opts.layout,
      encoding: opts.encoding,
      load: opts.load,
      port,
    };
    return pool.run(task, { transferList, signal: abort.signal }).then((result) => {
      ports[batchId]?.close();
      if (result.status === 'failed')
        throw new ChunkFailedError(
          `Chunk ${batchId} (bytes ${range.start}–${range.end}) failed: ${result.error.message}`,
        );
      mergeStats(stats, result.stats);
      for (const k of Object.keys(timings) as (keyof ChunkTimings)[]) timings[k] += result.timings[k];
      opts.onChunk?.(result, idOffsets[batchId] ?? 0);
    });
  };

  // Each slot runs one chunk at a time, taking chunk numbers in source order as the scan cuts
  // them: the earliest chunk still to report its count is then always running, so waiting for
  // ids cannot deadlock (a queue of every task would not do: piscina may reorder queued
  // abortable tasks). Slots never outnumber the pool's threads.
  const running = new Set<Promise<void>>();
  let nextChunk = 0;
  const slot = async () => {
    for (;;) {
      const batchId = nextChunk++;
      const range = await opts.ranges.at(batchId, abort.signal);
      if (!range || abort.signal.aborted) return;
      const p = runChunk(batchId, range);
      running.add(p);
      try {
        await p;
      } finally {
        running.delete(p);
      }
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
      Promise.all(Array.from({ length: opts.workers }, slot)).then(() => resolve(), reject);
    });
  } catch (err) {
    abort.abort(err);
    for (const p of ports) p?.close(); // a chunk still waiting for its ids gives up
    await Promise.allSettled([...running]);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    for (const p of ports) p?.close();
  }
  return { stats, timings, chunks: opts.ranges.ranges.length };
}
