// The database's floor under the production path: the very INSERT statements the ETL sends through
// the gateway, made beforehand (untimed) and then replayed straight into MariaDB over as many
// connections as the ETL keeps statements in flight. No ETL, no HTTP, no gateway: what is left is
// what MariaDB itself spends on those statements, the least any INSERT-based load of them can take.
import { open, rm } from 'node:fs/promises';
import mysql, { type Connection } from 'mysql2/promise';
import { ETL_DEFAULTS } from '../../etl/options.ts';
import { readHead, scanFile } from '../../etl/read/scan.ts';
import { processChunk } from '../../etl/transform/chunk.ts';
import { insertStatements } from '../../etl/transform/sql-values.ts';
import { TsvBuffer } from '../../etl/transform/tsv-writer.ts';
import type { MysqlTarget } from '../../etl/targets/mysql-url.ts';
import { freshDatabase, serverMark, settle } from './mariadb.ts';
import type { FloorRun } from './types.ts';

/** The statements of one load of `csv` as dataset 1, run 1, in send order: 4-byte length, then UTF-8. */
export async function writeStatements(
  csv: string,
  out: string,
  statementBytes: number = ETL_DEFAULTS.statementBytes,
): Promise<{ statements: number; rows: number }> {
  const head = await readHead(csv);
  const { ranges } = await scanFile(csv, head.dataStart, ETL_DEFAULTS.chunkBytes);
  const src = await open(csv, 'r');
  const dst = await open(out, 'w');
  const scratch = new TsvBuffer(1 << 20);
  const ctx = { datasetId: 1, idOffset: 0, lineOffset: 2, runId: 1, createdAt: '2026-01-01 00:00:00' };
  let statements = 0;
  try {
    for (const r of ranges) {
      const bytes = Buffer.allocUnsafe(r.end - r.start);
      await src.read(bytes, 0, bytes.length, r.start);
      const { tsv, stats } = processChunk(
        { bytes, layout: head.layout, encoding: head.encoding.encoding, atEof: r.end === head.size, emit: true },
        scratch,
      );
      if (tsv && stats.rows > 0) {
        for (const st of insertStatements(tsv, ctx, statementBytes, 20_000)) {
          const sql = Buffer.from(st.sql, 'utf8');
          const len = Buffer.allocUnsafe(4);
          len.writeUInt32LE(sql.length);
          await dst.write(len);
          await dst.write(sql);
          statements++;
        }
      }
      ctx.idOffset += stats.rows;
      ctx.lineOffset += stats.lines;
    }
  } finally {
    await src.close();
    await dst.close();
  }
  return { statements, rows: ctx.idOffset };
}

/** Reads the statements back one at a time (the file can be larger than is worth holding). */
async function* readStatements(file: string): AsyncGenerator<string> {
  const fh = await open(file, 'r');
  try {
    const len = Buffer.allocUnsafe(4);
    let at = 0;
    for (;;) {
      const { bytesRead } = await fh.read(len, 0, 4, at);
      if (bytesRead < 4) return;
      const n = len.readUInt32LE(0);
      const sql = Buffer.allocUnsafe(n);
      await fh.read(sql, 0, n, at + 4);
      at += 4 + n;
      yield sql.toString('utf8');
    }
  } finally {
    await fh.close();
  }
}

/**
 * Replays `file` into a fresh `database` over `connections` connections, each taking the next
 * statement as soon as its previous one is answered (as the ETL's workers do).
 */
export async function floorLeg(
  target: MysqlTarget,
  admin: Connection,
  database: string,
  file: string,
  pid: number | null,
  connections: number = ETL_DEFAULTS.workers * ETL_DEFAULTS.concurrency,
): Promise<FloorRun> {
  await freshDatabase(admin, target, database);
  const conns = await Promise.all(
    Array.from({ length: connections }, () => mysql.createConnection({ ...target, database })),
  );
  try {
    const settled = await settle(admin);
    const statements = readStatements(file);
    // One reader shared by the connections: each pulls the next statement in turn.
    let reading: Promise<unknown> = Promise.resolve();
    const next = () => {
      const p = reading.then(() => statements.next());
      reading = p;
      return p as Promise<IteratorResult<string>>;
    };
    let rows = 0;
    const done = await serverMark(admin, pid);
    const t0 = performance.now();
    await Promise.all(
      conns.map(async (conn) => {
        for (let s = await next(); !s.done; s = await next()) {
          const [r] = await conn.query(s.value);
          rows += (r as mysql.ResultSetHeader).affectedRows;
        }
      }),
    );
    const ms = performance.now() - t0;
    const server = await done();
    return { ms: Math.round(ms), rows, connections, mariadbCpuS: server.cpuS, redoMb: server.redoMb, settled };
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

export async function removeStatements(file: string): Promise<void> {
  await rm(file, { force: true });
}
