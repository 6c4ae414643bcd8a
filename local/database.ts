// Creates the project's database and schema (idempotent) on the local MariaDB.
import mysql from 'mysql2/promise';
import type { MysqlTarget } from './config.ts';
import { schemaStatements } from '../etl/schema.ts';

export async function ensureDatabase(target: MysqlTarget, database: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`Invalid database name: ${database}`);
  const conn = await mysql.createConnection({ ...target });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.query(`USE \`${database}\``);
    for (const sql of schemaStatements()) await conn.query(sql);
  } finally {
    await conn.end();
  }
}
