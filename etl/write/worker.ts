// A pool thread: reads its own byte range of the CSV, runs the pure chunk function, waits for its
// ids, and writes the rows: multi-row INSERTs through PlanetScale's driver, or LOAD DATA LOCAL
// INFILE over the MySQL protocol. One client (or connection) per thread, kept across chunks.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import mysql from 'mysql2/promise';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { processChunk } from '../transform/chunk.ts';
import { insertStatements, type InsertStatement } from '../transform/sql-values.ts';
import { TsvBuffer } from '../transform/tsv-writer.ts';
import { connectionOptions } from '../targets/mysql.ts';
import { planetScaleClient } from '../targets/planetscale.ts';
import { withRetries, type SqlClient } from '../targets/sql-client.ts';
import type { BaseMessage, ChunkResult, ChunkTask, CountedMessage, LoadTarget } from './messages.ts';
import { loadDataSql } from './load-data-sql.ts';

/** Reused for every chunk of this thread (tasks run one at a time per worker). */
let readBuffer = Buffer.allocUnsafe(0);
const tsvBuffer = new TsvBuffer(1 << 20);

/**
 * Each worker reads its range straight from the file instead of being sent the bytes: the main
 * thread then only hashes and finds line starts, nothing is copied between threads, and the rows
 * go from this thread's buffer to the socket. Only the descriptor, two counters and the result (a
 * few hundred numbers) cross threads.
 */
