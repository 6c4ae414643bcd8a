// Creates the project's database and schema (idempotent) on the local MariaDB.
import mysql from 'mysql2/promise';
import type { MysqlTarget } from './config.ts';
import { schemaStatements } from '../etl/schema/columns.ts';
import { buildPageIndex } from '../etl/page-index.ts';

export async function ensureDatabase(target: MysqlTarget, database: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const conn = await mysql.createConnection({ ...target });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.query(`USE \`${database}\``);
    for (const sql of schemaStatements()) await conn.query(sql);
    // A dataset loaded before the page index existed gets one now (the ETL builds it on every load).
    const [[counts]] = (await conn.query('SELECT COUNT(*) AS n FROM record_counts')) as unknown as [[{ n: number }]];
    const [[valid]] = (await conn.query('SELECT COUNT(*) AS n FROM health_records WHERE invalid_flag = 0 LIMIT 1')) as unknown as [[{ n: number }]];
    if (Number(counts.n) === 0 && Number(valid.n) > 0) await buildPageIndex(conn, 'health_records', 'record_pages', 'record_counts');
  } finally {
    await conn.end();
  }
}
