// The sessions the gateway holds: one request at a time per session (FIFO, or 403 in strict mode, as
// ps-http-sim does), the pinned MariaDB connection of each, idle expiry, and shutdown.
import type { BackendConnection } from './mysql-backend.ts';
import { destroyConnection, runQuery } from './mysql-backend.ts';
import { HttpFailure } from './errors.ts';
import type { EndedTransaction, TransactionTimes } from './transaction-clock.ts';

export interface SessionState extends TransactionTimes {
  readonly id: string;
  /** The pinned connection, kept while `inTransaction || reserved`. */
  conn: BackendConnection | null;
  /** The connection the running statement uses (pinned or borrowed from the pool). */
  active: BackendConnection | null;
  inTransaction: boolean;
  /** SERVER_STATUS_AUTOCOMMIT of the last OK packet (a client may `SET autocommit = 0`). */
  autocommit: boolean;
  /** A statement left state on the connection (SET, temporary table, ...): keep it until expiry. */
  reserved: boolean;
  /** The transaction is gone (connection lost, tx killer, DML row limit): every later statement but ROLLBACK fails. */
  lost: EndedTransaction | null;
  busy: boolean;
  waiters: Array<() => void>;
  idleTimer: NodeJS.Timeout | null;
}

export interface SessionStoreOptions {
  sessionIdleMs: number;
  strictSessions: boolean;
  /** Runs when a session goes idle, before it is parked (the tx killer's chance at a busy transaction). */
  beforePark(state: SessionState): void;
  /** Runs when a session is dropped (idle expiry, shutdown). */
  onDrop(state: SessionState): void;
}

export class SessionStore {
  private readonly sessions = new Map<string, SessionState>();
  private readonly cleanups = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly options: SessionStoreOptions) {}

  get(id: string): SessionState | undefined {
    return this.sessions.get(id);
  }

  has(state: SessionState): boolean {
    return this.sessions.get(state.id) === state;
  }

  open(id: string): SessionState {
    const state: SessionState = {
      id,
      conn: null,
      active: null,
      inTransaction: false,
      autocommit: true,
      reserved: false,
      lost: null,
      busy: false,
      waiters: [],
      idleTimer: null,
      txStartedAt: 0,
      txId: '',
      txTimer: null,
    };
    this.sessions.set(id, state);
    return state;
  }

  forget(state: SessionState): void {
    if (this.has(state)) this.sessions.delete(state.id);
  }

  async lock(state: SessionState): Promise<void> {
    if (this.closing) throw new HttpFailure(503, 'unavailable', 'the gateway is shutting down');
    if (state.busy) {
      // ps-http-sim rejects a second request on a busy session (its main.go); PlanetScale serializes them.
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
  unlock(state: SessionState): void {
    const next = state.waiters.shift();
    if (next) {
      next();
      return;
    }
    state.busy = false;
    if (this.closing) return;
    this.options.beforePark(state);
    if (state.conn) {
      state.idleTimer = setTimeout(() => this.expire(state), this.options.sessionIdleMs);
      state.idleTimer.unref();
    } else if (!state.lost) {
      this.forget(state);
    }
  }

  /** Drops the pinned connection: ROLLBACK if a transaction is open, then close (never back to the pool). */
  discard(state: SessionState): void {
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

  /** Rolls back and closes every pinned connection and fails queued requests; the pool is the caller's. */
  async close(): Promise<void> {
    this.closing = true;
    for (const state of this.sessions.values()) {
      if (state.idleTimer) clearTimeout(state.idleTimer);
      state.idleTimer = null;
      this.options.onDrop(state);
      for (const wake of state.waiters.splice(0)) wake();
      if (state.active) destroyConnection(state.active, 'gateway closing');
      else this.discard(state);
    }
    this.sessions.clear();
    await Promise.allSettled([...this.cleanups]);
  }

  private expire(state: SessionState): void {
    state.idleTimer = null;
    if (state.busy || !this.has(state)) return;
    this.forget(state);
    this.discard(state);
    this.options.onDrop(state);
  }
}