async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  if (readBuffer.length < end - start) readBuffer = Buffer.allocUnsafe(end - start);
  const buf = readBuffer.subarray(0, end - start);
  const fh = await open(file, 'r');
  try {
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
      if (bytesRead === 0)
        throw new Error(`File shrank while loading: expected ${end - start} bytes at ${start}, got ${off}`);
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

// ---- PlanetScale: INSERTs through the driver ----------------------------------------------

let psClient: { url: string; client: SqlClient } | null = null;

function clientFor(url: string): SqlClient {
  if (psClient?.url !== url) psClient = { url, client: planetScaleClient({ url }) };
  return psClient.client;
}

/** Vitess's ALREADY_EXISTS / MySQL's ER_DUP_ENTRY: on a retry, the first attempt may have landed. */
function isDuplicate(err: unknown): boolean {
  const e = err as { body?: { code?: string }; errno?: number };
  return e?.body?.code === 'ALREADY_EXISTS' || e?.errno === 1062;
}

export async function sendInsert(
  db: SqlClient,
  st: InsertStatement,
  datasetId: number,
  onRetry: () => void,
): Promise<void> {
  await withRetries(
    async (attempt) => {
      try {
        const r = await db.execute(st.sql);
        if (r.affectedRows !== st.rows)
          throw new Error(`INSERT of ids ${st.firstId}… stored ${r.affectedRows} rows, expected ${st.rows}`);
      } catch (err) {
        if (attempt === 0 || !isDuplicate(err)) throw err;
        // The lost reply of an earlier attempt: the rows are there if all of them are (every row
        // of the statement's kind between its first and last id is one of its rows).
        const { rows } = await db.execute(
          'SELECT COUNT(*) AS n FROM health_records WHERE dataset_id = ? AND invalid_flag = ? AND id BETWEEN ? AND ?',
          [datasetId, st.invalid ? 1 : 0, st.firstId, st.lastId],
        );
        if (Number(rows[0]?.n) !== st.rows) throw err;
      }
    },
    undefined,
    onRetry,
  );
}

async function insertRows(
  load: Extract<LoadTarget, { kind: 'planetscale' }>,
  tsv: Buffer,
  base: BaseMessage,
): Promise<number> {
  const db = clientFor(load.url);
  const ctx = {
    datasetId: load.datasetId,
    idOffset: base.idOffset,
    lineOffset: base.lineOffset,
    runId: load.runId,
    createdAt: load.createdAt,
  };
  let retries = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  // Far under PlanetScale's 100,000 rows per statement; the byte budget usually decides.
  for (const st of insertStatements(tsv, ctx, load.statementBytes, 20_000)) {
    if (failure) break;
    const p: Promise<void> = sendInsert(db, st, load.datasetId, () => retries++)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= load.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return retries;
}

// ---- MySQL protocol: LOAD DATA LOCAL INFILE -------------------------------------------------

interface InfileSource {
  name: string;
  tsv: Buffer | null;
}

/** mysql2 sends each chunk of the stream as one protocol packet: keep them well under 16 MiB. */
const SLICE = 1 << 20;

function* slices(buf: Buffer): Generator<Buffer> {
  for (let o = 0; o < buf.length; o += SLICE) yield buf.subarray(o, Math.min(buf.length, o + SLICE));
}

const infile: InfileSource = { name: '', tsv: null };
let mysqlConn: { key: string; conn: Promise<mysql.Connection> } | null = null;

function connectionFor(load: Extract<LoadTarget, { kind: 'mysql' }>): Promise<mysql.Connection> {
  const key = JSON.stringify([load.mysql, load.database]);
  if (mysqlConn?.key !== key) {
    const conn = mysql.createConnection({
      ...connectionOptions(load.mysql, load.database),
      infileStreamFactory: (name: string) => {
        if (name !== infile.name || !infile.tsv) throw new Error(`Server asked for an unexpected file: ${name}`);
        return Readable.from(slices(infile.tsv), { objectMode: false });
      },
    });
    conn.catch(() => {
      mysqlConn = null;
    });
    mysqlConn = { key, conn };
  }
  return mysqlConn.conn;
}

async function loadRows(
  load: Extract<LoadTarget, { kind: 'mysql' }>,
  tsv: Buffer,
  rows: number,
  base: BaseMessage,
  batchId: number,
): Promise<void> {
  const conn = await connectionFor(load);
  infile.name = `chunk-${batchId}.tsv`;
  infile.tsv = tsv;
  const sql = loadDataSql({
    datasetId: load.datasetId,
    idOffset: base.idOffset,
    lineOffset: base.lineOffset,
    runId: load.runId,
    createdAt: load.createdAt,
    streamName: infile.name,
  });
  try {
    const [result] = await conn.query(sql);
    const header = result as mysql.ResultSetHeader;
    // LOAD DATA LOCAL turns conversion errors into warnings (it implies IGNORE), so a warning
    // would mean a value stored other than as read: processChunk should have prevented it.
    if (header.warningStatus > 0) {
      const [warnings] = await conn.query('SHOW WARNINGS LIMIT 5');
      throw new Error(
        `LOAD DATA of chunk ${batchId} raised ${header.warningStatus} warning(s): ${JSON.stringify(warnings)}`,
      );
    }
    if (header.affectedRows !== rows)
      throw new Error(`LOAD DATA of chunk ${batchId} stored ${header.affectedRows} rows, expected ${rows}`);
  } catch (err) {
    // A failed connection is not reused by the next chunk.
    if ((err as { fatal?: boolean }).fatal) mysqlConn = null;
    throw err;
  } finally {
    infile.tsv = null;
  }
}

export default async function runChunk(task: ChunkTask): Promise<ChunkResult> {
  const t0 = performance.now();
  // Connecting overlaps reading the range (the first chunk of a MySQL-protocol load).
  if (task.load?.kind === 'mysql') connectionFor(task.load).catch(() => {});
  try {
    const bytes = await readRange(task.file, task.start, task.end);
    const t1 = performance.now();
    const { tsv, stats, validRows } = processChunk(
      { bytes, layout: task.layout, encoding: task.encoding, atEof: task.atEof, emit: task.load !== null },
      tsvBuffer,
    );
    const t2 = performance.now();
    let waitMs = 0;
    let loadMs = 0;
    let retries = 0;
    if (task.load && task.port && tsv) {
      const counted: CountedMessage = { kind: 'counted', batchId: task.batchId, rows: stats.rows, lines: stats.lines };
      task.port.postMessage(counted);
      const base = await waitForBase(task.port);
      const t3 = performance.now();
      waitMs = t3 - t2;
      if (stats.rows > 0) {
        if (task.load.kind === 'planetscale') retries = await insertRows(task.load, tsv, base);
        else await loadRows(task.load, tsv, stats.rows, base, task.batchId);
      }
      loadMs = performance.now() - t3;
    }
    const result: ChunkResult = {
      status: 'ok',
      batchId: task.batchId,
      bytes: task.end - task.start,
      stats,
      timings: { readMs: t1 - t0, parseMs: t2 - t1, waitMs, loadMs, retries },
      validRows,
    };
    // The valid rows' buffer is moved to the main thread, not structured-cloned (copied).
    return move({ [transferableSymbol]: [validRows.buffer], [valueSymbol]: result }) as unknown as ChunkResult;
  } catch (err) {
    const e = err as Error & { code?: string; body?: { code?: string } };
    const code = e.code ?? e.body?.code;
    return { status: 'failed', batchId: task.batchId, error: { message: e.message, ...(code ? { code } : {}) } };
  } finally {
    task.port?.close();
  }
}
