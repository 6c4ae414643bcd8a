// A pool thread: reads its own byte range of the CSV, runs the pure chunk function, waits for its
// ids, and streams the rows into the staging table with LOAD DATA LOCAL INFILE on its own connection.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { processChunk } from './chunk.ts';
import type { BaseMessage, ChunkResult, ChunkTask, CountedMessage, LoadTarget } from './messages.ts';
import { loadDataSql } from './sql.ts';

/**
 * Each worker reads its range straight from the file instead of being sent the bytes: the main
 * thread then only hashes and finds line starts, nothing is copied between threads, and the
 * tab-separated rows go from this thread's buffer to the socket. Only the descriptor, two
 * counters and the result (a few hundred numbers) cross threads.
 */
async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(end - start);
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

async function loadRows(load: LoadTarget, tsv: Buffer, rows: number, base: BaseMessage, batchId: number): Promise<void> {
  const streamName = `chunk-${batchId}.tsv`;
  const conn = await mysql.createConnection({
    ...load.mysql,
    database: load.database,
    infileStreamFactory: (name: string) => {
      if (name !== streamName) throw new Error(`Server asked for an unexpected file: ${name}`);
      return Readable.from(slices(tsv), { objectMode: false });
    },
  });
  try {
    const sql = loadDataSql({ idOffset: base.idOffset, lineOffset: base.lineOffset, runId: load.runId, createdAt: load.createdAt, streamName });
    const [result] = await conn.query(sql);
    const header = result as mysql.ResultSetHeader;
    // LOAD DATA LOCAL turns conversion errors into warnings (it implies IGNORE), so a warning
    // would mean a value stored other than as read: processChunk should have prevented it.
    if (header.warningStatus > 0) {
      const [warnings] = await conn.query('SHOW WARNINGS LIMIT 5');
      throw new Error(`LOAD DATA of chunk ${batchId} raised ${header.warningStatus} warning(s): ${JSON.stringify(warnings)}`);
    }
    if (header.affectedRows !== rows) throw new Error(`LOAD DATA of chunk ${batchId} stored ${header.affectedRows} rows, expected ${rows}`);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

export default async function runChunk(task: ChunkTask): Promise<ChunkResult> {
  const t0 = performance.now();
  try {
    let bytes: Buffer | null = await readRange(task.file, task.start, task.end);
    const t1 = performance.now();
    const { tsv, stats } = processChunk({ bytes, layout: task.layout, encoding: task.encoding, atEof: task.atEof, emit: task.load !== null });
    bytes = null; // the source bytes can go while this chunk waits and loads
    const t2 = performance.now();
    let waitMs = 0;
    let loadMs = 0;
    if (task.load && task.port) {
      const counted: CountedMessage = { kind: 'counted', batchId: task.batchId, rows: stats.rows, lines: stats.lines };
      task.port.postMessage(counted);
      const base = await waitForBase(task.port);
      const t3 = performance.now();
      waitMs = t3 - t2;
      if (stats.rows > 0 && tsv) await loadRows(task.load, tsv, stats.rows, base, task.batchId);
      loadMs = performance.now() - t3;
    }
    return {
      status: 'ok',
      batchId: task.batchId,
      bytes: task.end - task.start,
      stats,
      timings: { readMs: t1 - t0, parseMs: t2 - t1, waitMs, loadMs },
    };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { status: 'failed', batchId: task.batchId, error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  } finally {
    task.port?.close();
  }
}
