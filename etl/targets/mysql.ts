// The MySQL-protocol target (self-hosted MySQL or MariaDB) behind the same SqlClient surface.
import mysql, { type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import type { SqlClient } from './sql-client.ts';
import type { MysqlTarget } from './mysql-url.ts';

/** Connection options shared by the main thread and the workers. */
export function connectionOptions(target: MysqlTarget, database: string): mysql.ConnectionOptions {
  const { ssl, database: _db, ...rest } = target;
  return {
    ...rest,
    ...(ssl ? { ssl } : {}),
    database,
    // Values as PlanetScale's driver gives them: DECIMAL/BIGINT and dates as strings.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  };
}

export async function mysqlClient(target: MysqlTarget, database: string): Promise<SqlClient> {
  const conn = await mysql.createConnection(connectionOptions(target, database));
  // As PlanetScale runs: UTC.
  await conn.query("SET time_zone = '+00:00'");
  return {
    describe: `MySQL at ${target.socketPath ?? `${target.host}:${target.port}`}/${database}`,
    async execute(sql, args) {
      const [r] = await conn.query(sql, args ? [...args] : undefined);
      if (Array.isArray(r)) return { rows: r as RowDataPacket[], affectedRows: 0, insertId: 0 };
      const h = r as ResultSetHeader;
      return { rows: [], affectedRows: h.affectedRows, insertId: h.insertId };
    },
    close: () => conn.end().catch(() => conn.destroy()),
  };
}
