// Runs one statement the rules let through on a MariaDB connection, under PlanetScale's per-query limits
// (https://planetscale.com/docs/reference/planetscale-system-limits): rows returned, rows changed by DML,
// DML time, and result size.
import type { VtError } from './errors.ts';
import { ER_VITESS_MAX_ROWS_EXCEEDED, isServerError, sqlError } from './errors.ts';
import type { BackendConnection, QueryOutcome } from './mysql-backend.ts';
import { encodeRow, runQuery } from './mysql-backend.ts';
import type { Verdict } from './statement-rules.ts';
import { limitErrors } from './vitess-errors.ts';
import type { RuleName } from './vitess-errors.ts';

export interface StatementLimits {
  /** Rows one result may return ("Per-query rows returned ... 100k"); 0 = no cap. */
  maxRows: number;
  /** Rows one INSERT/REPLACE/UPDATE/DELETE may change; 0 = no cap. */
  maxDmlRows: number;
  /** "Per-query DML timeout 30s"; 0 = none. */
  dmlTimeoutMs: number;
  /** "Per-query result set total size 64 MiB"; 0 = no cap. */
  maxResultBytes: number;
}

/** Where the session stands before the statement (from the last OK packet). */
export interface ConnectionState {
  inTransaction: boolean;
  autocommit: boolean;
}

export type RunResult =
  | { kind: 'done'; outcome: QueryOutcome }
  /** A limit answered instead; `rolledBack`: the session's open transaction was rolled back with it. */
  | { kind: 'limit'; rule: RuleName; error: VtError; outcome?: QueryOutcome; rolledBack: boolean };

/** MariaDB ER_STATEMENT_TIMEOUT: "Query execution was interrupted (max_statement_time exceeded)". */
const ER_STATEMENT_TIMEOUT = 1969;

/**
 * Runs `sql` (or the verdict's rewrite). Rejects with the mysql2 error for anything MariaDB refuses, after
 * undoing the gateway's own BEGIN. DML limits:
 * - rows: Vitess counts the rows a DML changed and, over the limit, rolls the transaction back and fails
 *   (go/vt/vttablet/tabletserver/query_executor.go `execDMLLimit` / `verifyRowCount`). In autocommit the
 *   statement runs inside a BEGIN ... COMMIT of the gateway's so that it can be undone; inside the client's
 *   transaction that whole transaction is rolled back, as Vitess does.
 * - time: MariaDB's `SET STATEMENT max_statement_time=<s> FOR <stmt>` aborts the statement (MySQL's
 *   max_execution_time covers SELECT only), reported as Vitess's context-deadline error.
 */
export async function runStatement(
  conn: BackendConnection,
  sql: string,
  verdict: Verdict,
  before: ConnectionState,
  limits: StatementLimits,
  user: string,
): Promise<RunResult> {
  let text = verdict.rewrite ?? sql;
  const started = performance.now();
  if (verdict.dml && limits.dmlTimeoutMs > 0) {
    text = `SET STATEMENT max_statement_time=${limits.dmlTimeoutMs / 1000} FOR ${text}`;
  }
  const capRows = verdict.dml && limits.maxDmlRows > 0;
  const ownTransaction = capRows && !before.inTransaction && before.autocommit;
  if (ownTransaction) await runQuery(conn, 'BEGIN', 0);

  let outcome: QueryOutcome;
  try {
    outcome = await runQuery(conn, text, limits.maxRows, encodeRow, limits.maxResultBytes);
  } catch (err) {
    if (ownTransaction && isServerError(err)) await runQuery(conn, 'ROLLBACK', 0);
    if (isServerError(err) && (err as { errno?: number }).errno === ER_STATEMENT_TIMEOUT) {
      const error = limitErrors.dmlTimeout(performance.now() - started, String(conn.threadId ?? 0), user);
      return { kind: 'limit', rule: 'dml-timeout', error, rolledBack: false };
    }
    throw err;
  }

  if (outcome.kind === 'ok' && capRows && Number(outcome.affectedRows) > limits.maxDmlRows) {
    const rollback = await runQuery(conn, 'ROLLBACK', 0);
    if (rollback.kind === 'ok') outcome.inTransaction = rollback.inTransaction;
    const error = limitErrors.dmlRows(limits.maxDmlRows);
    return { kind: 'limit', rule: 'max-dml-rows', error, outcome, rolledBack: !ownTransaction };
  }
  if (ownTransaction) {
    const commit = await runQuery(conn, 'COMMIT', 0);
    if (outcome.kind === 'ok' && commit.kind === 'ok') outcome.inTransaction = commit.inTransaction;
  }
  if (outcome.kind === 'rows' && outcome.tooLarge) {
    const error = limitErrors.resultBytes(outcome.bytes, limits.maxResultBytes);
    return { kind: 'limit', rule: 'max-result-bytes', error, outcome, rolledBack: false };
  }
  if (outcome.kind === 'rows' && outcome.exceeded) {
    // Vitess go/mysql/query.go ExecuteFetch: ERVitessMaxRowsExceeded, RESOURCE_EXHAUSTED in convertErrorCode.
    const error = sqlError(`Row count exceeded ${limits.maxRows}`, ER_VITESS_MAX_ROWS_EXCEEDED);
    return { kind: 'limit', rule: 'max-rows', error, outcome, rolledBack: false };
  }
  return { kind: 'done', outcome };
}
