// Execute and CloseSession of the PlanetScale HTTP API on top of a MariaDB pool: each statement goes through
// PlanetScale's rules, limits and injected faults, then runs on the session's pinned or a pooled connection.
import type { Backend, BackendConnection } from './mysql-backend.ts';
import { destroyConnection, probeInTransaction } from './mysql-backend.ts';
import type { VtError } from './errors.ts';
import { isServerError, mysqlFailure } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { errorReply, resultJson, resultReply } from './replies.ts';
import type { ReplySession } from './replies.ts';
import { SessionStore } from './session-store.ts';
import type { SessionState } from './session-store.ts';
import { SessionTokens } from './session-token.ts';
import type { SessionToken } from './session-token.ts';
import type { StatementLog, StatementLogEntry } from './statement-log.ts';
import { classify } from './statement-rules.ts';
import type { RuleOptions, Verdict } from './statement-rules.ts';
import { runStatement } from './statement-runner.ts';
import type { StatementLimits } from './statement-runner.ts';
import { isFilteredNoop, isRollback, leavesSessionState } from './statements.ts';
import { TransactionClock } from './transaction-clock.ts';
import type { EndedTransaction } from './transaction-clock.ts';
import type { RuleName } from './vitess-errors.ts';

export interface SessionManagerOptions {
  database: string;
  /** The CallerID Vitess names in its errors: the gateway's username. */
  username: string;
  sessionIdleMs: number;
  strictSessions: boolean;
  safeMigrations: boolean;
  /** The password's role: a reader may not write (PlanetScale's password roles). */
  role: 'admin' | 'reader';
  transactionTimeoutMs: number;
  limits: StatementLimits;
  faults: FaultInjector;
  log: StatementLog;
}

export class SessionManager {
  private readonly sessions: SessionStore;
  private readonly tokens: SessionTokens;
  private readonly clock: TransactionClock;

