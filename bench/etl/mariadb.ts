// The MariaDB side of the ETL benchmark: the CSV it loads, settling between legs, server settings
// and counters, fresh databases with the schema, and the bare LOAD DATA LOCAL INFILE reference.
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { generateFile } from '../../etl/generate/generator.ts';
import { SOURCE_COLUMNS } from '../../etl/schema/columns.ts';
import { ensureLocalDatabase } from '../../etl/targets/local-database.ts';
import type { MysqlTarget } from '../../etl/targets/mysql-url.ts';
import { cpuSeconds } from './proc.ts';
import type { Settled } from './types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The generated CSV of `rows` rows (made once, kept under .local/bench). */
export async function csvFor(root: string, rows: number, seed: string): Promise<string> {
  const dir = join(root, '.local', 'bench');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `nhis-${rows}-${seed}.csv`);
  if (!existsSync(file)) {
    console.log(`generating ${rows.toLocaleString('en-US')} rows → ${file}`);
    await generateFile(`${file}.part`, { rows, seed });
    await rename(`${file}.part`, file);
  }
  return file;
}

/**
 * Waits (at most 90 s) until InnoDB has flushed the previous step's dirty pages and its checkpoint
 * has caught up, or until it has stopped writing (no redo, no page flushed for 2 s): a server with
 * innodb_max_dirty_pages_pct_lwm = 0 does not flush while idle, so what is left then stays until
 * redo pressure forces it, in whichever step comes next (hence the alternating order). Either way
 * no step starts while the server is still busy with the one before it.
 */
export async function settle(conn: Connection): Promise<Settled> {
  const t0 = performance.now();
  const names = [
    'Innodb_buffer_pool_pages_dirty',
    'Innodb_checkpoint_age',
    'Innodb_lsn_current',
    'Innodb_buffer_pool_pages_flushed',
  ];
  let s = await status(conn, names);
  let quiet = 0;
  for (let i = 0; i < 180; i++) {
    if ((s.Innodb_buffer_pool_pages_dirty ?? 0) < 500 && (s.Innodb_checkpoint_age ?? 0) < 8 << 20) break;
    if (quiet >= 4) break;
    await sleep(500);
    const next = await status(conn, names);
    const still =
      next.Innodb_lsn_current === s.Innodb_lsn_current &&
      next.Innodb_buffer_pool_pages_flushed === s.Innodb_buffer_pool_pages_flushed;
    quiet = still ? quiet + 1 : 0;
    s = next;
  }
  await sleep(1000);
  return {
    dirtyPages: s.Innodb_buffer_pool_pages_dirty ?? NaN,
    checkpointAgeMb: Math.round((s.Innodb_checkpoint_age ?? NaN) / 1048576),
    waitedMs: Math.round(performance.now() - t0),
  };
}

/** Global status counters by name (Innodb_lsn_current, Com_insert, …). */
export async function status(conn: Connection, names: string[]): Promise<Record<string, number>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  return Object.fromEntries(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
}

/** The server settings that shape these figures: read, recorded, never changed by the bench. */
export const SETTINGS = [
  'innodb_buffer_pool_size',
  'innodb_log_file_size',
  'innodb_flush_log_at_trx_commit',
  'innodb_doublewrite',
  'innodb_io_capacity',
  'innodb_max_dirty_pages_pct_lwm',
  'log_bin',
  'version',
];

export async function serverSettings(conn: Connection): Promise<Record<string, string>> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${SETTINGS.map((s) => `@@${s} AS ${s}`).join(', ')}`);
  return Object.fromEntries(SETTINGS.map((s) => [s, String(rows[0]?.[s])]));
}

/** What the server did during a leg: its CPU seconds, InnoDB redo and INSERT statements. */
export interface ServerDelta {
  cpuS: number | null;
  redoMb: number;
  comInsert: number;
}

export async function serverMark(conn: Connection, pid: number | null): Promise<() => Promise<ServerDelta>> {
  const names = ['Innodb_lsn_current', 'Com_insert'];
  const s0 = await status(conn, names);
  const cpu0 = cpuSeconds(pid);
  return async () => {
    const cpu1 = cpuSeconds(pid);
    const s1 = await status(conn, names);
    const d = (n: string) => (s1[n] ?? NaN) - (s0[n] ?? NaN);
    return {
      cpuS: cpu0 !== null && cpu1 !== null ? +(cpu1 - cpu0).toFixed(2) : null,
      redoMb: Math.round(d('Innodb_lsn_current') / 1048576),
      comInsert: d('Com_insert'),
    };
  };
}

/** Drops one of the bench's own databases (its dirty pages go with it, unwritten). */
export async function dropDatabase(conn: Connection, database: string): Promise<void> {
  if (!/^nhis_bench\w*$/.test(database))
    throw new Error(`refusing to drop ${database}: the bench drops only nhis_bench* databases`);
  await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
}

/** Drops `database` and creates it again with the schema: the next load is a first load. */
export async function freshDatabase(conn: Connection, target: MysqlTarget, database: string): Promise<void> {
  await dropDatabase(conn, database);
  await ensureLocalDatabase(target, database);
}

async function crlf(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(65536), 0, 65536, 0);
    const nl = buffer.subarray(0, bytesRead).indexOf(0x0a);
    return nl > 0 && buffer[nl - 1] === 0x0d;
  } finally {
    await fh.close();
  }
}

/**
 * The reference: one plain LOAD DATA LOCAL INFILE of the CSV as it is, no SET clause, into an
 * empty table of the raw columns, typed as in health_records (empty cells become 0 with a
 * warning: that is what "bare" costs) or as text (no conversion at all: the strictest reference).
 */
export async function bareLoad(
  target: MysqlTarget,
  database: string,
  file: string,
  typed: boolean,
  pid: number | null,
): Promise<{ ms: number; settled: Settled } & ServerDelta> {
  const conn = await mysql.createConnection({
    ...target,
    database,
    infileStreamFactory: (p: string) => createReadStream(p, { highWaterMark: 1 << 20 }),
  });
  try {
    await conn.query('DROP TABLE IF EXISTS bench_raw_load');
    const cols = SOURCE_COLUMNS.map(([, c, t]) => `${c} ${typed ? t : 'VARCHAR(16)'} NULL`).join(', ');
    await conn.query(`CREATE TABLE bench_raw_load (${cols}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    const settled = await settle(conn);
    const eol = (await crlf(file)) ? '\\r\\n' : '\\n';
    const done = await serverMark(conn, pid);
    const t0 = performance.now();
    await conn.query(
      `LOAD DATA LOCAL INFILE ? INTO TABLE bench_raw_load CHARACTER SET binary FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '${eol}' IGNORE 1 LINES`,
      [file],
    );
    const ms = performance.now() - t0;
    const delta = await done();
    await conn.query('DROP TABLE bench_raw_load');
    return { ms, settled, ...delta };
  } finally {
    await conn.end();
  }
}
