// PlanetScale's per-transaction time limit ("Per-transaction timeout 20s",
// https://planetscale.com/docs/reference/planetscale-system-limits): when each session's transaction began, a
// timer for the tablet's "tx killer", and what to answer for transactions the gateway has ended.
import type { VtError } from './errors.ts';
import { limitErrors } from './vitess-errors.ts';
import type { RuleName } from './vitess-errors.ts';

/** A transaction the gateway ended: the session's later statements get `error` (ROLLBACK succeeds). */
export interface EndedTransaction {
  error: VtError;
  rule?: RuleName;
}

export interface TransactionTimes {
  txStartedAt: number;
  txId: string;
  txTimer: NodeJS.Timeout | null;
}

const REMEMBERED = 1000;

export class TransactionClock {
  private readonly ended = new Map<string, EndedTransaction>();
  private sequence = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Call after every statement: starts the clock when a transaction opened, stops it when it closed. */
  track(state: TransactionTimes & { inTransaction: boolean }, onTimeout: () => void): void {
    if (state.inTransaction && state.txStartedAt === 0) {
      state.txStartedAt = Date.now();
      // Vitess transaction ids are a tablet start time in nanoseconds plus a counter: 1719000000000000001.
      state.txId = `${BigInt(state.txStartedAt) * 1_000_000n + BigInt(++this.sequence)}`;
      if (this.timeoutMs > 0) {
        state.txTimer = setTimeout(onTimeout, this.timeoutMs);
        state.txTimer.unref();
      }
    } else if (!state.inTransaction && state.txStartedAt !== 0) {
      this.stop(state);
    }
  }

  stop(state: TransactionTimes): void {
    if (state.txTimer) clearTimeout(state.txTimer);
    state.txTimer = null;
    state.txStartedAt = 0;
  }

  /** Whether the session's transaction has been open longer than the limit. */
  expired(state: TransactionTimes & { inTransaction: boolean }): boolean {
    return (
      this.timeoutMs > 0 &&
      state.inTransaction &&
      state.txStartedAt > 0 &&
      Date.now() - state.txStartedAt >= this.timeoutMs
    );
  }

  /** The tx killer's error ("transaction ... (exceeded timeout: 20s)"), remembered for the session. */
  kill(sessionId: string, state: TransactionTimes): EndedTransaction {
    const ended = {
      error: limitErrors.transactionKilled(state.txId, new Date(), this.timeoutMs),
      rule: 'transaction-timeout' as const,
    };
    this.stop(state);
    this.remember(sessionId, ended);
    return ended;
  }

  remember(sessionId: string, ended: EndedTransaction): void {
    this.ended.set(sessionId, ended);
    if (this.ended.size > REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
  }

  /** What the gateway answers for a session whose transaction it ended; `forget` once the client rolled back. */
  endedFor(sessionId: string, forget: boolean): EndedTransaction | undefined {
    const ended = this.ended.get(sessionId);
    if (forget) this.ended.delete(sessionId);
    return ended;
  }
}
