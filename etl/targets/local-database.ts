// The local development branch: creates the database on this machine's MariaDB and applies the
// schema files to it, as a PlanetScale development branch takes them before a deploy request.
// For loopback targets only (`npm start`, the tests, a local `npm run etl`); a remote database
// gets its schema through a deploy request (`npm run schema` prints it), never from the ETL.
import mysql from 'mysql2/promise';
import type { MysqlTarget } from './mysql-url.ts';
import { schemaStatements } from '../schema/files.ts';
import type { SqlClient } from './sql-client.ts';
import { mysqlClient } from './mysql.ts';

/** Tables of the layout before datasets had ids (one table set swapped by RENAME TABLE). */
const LEGACY_TABLES = [
  'health_records',
  'agg_age_risk',
  'dataset_summary',
  'dataset_files',
  'record_pages',
  'record_counts',
  'etl_runs',
];

/** Runs every statement of the schema files (each is idempotent) through `db`. */
export async function applySchema(db: SqlClient): Promise<void> {
  for (const sql of schemaStatements()) await db.execute(sql);
}

export async function createLocalDatabase(target: MysqlTarget, database: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const conn = await mysql.createConnection({ ...target, database: undefined });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // A local database from before the dataset model: its data cannot be carried over, and a
    // development branch's data is reloadable, so its tables make way for the schema's.
    const [legacy] = await conn.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'health_records' AND NOT EXISTS " +
        "(SELECT 1 FROM information_schema.columns WHERE table_schema = ? AND table_name = 'health_records' AND column_name = 'dataset_id')",
      [database, database],
    );
    if ((legacy as unknown[]).length) {
      const [all] = await conn.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [
        database,
      ]);
      const drop = (all as { t: string }[])
        .map((r) => r.t)
        .filter((t) => LEGACY_TABLES.some((l) => t === l || t === `${l}_staging` || t === `${l}_old`));
      for (const t of drop) await conn.query(`DROP TABLE \`${database}\`.\`${t}\``);
    }
    await replaceFilterIndexes(conn, database);
  } finally {
    await conn.end();
  }
}

/** health_records' secondary indexes before the one filter index replaced them. */
const FORMER_FILTER_INDEXES = ['idx_valid_id', 'idx_valid_age', 'idx_valid_gender', 'idx_valid_risk'];

/**
 * A local database from before the one filter index: the ALTER a deploy request would compute
 * from the schema files (PlanetScale diffs a branch's schema; CREATE TABLE IF NOT EXISTS does not).
 */
async function replaceFilterIndexes(conn: mysql.Connection, database: string): Promise<void> {
  const [rows] = await conn.query(
    "SELECT DISTINCT index_name AS i FROM information_schema.statistics WHERE table_schema = ? AND table_name = 'health_records'",
    [database],
  );
  const former = (rows as { i: string }[]).map((r) => r.i).filter((i) => FORMER_FILTER_INDEXES.includes(i));
  if (!former.length) return;
  const index = /\n\s*(KEY idx_valid_filters \([^)]*\))/.exec(
    schemaStatements().find((s) => s.includes('TABLE IF NOT EXISTS health_records ('))!,
  )?.[1];
  if (!index) throw new Error('The schema files declare no idx_valid_filters on health_records');
  await conn.query(
    `ALTER TABLE \`${database}\`.health_records ${former.map((i) => `DROP INDEX ${i}`).join(', ')}, ADD ${index}`,
  );
}

/** The database on this machine with the schema applied over the MySQL protocol. */
export async function ensureLocalDatabase(target: MysqlTarget, database: string): Promise<void> {
  await createLocalDatabase(target, database);
  const db = await mysqlClient(target, database);
  try {
    await applySchema(db);
  } finally {
    await db.close();
  }
}