  constructor(
    private readonly backend: Backend,
    private readonly options: SessionManagerOptions,
  ) {
    this.tokens = new SessionTokens(options.database);
    this.clock = new TransactionClock(options.transactionTimeoutMs);
    this.sessions = new SessionStore({
      sessionIdleMs: options.sessionIdleMs,
      strictSessions: options.strictSessions,
      // The tx killer found the transaction busy: it ends now that the statement is done.
      beforePark: (state) => {
        if (this.clock.expired(state)) this.killTransaction(state);
      },
      onDrop: (state) => this.clock.stop(state),
    });
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
      // An in-transaction session we no longer hold (ended, expired, lost, or from an earlier gateway run).
      if (claim?.inTransaction) {
        const entry = this.options.log.start(claim.id, sql);
        const ended = claim.valid ? this.clock.endedFor(claim.id, isRollback(sql)) : undefined;
        return this.logged(entry, performance.now(), this.transactionLost(claim.id, sql, entry, ended));
      }
      state = this.sessions.open(claim?.valid ? claim.id : this.tokens.newId());
    }
    await this.sessions.lock(state);
    const entry = this.options.log.start(state.id, sql);
    const started = performance.now();
    try {
      if (this.clock.expired(state)) this.killTransaction(state);
      if (state.lost) return this.logged(entry, started, this.transactionLost(state.id, sql, entry, state.lost));
      return this.logged(entry, started, await this.run(state, sql, entry, started));
    } finally {
      this.sessions.unlock(state);
    }
  }

  /** CloseSession (ps-http-sim): roll back and drop the pinned connection; the reply carries a reset session. */
  async closeSession(rawSession: unknown): Promise<string> {
    const claim = this.tokens.read(rawSession);
    const state = claim?.valid ? this.sessions.get(claim.id) : undefined;
    if (state) {
      await this.sessions.lock(state);
      this.sessions.forget(state);
      this.sessions.discard(state);
      this.sessions.unlock(state);
    }
    const id = claim?.valid ? claim.id : this.tokens.newId();
    return JSON.stringify({ session: this.tokens.token(id, false) });
  }

  /** Rolls back and closes every pinned connection and fails queued requests; the pool is the caller's. */
  close(): Promise<void> {
    return this.sessions.close();
  }

  /** Vitess's tx killer: roll back a transaction open longer than the limit; the session remembers why. */
  private killTransaction(state: SessionState): void {
    const ended = this.clock.kill(state.id, state);
    this.sessions.discard(state);
    this.endTransaction(state, ended);
  }

  /** The client's transaction is over on the gateway's side: later statements in it get `ended.error`. */
  private endTransaction(state: SessionState, ended: EndedTransaction): void {
    this.clock.stop(state);
    this.clock.remember(state.id, ended);
    state.inTransaction = false;
    state.reserved = false;
    state.lost = ended;
    this.sessions.forget(state);
  }

  private async run(state: SessionState, sql: string, entry: StatementLogEntry, started: number): Promise<string> {
    if (isFilteredNoop(sql)) return this.reply(state, '{}', started);
    const verdict = timedClassify(
      sql,
      {
        safeMigrations: this.options.safeMigrations,
        ...(this.options.role === 'reader' ? { readOnlyUser: this.options.username } : {}),
      },
      entry,
    );
    if (verdict.refusal) return this.refuse(state, verdict.refusal.rule, verdict.refusal.error, entry, started);
    const fault = this.options.faults.take(sql);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.error) return this.refuse(state, 'fault', fault.error, entry, started);
    if (verdict.rewrite === '') return this.reply(state, '{}', started); // a SET only vtgate keeps
    let conn = state.conn;
    if (!conn) {
      try {
        conn = await this.backend.acquire();
      } catch (err) {
        return this.fail(state, mysqlFailure(err), entry, started);
      }
    }
    state.active = conn;
    try {
      return await this.runOn(state, conn, sql, verdict, entry, started);
    } catch (err) {
      if (isServerError(err)) {
        if (state.conn) state.inTransaction = await probeInTransaction(conn, state.inTransaction);
        this.keepOrRelease(state, conn);
        return this.fail(state, mysqlFailure(err), entry, started);
      }
      const hadTransaction = state.inTransaction;
      this.connectionLost(state, conn);
      const failure = mysqlFailure(err);
      if (!hadTransaction) return this.fail(state, failure, entry, started);
      const message = `transaction rolled back: its MariaDB connection was lost (${failure.message})`;
      return this.fail(state, { code: 'ABORTED', message }, entry, started);
    } finally {
      state.active = null;
    }
  }

  private async runOn(
    state: SessionState,
    conn: BackendConnection,
    sql: string,
    verdict: Verdict,
    entry: StatementLogEntry,
    started: number,
  ): Promise<string> {
    const result = await runStatement(conn, sql, verdict, state, this.options.limits, this.options.username);
    const outcome = result.outcome;
    if (outcome?.kind === 'ok') {
      state.inTransaction = outcome.inTransaction;
      state.autocommit = outcome.autocommit;
      entry.rowsAffected = Number(outcome.affectedRows);
    } else if (state.conn) {
      state.inTransaction = await probeInTransaction(conn, state.inTransaction);
    }
    if (outcome?.kind === 'rows') entry.rows = outcome.rowCount;
    if (leavesSessionState(sql)) state.reserved = true;
    this.keepOrRelease(state, conn);
    this.clock.track(state, () => this.onTransactionTimeout(state));
    if (result.kind === 'done') return this.reply(state, resultJson(result.outcome), started);
    if (result.rolledBack) {
      // Vitess rolled the client's transaction back with the statement: the session still names it, so the
      // reply keeps inTransaction and the client's next statement in it fails as well.
      const txId = state.txId || '0';
      this.endTransaction(state, {
        error: { code: 'ABORTED', message: `transaction ${txId}: rolled back: ${result.error.message}` },
        rule: result.rule,
      });
      return this.refuse({ id: state.id, inTransaction: true }, result.rule, result.error, entry, started);
    }
    return this.refuse(state, result.rule, result.error, entry, started);
  }

  private onTransactionTimeout(state: SessionState): void {
    state.txTimer = null;
    // A running statement finishes first (unlock() ends the transaction then); an idle one ends now.
    if (!state.busy && this.sessions.has(state) && this.clock.expired(state)) this.killTransaction(state);
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
    this.clock.stop(state);
    if (state.inTransaction) {
      state.lost = { error: this.lostError(state.id) };
      this.sessions.forget(state);
    }
  }

  /** ABORTED for a transaction the gateway no longer holds; ROLLBACK is a no-op success so that database-js
   *  transaction() surfaces the original error rather than a failed ROLLBACK. */
  private transactionLost(id: string, sql: string, entry: StatementLogEntry, ended?: EndedTransaction | null): string {
    const started = performance.now();
    const reset = { id: this.tokens.newId(), inTransaction: false };
    if (isRollback(sql)) return this.reply(reset, '{}', started);
    if (ended?.rule) return this.refuse(reset, ended.rule, ended.error, entry, started);
    return this.fail(reset, ended?.error ?? this.lostError(id), entry, started);
  }

  private lostError(id: string): VtError {
    const message =
      `transaction not found: session ${id} was idle for more than ${this.options.sessionIdleMs} ms ` +
      'or lost its connection, and its transaction was rolled back';
    return { code: 'ABORTED', message };
  }

  private reply(session: ReplySession, result: string, started: number): string {
    return resultReply(this.tokens, session, result, started);
  }

  /** An error the gateway raised by one of PlanetScale's rules (refusal, limit, fault). */
  private refuse(
    session: ReplySession,
    rule: RuleName,
    error: VtError,
    entry: StatementLogEntry,
    started: number,
  ): string {
    entry.refused = true;
    entry.rule = rule;
    return this.fail(session, error, entry, started);
  }

  private fail(session: ReplySession, error: VtError, entry: StatementLogEntry, started: number): string {
    entry.code = error.code;
    entry.error = error.message;
    return errorReply(this.tokens, session, error, started);
  }

  private logged(entry: StatementLogEntry, started: number, body: string): string {
    entry.durationMs = performance.now() - started;
    this.options.log.record(entry);
    return body;
  }
}

/** statement-rules classify, with the wall and CPU time it took written to the log entry. */
function timedClassify(sql: string, options: RuleOptions, entry: StatementLogEntry): Verdict {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const verdict = classify(sql, options);
  entry.classifyMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  entry.classifyCpuMs = (used.user + used.system) / 1000;
  entry.kind = verdict.kind;
  return verdict;
}
