// The MariaDB side of the PlanetScale gateway: a mysql2 pool whose connections look like PlanetScale's
// MySQL 8 (UTC, MySQL 8 sql_mode, utf8mb4), and one COM_QUERY run streamed into wire-ready rows.
import mysql from 'mysql2';
import type { MysqlTarget } from '../../etl/targets/mysql-url.ts';
import type { ColumnMeta } from './field-types.ts';
import { protoField } from './field-types.ts';

export type { MysqlTarget } from '../../etl/targets/mysql-url.ts';

/** The callback-API connection surface the gateway uses (mysql2 PoolConnection). */
export interface BackendConnection {
  query(options: { sql: string; values: null; typeCast: false; rowsAsArray: true }): QueryEmitter;
  release(): void;
  destroy(): void;
  /** MariaDB's connection id (CONNECTION_ID()), what Vitess names as the query ID it kills. */
  readonly threadId?: number | null;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

/** mysql2's streaming Query command: 'fields', then one 'result' per row (or one ResultSetHeader), 'end'. */
interface QueryEmitter {
  on(event: 'fields', listener: (fields: ColumnMeta[] | undefined) => void): QueryEmitter;
  on(event: 'result', listener: (row: Array<Buffer | null> | OkHeader, index?: number) => void): QueryEmitter;
  on(event: 'error', listener: (err: Error) => void): QueryEmitter;
  on(event: 'end', listener: () => void): QueryEmitter;
}

interface OkHeader {
  affectedRows: number | string;
  insertId: number | string;
  serverStatus: number;
}

/** SERVER_STATUS_IN_TRANS and SERVER_STATUS_AUTOCOMMIT in the OK packet's status flags (include/mysql_com.h). */
const SERVER_STATUS_IN_TRANS = 0x0001;
const SERVER_STATUS_AUTOCOMMIT = 0x0002;

/**
 * PlanetScale runs MySQL 8 in UTC. This is MySQL 8.0's default sql_mode; it leaves out NO_BACKSLASH_ESCAPES
 * because database-js sanitization.ts quotes strings with backslash escapes.
 */
export const CONNECTION_SETUP =
  "SET time_zone = '+00:00', sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE," +
  "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

export interface Backend {
  /** A pooled connection, set up once (time zone, sql_mode) the first time it is handed out. */
  acquire(): Promise<BackendConnection>;
  end(): Promise<void>;
}

export function createBackend(target: MysqlTarget, database: string, poolSize: number): Backend {
  const pool = mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
    database,
    connectionLimit: poolSize,
    charset: 'UTF8MB4_UNICODE_CI', // collation 224, mysql2's default: utf8mb4 on the wire
    supportBigNumbers: true, // exact insertId / affectedRows beyond 2^53 (as strings)
    bigNumberStrings: true,
    multipleStatements: false, // PlanetScale runs one statement per Execute (database-js#85)
    flags: ['-LOCAL_FILES'], // keep FOUND_ROWS (UPDATE reports matched rows, as clientFoundRows does)
    enableKeepAlive: true,
  });
  const ready = new WeakSet<object>();

  const getConnection = () =>
    new Promise<BackendConnection>((resolve, reject) => {
      pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn as unknown as BackendConnection)));
    });

  return {
    async acquire() {
      const conn = await getConnection();
      if (ready.has(conn)) return conn;
      // A pinned connection can die while idle; without a listener its second 'error' would crash Node.
      conn.on('error', () => {});
      try {
        await runQuery(conn, CONNECTION_SETUP, 0);
      } catch (err) {
        destroyConnection(conn);
        throw err;
      }
      ready.add(conn);
      return conn;
    },
    end: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  };
}

/** What one statement produced, already encoded for the wire. */
export type QueryOutcome =
  | {
      kind: 'rows';
      fields: string;
      rows: string[];
      rowCount: number;
      exceeded: boolean;
      bytes: number;
      tooLarge: boolean;
    }
  | { kind: 'ok'; affectedRows: string; insertId: string; inTransaction: boolean; autocommit: boolean };

/**
 * Runs one statement with COM_QUERY (text protocol, like Vitess; `typeCast:false` keeps each cell as the raw
 * bytes MariaDB sent). Rows are encoded as they arrive (`encode`, by default the wire form). Past `maxRows`
 * rows (0 = no cap) the rest is read and dropped, as Vitess go/mysql/query.go ExecuteFetch drains before
 * reporting "Row count exceeded". Past `maxBytes` of row data (cell bytes plus one per cell, about what a
 * protobuf query.Row takes; 0 = no cap) rows are dropped the same way and `tooLarge` is set. Rejects with the
 * mysql2 error; a result after the first (CALL) only contributes its transaction status.
 */
