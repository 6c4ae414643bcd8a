// Runs the chunk tasks on a piscina pool of worker threads and hands out ids in source order:
// each chunk reports its row count once parsed, and gets its first id when all earlier ones have.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { emptyStats, type ChunkStats } from './chunk.ts';
import type { SourceEncoding } from './encoding.ts';
import type { HeaderLayout } from './header.ts';
import type { BaseMessage, ChunkResult, ChunkTask, ChunkTimings, CountedMessage, LoadTarget } from './messages.ts';

export interface ByteRange {
  start: number;
  end: number;
}

export interface PoolOptions {
  file: string;
  ranges: ByteRange[];
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
  onChunk?: (result: Extract<ChunkResult, { status: 'ok' }>) => void;
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

/** Worker threads must load TypeScript too: reuse the parent's tsx loader, or add it (under vitest). */
function workerExecArgv(): string[] {
  if (process.execArgv.some((a) => a.includes('tsx'))) return process.execArgv;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const loader = join(tsxDir, 'dist', 'loader.mjs');
  return [...process.execArgv, '--import', existsSync(loader) ? pathToFileURL(loader).href : 'tsx'];
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

export async function runPool(opts: PoolOptions): Promise<PoolOutcome> {
  const stats = emptyStats();
  const timings: ChunkTimings = { readMs: 0, parseMs: 0, waitMs: 0, loadMs: 0 };
  if (opts.ranges.length === 0) return { stats, timings, chunks: 0 };
  const pool = new Piscina<ChunkTask, ChunkResult>({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: 5000,
    execArgv: workerExecArgv(),
  });
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  // Ids in source order: chunk k may load once chunks 0..k-1 have said how many rows they hold.
  // Tasks start in queue (source) order, so the earliest unreported chunk is always running.
  const ports: MessagePort[] = [];
  const counted: (CountedMessage | undefined)[] = [];
  let next = 0;
  let idOffset = opts.idOffset;
  let lineOffset = opts.firstLine;
  const release = () => {
    for (let m = counted[next]; m; m = counted[next]) {
      const base: BaseMessage = { kind: 'base', idOffset, lineOffset };
      ports[next]?.postMessage(base);
      idOffset += m.rows;
      lineOffset += m.lines;
      next++;
    }
  };

  const runs = opts.ranges.map((range, batchId) => {
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
      if (result.status === 'failed') throw new ChunkFailedError(`Chunk ${batchId} (bytes ${range.start}–${range.end}) failed: ${result.error.message}`);
      mergeStats(stats, result.stats);
      for (const k of Object.keys(timings) as (keyof ChunkTimings)[]) timings[k] += result.timings[k];
      opts.onChunk?.(result);
    });
  });
  try {
    await Promise.all(runs);
  } catch (err) {
    abort.abort(err);
    for (const p of ports) p?.close(); // a chunk still waiting for its ids gives up
    await Promise.allSettled(runs);
    throw opts.signal?.aborted ? (opts.signal.reason ?? err) : err;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    for (const p of ports) p?.close();
    await pool.destroy();
  }
  return { stats, timings, chunks: opts.ranges.length };
}
