// Sessions of the PlanetScale HTTP API on top of a MariaDB pool: one request at a time per session (FIFO, or
// 403 in strict mode), the connection pinned while a transaction or connection state is open, idle expiry.
import type { Backend, BackendConnection, QueryOutcome } from './mysql-backend.ts';
import { destroyConnection, probeInTransaction, runQuery } from './mysql-backend.ts';
import type { VtError } from './errors.ts';
import { ER_VITESS_MAX_ROWS_EXCEEDED, HttpFailure, isServerError, mysqlFailure, sqlError } from './errors.ts';
import { SessionTokens } from './session-token.ts';
import type { SessionToken } from './session-token.ts';
import { isFilteredNoop, isRollback, leavesSessionState } from './statements.ts';

export interface SessionManagerOptions {
  database: string;
  maxRows: number;
  sessionIdleMs: number;
  strictSessions: boolean;
}

interface SessionState {
  readonly id: string;
  /** The pinned connection, kept while `inTransaction || reserved`. */
  conn: BackendConnection | null;
  /** The connection the running statement uses (pinned or borrowed from the pool). */
  active: BackendConnection | null;
  inTransaction: boolean;
  /** A statement left state on the connection (SET, temporary table, ...): keep it until expiry. */
  reserved: boolean;
  /** The transaction is gone (connection lost): every later statement but ROLLBACK fails with ABORTED. */
  lost: boolean;
  busy: boolean;
  waiters: Array<() => void>;
  idleTimer: NodeJS.Timeout | null;
}

