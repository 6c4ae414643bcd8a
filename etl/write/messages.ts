// The messages between the ETL's main thread and its worker threads: a task is a descriptor
// (file, byte range, batch id), a result is a union; ids are handed out over a MessagePort.
import type { MessagePort } from 'node:worker_threads';
import type { MysqlTarget } from '../targets/mysql-url.ts';
import type { ChunkStats } from '../transform/chunk.ts';
import type { SourceEncoding } from '../read/encoding.ts';
import type { HeaderLayout } from '../read/header.ts';

/** What every row of a load carries, whichever the target. */
interface LoadRun {
  datasetId: number;
  runId: number;
  /** 'YYYY-MM-DD HH:MM:SS' UTC, the run's start: every row's created_at. */
  createdAt: string;
}

/**
 * Where and how a worker writes its rows; absent for --dry-run. PlanetScale: size-bounded
 * multi-row INSERTs through the official driver, `concurrency` in flight per worker. MySQL
 * protocol: LOAD DATA LOCAL INFILE on one connection per worker.
 */
export type LoadTarget =
  | (LoadRun & { kind: 'planetscale'; url: string; statementBytes: number; concurrency: number })
  | (LoadRun & { kind: 'mysql'; mysql: MysqlTarget; database: string });

export interface ChunkTask {
  file: string;
  /** Byte range [start, end), aligned to line starts by the main thread's scan. */
  start: number;
  end: number;
  batchId: number;
  atEof: boolean;
  layout: HeaderLayout;
  encoding: SourceEncoding;
  load: LoadTarget | null;
  /** Worker → main: CountedMessage; main → worker: BaseMessage. Absent for --dry-run. */
  port: MessagePort | null;
}

/** The worker has parsed its range and knows how many rows and lines it holds. */
export interface CountedMessage {
  kind: 'counted';
  batchId: number;
  rows: number;
  lines: number;
}

/** Ids and line numbers of a chunk: known once every earlier chunk has been counted. */
export interface BaseMessage {
  kind: 'base';
  /** Id of the chunk's first row minus one. */
  idOffset: number;
  /** 1-based line number in the file of the chunk's first line. */
  lineOffset: number;
}

export interface ChunkTimings {
  readMs: number;
  parseMs: number;
  /** Waiting for earlier chunks to be counted. */
  waitMs: number;
  loadMs: number;
  /** Statements retried after a transient error. */
  retries: number;
}

export type ChunkResult =
  | {
      status: 'ok';
      batchId: number;
      bytes: number;
      stats: ChunkStats;
      timings: ChunkTimings;
      /** Pairs [row number in the chunk, packed filters] of the valid rows (transferred, not copied). */
      validRows: Uint32Array;
    }
  | { status: 'failed'; batchId: number; error: { message: string; code?: string } };
