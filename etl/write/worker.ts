// A pool thread: reads its own byte range of the CSV, runs the pure chunk function, waits for its
// ids, and streams the rows into the staging table with LOAD DATA LOCAL INFILE on its own connection.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { processChunk } from '../transform/chunk.ts';
import { TsvBuffer } from '../transform/tsv-writer.ts';
import type { BaseMessage, ChunkResult, ChunkTask, CountedMessage, LoadTarget } from './messages.ts';
import { loadDataSql } from '../sql.ts';

/** Reused for every chunk of this thread (tasks run one at a time per worker). */
let readBuffer = Buffer.allocUnsafe(0);
const tsvBuffer = new TsvBuffer(1 << 20);

/**
 * Each worker reads its range straight from the file instead of being sent the bytes: the main
 * thread then only hashes and finds line starts, nothing is copied between threads, and the
 * tab-separated rows go from this thread's buffer to the socket. Only the descriptor, two
 * counters and the result (a few hundred numbers) cross threads. Were bytes ever handed between
 * threads (say, one reader feeding the workers), they would go in a transferList, moving the
 * ArrayBuffer: a structured clone would copy every byte on the sending thread, which is the
 * thread that must not become the bottleneck.
 */
async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  if (readBuffer.length < end - start) readBuffer = Buffer.allocUnsafe(end - start);
  const buf = readBuffer.subarray(0, end - start);
  const fh = await open(file, 'r');
  try {
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
      if (bytesRead === 0) throw new Error(`File shrank while loading: expected ${end - start} bytes at ${start}, got ${off}`);
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return buf;
}

function waitForBase(port: MessagePort): Promise<BaseMessage> {
  return new Promise((resolve, reject) => {
    port.once('message', (m: BaseMessage) => resolve(m));
    port.once('close', () => reject(new Error('Load aborted before this chunk got its ids')));
  });
}

/** mysql2 sends each chunk of the stream as one protocol packet: keep them well under 16 MiB. */
const SLICE = 1 << 20;

function* slices(buf: Buffer): Generator<Buffer> {
  for (let o = 0; o < buf.length; o += SLICE) yield buf.subarray(o, Math.min(buf.length, o + SLICE));
}

interface InfileSource {
  name: string;
  tsv: Buffer | null;
}

/** Opened when the task starts, so connecting and authenticating overlap reading the range. */
async function connect(load: LoadTarget, source: InfileSource): Promise<mysql.Connection> {
  const conn = await mysql.createConnection({
    ...load.mysql,
    database: load.database,
    infileStreamFactory: (name: string) => {
      if (name !== source.name || !source.tsv) throw new Error(`Server asked for an unexpected file: ${name}`);
      return Readable.from(slices(source.tsv), { objectMode: false });
    },
  });
  // Every row's created_at (DEFAULT CURRENT_TIMESTAMP) is the run's start time.
  await conn.query('SET timestamp = ?', [load.createdAt]);
  return conn;
}

async function loadRows(conn: mysql.Connection, source: InfileSource, rows: number, base: BaseMessage, load: LoadTarget, batchId: number): Promise<void> {
  const sql = loadDataSql({ idOffset: base.idOffset, lineOffset: base.lineOffset, runId: load.runId, streamName: source.name });
  const [result] = await conn.query(sql);
  const header = result as mysql.ResultSetHeader;
  // LOAD DATA LOCAL turns conversion errors into warnings (it implies IGNORE), so a warning
  // would mean a value stored other than as read: processChunk should have prevented it.
  if (header.warningStatus > 0) {
    const [warnings] = await conn.query('SHOW WARNINGS LIMIT 5');
    throw new Error(`LOAD DATA of chunk ${batchId} raised ${header.warningStatus} warning(s): ${JSON.stringify(warnings)}`);
  }
  if (header.affectedRows !== rows) throw new Error(`LOAD DATA of chunk ${batchId} stored ${header.affectedRows} rows, expected ${rows}`);
}

export default async function runChunk(task: ChunkTask): Promise<ChunkResult> {
  const t0 = performance.now();
  const source: InfileSource = { name: `chunk-${task.batchId}.tsv`, tsv: null };
  const connecting = task.load && task.port ? connect(task.load, source) : null;
  connecting?.catch(() => {}); // awaited below; a failure before that is reported there
  try {
    const bytes = await readRange(task.file, task.start, task.end);
    const t1 = performance.now();
    const { tsv, stats, validRows } = processChunk({ bytes, layout: task.layout, encoding: task.encoding, atEof: task.atEof, emit: task.load !== null }, tsvBuffer);
    const t2 = performance.now();
    let waitMs = 0;
    let loadMs = 0;
    if (task.load && task.port && connecting) {
      const counted: CountedMessage = { kind: 'counted', batchId: task.batchId, rows: stats.rows, lines: stats.lines };
      task.port.postMessage(counted);
      const base = await waitForBase(task.port);
      const t3 = performance.now();
      waitMs = t3 - t2;
      source.tsv = tsv;
      const conn = await connecting;
      try {
        if (stats.rows > 0) await loadRows(conn, source, stats.rows, base, task.load, task.batchId);
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
      loadMs = performance.now() - t3;
    }
    const result: ChunkResult = {
      status: 'ok',
      batchId: task.batchId,
      bytes: task.end - task.start,
      stats,
      timings: { readMs: t1 - t0, parseMs: t2 - t1, waitMs, loadMs },
      validRows,
    };
    // The valid rows' buffer is moved to the main thread, not structured-cloned (copied).
    return move({ [transferableSymbol]: [validRows.buffer], [valueSymbol]: result }) as unknown as ChunkResult;
  } catch (err) {
    const e = err as Error & { code?: string };
    connecting?.then((c) => c.destroy()).catch(() => {});
    return { status: 'failed', batchId: task.batchId, error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  } finally {
    task.port?.close();
  }
}