export class SessionManager {
  private readonly sessions = new Map<string, SessionState>();
  private readonly tokens: SessionTokens;
  private readonly cleanups = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly backend: Backend,
    private readonly options: SessionManagerOptions,
  ) {
    this.tokens = new SessionTokens(options.database);
  }

  /** A fresh session for CreateSession (database-js `connection.refresh()`). */
  newSession(): SessionToken {
    return this.tokens.token(this.tokens.newId(), false);
  }

  /** Borrows and returns a pooled connection: CreateSession checks that MariaDB answers, as ps-http-sim dials. */
  async ping(): Promise<void> {
    const conn = await this.backend.acquire();
    conn.release();
  }

  /** One Execute: the HTTP 200 body (result or SQL error). Throws HttpFailure for 403/503. */
  async execute(rawSession: unknown, sql: string): Promise<string> {
    const claim = this.tokens.read(rawSession);
    let state = claim?.valid ? this.sessions.get(claim.id) : undefined;
    if (!state) {
      // An in-transaction session we no longer hold (expired, lost, or from an earlier gateway run).
      if (claim?.inTransaction) return this.transactionLost(claim.id, sql, performance.now());
      state = this.open(claim?.valid ? claim.id : this.tokens.newId());
    }
    await this.lock(state);
    try {
      if (state.lost) return this.transactionLost(state.id, sql, performance.now());
      return await this.run(state, sql);
    } finally {
      this.unlock(state);
    }
  }

  /** CloseSession (ps-http-sim): roll back and drop the pinned connection; the reply carries a reset session. */
  async closeSession(rawSession: unknown): Promise<string> {
    const claim = this.tokens.read(rawSession);
    const state = claim?.valid ? this.sessions.get(claim.id) : undefined;
    if (state) {
      await this.lock(state);
      this.forget(state);
      this.discard(state);
      this.unlock(state);
    }
    const id = claim?.valid ? claim.id : this.tokens.newId();
    return JSON.stringify({ session: this.tokens.token(id, false) });
  }

  /** Rolls back and closes every pinned connection and fails queued requests; the pool is the caller's. */
  async close(): Promise<void> {
    this.closing = true;
    for (const state of this.sessions.values()) {
      if (state.idleTimer) clearTimeout(state.idleTimer);
      state.idleTimer = null;
      for (const wake of state.waiters.splice(0)) wake();
      if (state.active) destroyConnection(state.active, 'gateway closing');
      else this.discard(state);
    }
    this.sessions.clear();
    await Promise.allSettled([...this.cleanups]);
  }

  private open(id: string): SessionState {
    const state: SessionState = {
      id,
      conn: null,
      active: null,
      inTransaction: false,
      reserved: false,
      lost: false,
      busy: false,
      waiters: [],
      idleTimer: null,
    };
    this.sessions.set(id, state);
    return state;
  }

  private forget(state: SessionState): void {
    if (this.sessions.get(state.id) === state) this.sessions.delete(state.id);
  }

  private async lock(state: SessionState): Promise<void> {
    if (this.closing) throw new HttpFailure(503, 'unavailable', 'the gateway is shutting down');
    if (state.busy) {
      // ps-http-sim rejects a second request on a busy session; PlanetScale serializes them (shared/protocols.md §1.5).
      if (this.options.strictSessions) {
        throw new HttpFailure(403, 'permission_denied', `session already in use: ${state.id}`);
      }
      await new Promise<void>((resolve) => state.waiters.push(resolve));
      if (this.closing) {
        this.unlock(state);
        throw new HttpFailure(503, 'unavailable', 'the gateway is shutting down');
      }
    }
    state.busy = true;
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = null;
  }

  /** Hands the session to the next queued request, or parks it (pinned: idle timer; unpinned: forgotten). */
  private unlock(state: SessionState): void {
    const next = state.waiters.shift();
    if (next) return next();
    state.busy = false;
    if (this.closing) return;
    if (state.conn) {
      state.idleTimer = setTimeout(() => this.expire(state), this.options.sessionIdleMs);
      state.idleTimer.unref();
    } else if (!state.lost) {
      this.forget(state);
    }
  }

  private expire(state: SessionState): void {
    state.idleTimer = null;
    if (state.busy || this.sessions.get(state.id) !== state) return;
    this.forget(state);
    this.discard(state);
  }

  /** Drops the pinned connection: ROLLBACK if a transaction is open, then close (never back to the pool). */
  private discard(state: SessionState): void {
    const conn = state.conn;
    const rollback = state.inTransaction;
    state.conn = null;
    if (!conn) return;
    const done = (async () => {
      if (rollback) await runQuery(conn, 'ROLLBACK', 0).catch(() => undefined);
      destroyConnection(conn);
    })();
    this.cleanups.add(done);
    void done.finally(() => this.cleanups.delete(done));
  }

  private async run(state: SessionState, sql: string): Promise<string> {
    const started = performance.now();
    if (isFilteredNoop(sql)) return this.reply(state, '{}', started);
    let conn = state.conn;
    if (!conn) {
      try {
        conn = await this.backend.acquire();
      } catch (err) {
        return this.errorReply(state, mysqlFailure(err), started);
      }
    }
    state.active = conn;
    try {
      const outcome = await runQuery(conn, sql, this.options.maxRows);
      if (outcome.kind === 'ok') state.inTransaction = outcome.inTransaction;
      else if (state.conn) state.inTransaction = await probeInTransaction(conn, state.inTransaction);
      if (leavesSessionState(sql)) state.reserved = true;
      this.keepOrRelease(state, conn);
      if (outcome.kind === 'rows' && outcome.exceeded) {
        // Vitess go/mysql/query.go ExecuteFetch: ERVitessMaxRowsExceeded, RESOURCE_EXHAUSTED in convertErrorCode.
        const message = `Row count exceeded ${this.options.maxRows}`;
        return this.errorReply(state, sqlError(message, ER_VITESS_MAX_ROWS_EXCEEDED), started);
      }
      return this.reply(state, resultJson(outcome), started);
    } catch (err) {
      if (isServerError(err)) {
        if (state.conn) state.inTransaction = await probeInTransaction(conn, state.inTransaction);
        this.keepOrRelease(state, conn);
        return this.errorReply(state, mysqlFailure(err), started);
      }
      const hadTransaction = state.inTransaction;
      this.connectionLost(state, conn);
      const failure = mysqlFailure(err);
      if (!hadTransaction) return this.errorReply(state, failure, started);
      const message = `transaction rolled back: its MariaDB connection was lost (${failure.message})`;
      return this.errorReply(state, { code: 'ABORTED', message }, started);
    } finally {
      state.active = null;
    }
  }

  private keepOrRelease(state: SessionState, conn: BackendConnection): void {
    if (state.inTransaction || state.reserved) {
      state.conn = conn;
      return;
    }
    state.conn = null;
    conn.release();
  }

  /** The connection broke: its transaction and state are gone. The reply still says inTransaction, so the
   *  client's next statement (and any queued one) gets ABORTED instead of silently running in autocommit. */
  private connectionLost(state: SessionState, conn: BackendConnection): void {
    destroyConnection(conn);
    state.conn = null;
    state.reserved = false;
    if (state.inTransaction) {
      state.lost = true;
      this.forget(state);
    }
  }

  /** ABORTED for a transaction the gateway no longer holds; ROLLBACK is a no-op success so that database-js
   *  transaction() surfaces the original error rather than a failed ROLLBACK. */
  private transactionLost(id: string, sql: string, started: number): string {
    const reset = { id: this.tokens.newId(), inTransaction: false };
    if (isRollback(sql)) return this.reply(reset, '{}', started);
    const message =
      `transaction not found: session ${id} was idle for more than ${this.options.sessionIdleMs} ms ` +
      'or lost its connection, and its transaction was rolled back';
    return this.errorReply(reset, { code: 'ABORTED', message }, started);
  }

  private reply(session: Pick<SessionState, 'id' | 'inTransaction'>, result: string, started: number): string {
    const token = JSON.stringify(this.tokens.token(session.id, session.inTransaction));
    return `{"session":${token},"result":${result},"timing":${elapsedSeconds(started)}}`;
  }

  private errorReply(session: Pick<SessionState, 'id' | 'inTransaction'>, error: VtError, started: number): string {
    const token = JSON.stringify(this.tokens.token(session.id, session.inTransaction));
    return `{"session":${token},"error":${JSON.stringify(error)},"timing":${elapsedSeconds(started)}}`;
  }
}

/** psdb ExecuteResponse.timing is seconds as a double; database-js reports `time = timing * 1000`. */
function elapsedSeconds(started: number): number {
  return Math.max(performance.now() - started, 0) / 1000;
}

/**
 * `query.QueryResult` in protobuf-JSON. A result set sends `fields` and, when there are rows, `rows`; an OK
 * packet sends `rowsAffected` / `insertId` as decimal strings and only when non-zero (uint64 → string,
 * zero omitted), so e.g. BEGIN replies with `{}`.
 */
function resultJson(outcome: QueryOutcome): string {
  if (outcome.kind === 'rows') {
    return outcome.rows.length > 0
      ? `{"fields":${outcome.fields},"rows":[${outcome.rows.join(',')}]}`
      : `{"fields":${outcome.fields}}`;
  }
  const parts: string[] = [];
  if (outcome.affectedRows !== '0') parts.push(`"rowsAffected":"${outcome.affectedRows}"`);
  if (outcome.insertId !== '0') parts.push(`"insertId":"${outcome.insertId}"`);
  return `{${parts.join(',')}}`;
}
