// What the gateway did with each Execute, for acceptance tests and benchmarks: a bounded in-memory log, an
// optional callback per statement, and running totals (including the gateway's own classification cost).
import type { StatementKind } from './statement-rules.ts';
import type { RuleName } from './vitess-errors.ts';

export interface StatementLogEntry {
  /** Date.now() when the statement arrived. */
  at: number;
  session: string;
  /** The first 200 characters of the SQL. */
  sql: string;
  kind: StatementKind;
  /** True when the gateway itself answered with an error: a refused statement, a system limit or an injected fault. */
  refused: boolean;
  /** The gateway rule behind that error. */
  rule?: RuleName;
  /** vtrpc code of the error, whoever raised it (the gateway or MariaDB). */
  code?: string;
  error?: string;
  /** Rows in the result set. */
  rows: number;
  /** Rows an INSERT/UPDATE/DELETE changed (as MariaDB reported, kept or rolled back). */
  rowsAffected: number;
  /** Wall time of the whole Execute in the gateway, queueing on a busy session excluded. */
  durationMs: number;
  /** Wall and CPU time the gateway spent deciding what the statement is (statement-rules.ts classify). */
  classifyMs: number;
  classifyCpuMs: number;
}

export interface GatewayStats {
  statements: number;
  refused: number;
  /** Refusals by rule (faults under 'fault'). */
  byRule: Partial<Record<RuleName, number>>;
  errors: number;
  classifyMs: number;
  classifyCpuMs: number;
}

export type StatementListener = (entry: StatementLogEntry) => void;

const SQL_PREVIEW = 200;

export class StatementLog {
  private readonly ring: StatementLogEntry[] = [];
  private next = 0;
  private totals: GatewayStats = emptyStats();

  constructor(
    private readonly capacity: number,
    private readonly listener?: StatementListener,
  ) {}

  /** A fresh entry for a statement that just arrived; filled in while it runs, then `record`ed. */
  start(session: string, sql: string): StatementLogEntry {
    // A copy, not a slice: V8's sliced string would keep the whole (up to 1 MiB) statement alive
    // for as long as the log holds its entry.
    const preview = sql.length > SQL_PREVIEW ? Buffer.from(sql.slice(0, SQL_PREVIEW)).toString() : sql;
    return {
      at: Date.now(),
      session,
      sql: preview,
      kind: 'other',
      refused: false,
      rows: 0,
      rowsAffected: 0,
      durationMs: 0,
      classifyMs: 0,
      classifyCpuMs: 0,
    };
  }

  record(entry: StatementLogEntry): void {
    const t = this.totals;
    t.statements += 1;
    t.classifyMs += entry.classifyMs;
    t.classifyCpuMs += entry.classifyCpuMs;
    if (entry.code) t.errors += 1;
    if (entry.refused) {
      t.refused += 1;
      if (entry.rule) t.byRule[entry.rule] = (t.byRule[entry.rule] ?? 0) + 1;
    }
    if (this.capacity > 0) {
      if (this.ring.length < this.capacity) this.ring.push(entry);
      else this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.capacity;
    }
    try {
      this.listener?.(entry);
    } catch (err) {
      // A throwing listener is a bug in the test or benchmark, never a reason to fail the statement.
      console.error('planetscale-gateway: onStatement listener threw', err);
    }
  }

  /** The most recent entries, oldest first. */
  entries(): StatementLogEntry[] {
    if (this.ring.length < this.capacity) return [...this.ring];
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  stats(): GatewayStats {
    return { ...this.totals, byRule: { ...this.totals.byRule } };
  }

  /** Empties the log and zeroes the totals (between benchmark phases or tests). */
  reset(): void {
    this.ring.length = 0;
    this.next = 0;
    this.totals = emptyStats();
  }
}

function emptyStats(): GatewayStats {
  return { statements: 0, refused: 0, byRule: {}, errors: 0, classifyMs: 0, classifyCpuMs: 0 };
}
