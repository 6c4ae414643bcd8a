// The local development branch keeps up with the schema files: a database made by an earlier
// schema gets the change a deploy request would compute (CREATE TABLE IF NOT EXISTS alone would
// leave it as it was, and the API's FORCE INDEX would then fail on it).
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMariaDb } from '../../etl/targets/local-services.ts';
import { schemaStatements } from '../../etl/schema/files.ts';
import { ensureLocalDatabase } from '../../etl/targets/local-database.ts';
import type { MysqlTarget } from '../../etl/targets/mysql-url.ts';

const DB = 'nhis_test_local_database';
let server: MysqlTarget;
let admin: mysql.Connection;

beforeAll(async () => {
  server = await ensureMariaDb();
  admin = await mysql.createConnection(server);
});
afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

async function indexes(): Promise<string[]> {
  const [rows] = await admin.query(
    "SELECT DISTINCT index_name AS i FROM information_schema.statistics WHERE table_schema = ? AND table_name = 'health_records' ORDER BY 1",
    [DB],
  );
  return (rows as { i: string }[]).map((r) => r.i);
}

describe('ensureLocalDatabase', () => {
  it('replaces the one-index-per-filter layout by the one filter index, keeping the rows', async () => {
    const records = schemaStatements().find((s) => s.includes('TABLE IF NOT EXISTS health_records ('))!;
    const former = records.replace(
      /KEY idx_valid_filters \([^)]*\)/,
      [
        'KEY idx_valid_id (dataset_id, invalid_flag, id)',
        'KEY idx_valid_age (dataset_id, invalid_flag, age_group_code, id, gender_code, risk_group)',
        'KEY idx_valid_gender (dataset_id, invalid_flag, gender_code, id, age_group_code, risk_group)',
        'KEY idx_valid_risk (dataset_id, invalid_flag, risk_group, id, age_group_code, gender_code)',
      ].join(',\n'),
    );
    await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.query(`CREATE DATABASE ${DB}`);
    await admin.query(`USE ${DB}`);
    await admin.query(former);
    await admin.query(
      "INSERT INTO health_records (dataset_id, id, run_id, source_line, invalid_flag, created_at) VALUES (1, 1, 1, 2, 0, '2024-01-01 00:00:00')",
    );
    expect(await indexes()).toEqual(['idx_valid_age', 'idx_valid_gender', 'idx_valid_id', 'idx_valid_risk', 'PRIMARY']);

    await ensureLocalDatabase(server, DB);
    expect(await indexes()).toEqual(['idx_valid_filters', 'PRIMARY']);
    const [[{ n }]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${DB}.health_records`)) as unknown as [
      [{ n: number }],
    ];
    expect(n).toBe(1);

    // Applied again, nothing changes.
    await ensureLocalDatabase(server, DB);
    expect(await indexes()).toEqual(['idx_valid_filters', 'PRIMARY']);
  });
});