export function runQuery(
  conn: BackendConnection,
  sql: string,
  maxRows: number,
  encode: (row: Array<Buffer | null>) => string = encodeRow,
  maxBytes = 0,
): Promise<QueryOutcome> {
  return new Promise((resolve, reject) => {
    let outcome: QueryOutcome | undefined;
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      conn.off('error', settle);
      running.delete(conn);
      if (err) reject(err);
      else resolve(outcome ?? { kind: 'ok', affectedRows: '0', insertId: '0', inTransaction: false, autocommit: true });
    };
    // mysql2 reports a lost socket only on the connection when the command has no callback, so listen there
    // too; a connection we destroy ourselves reports nothing, hence `running` (see destroyConnection).
    conn.on('error', settle);
    running.set(conn, settle);
    conn
      // values: null, not absent: mysql2 formats an absent one as [], which still scans the whole
      // statement for a `?` (sql-escaper format), a cost the size of a 1 MiB INSERT.
      .query({ sql, values: null, typeCast: false, rowsAsArray: true })
      .on('fields', (fields) => {
        if (outcome || !fields) return;
        const json = JSON.stringify(fields.map(protoField));
        outcome = { kind: 'rows', fields: json, rows: [], rowCount: 0, exceeded: false, bytes: 0, tooLarge: false };
      })
      .on('result', (item, index) => {
        if (Array.isArray(item)) {
          if (outcome?.kind !== 'rows' || (index ?? 0) > 0 || outcome.exceeded) return;
          if (maxBytes > 0) {
            for (const cell of item) outcome.bytes += (cell?.length ?? 0) + 1;
            if (outcome.bytes > maxBytes) outcome.tooLarge = true;
            if (outcome.tooLarge) {
              if (outcome.rows.length > 0) outcome.rows = [];
              return;
            }
          }
          if (maxRows > 0 && outcome.rowCount === maxRows) {
            outcome.exceeded = true;
            outcome.rows = [];
            return;
          }
          outcome.rowCount += 1;
          outcome.rows.push(encode(item));
          return;
        }
        const inTransaction = (item.serverStatus & SERVER_STATUS_IN_TRANS) !== 0;
        const autocommit = (item.serverStatus & SERVER_STATUS_AUTOCOMMIT) !== 0;
        if (!outcome) {
          const affectedRows = String(item.affectedRows);
          outcome = { kind: 'ok', affectedRows, insertId: String(item.insertId), inTransaction, autocommit };
        } else if (outcome.kind === 'ok') {
          outcome.inTransaction = inTransaction;
          outcome.autocommit = autocommit;
        }
      })
      .on('error', (err) => settle(err))
      .on('end', () => settle(null));
  });
}

/**
 * Whether the connection is inside a transaction. Only OK packets carry the status flags through mysql2, so
 * after a result set or an error the gateway asks MariaDB (`@@in_transaction`, MariaDB-only). Falls back to
 * `assumed` if the question itself fails.
 */
export async function probeInTransaction(conn: BackendConnection, assumed: boolean): Promise<boolean> {
  try {
    const outcome = await runQuery(conn, 'SELECT @@in_transaction', 1, (row) => row[0]?.toString() ?? '');
    return outcome.kind === 'rows' && outcome.rows.length === 1 ? outcome.rows[0] === '1' : assumed;
  } catch {
    return assumed;
  }
}

const running = new WeakMap<BackendConnection, (err: Error) => void>();

/** Closes a connection for good; a statement still running on it fails instead of waiting forever. */
export function destroyConnection(conn: BackendConnection, reason = 'connection closed by the gateway'): void {
  const fail = running.get(conn);
  try {
    conn.destroy();
  } finally {
    fail?.(Object.assign(new Error(reason), { code: 'GATEWAY_CLOSED', fatal: true }));
  }
}

/**
 * One `query.Row`: `lengths` as decimal strings counting bytes (-1 = NULL) and `values` as base64 of the
 * non-NULL cells concatenated; `values` is left out when there are no bytes (protobuf-JSON omits empty bytes).
 * database-js decodeRow slices atob(values) by these lengths.
 */
export function encodeRow(row: ReadonlyArray<Buffer | null>): string {
  const lengths: string[] = [];
  const cells: Buffer[] = [];
  let total = 0;
  for (const cell of row) {
    if (cell === null) {
      lengths.push('"-1"');
      continue;
    }
    lengths.push(`"${cell.length}"`);
    if (cell.length > 0) cells.push(cell);
    total += cell.length;
  }
  const values = total > 0 ? `,"values":"${Buffer.concat(cells, total).toString('base64')}"` : '';
  return `{"lengths":[${lengths.join(',')}]${values}}`;
}
