// Fault injection for tests: make the next N (or, for a while, every) matching Execute fail with a transient
// Vitess error inside a 200 reply, as PlanetScale does during failovers and overload, or hold it for a while.
import type { VtError } from './errors.ts';
import { transientError, vtError } from './vitess-errors.ts';
import type { TransientCode } from './vitess-errors.ts';

export const TRANSIENT_CODES: readonly TransientCode[] = [
  'UNAVAILABLE',
  'RESOURCE_EXHAUSTED',
  'DEADLINE_EXCEEDED',
  'ABORTED',
];

export interface FaultSpec {
  /** Answer with this vtrpc code and a realistic Vitess message (see vitess-errors.ts `transientError`). */
  code?: TransientCode;
  /** Replace the default message (the ` (errno N) (sqlstate S)` suffix is still added). */
  message?: string;
  /** Matching statements to affect; default 1, or unlimited while `durationMs` runs. */
  count?: number;
  /** Affect matching statements for this long from now. */
  durationMs?: number;
  /** Only statements whose SQL matches (a string is a RegExp source). Default: every statement. */
  match?: RegExp | string;
  /** Hold each matching statement this long before answering (or failing, with `code`). */
  delayMs?: number;
}

export interface FaultInfo {
  id: number;
  code?: TransientCode;
  match?: string;
  delayMs?: number;
  remaining: number | null;
  expiresAt: number | null;
  applied: number;
}

/** What to do with one statement: wait `delayMs`, then fail with `error` if set. */
export interface FaultAction {
  delayMs: number;
  error?: VtError;
}

interface ActiveFault {
  info: FaultInfo;
  match?: RegExp;
  message?: string;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  /** Statements a fault has been applied to, since the gateway started. */
  applied = 0;

  constructor(
    private readonly database: string,
    private readonly user: string,
  ) {}

  /** Adds a fault; throws (with a message fit for a 400) when the spec makes no sense. */
  inject(spec: FaultSpec): FaultInfo {
    if (spec.code !== undefined && !TRANSIENT_CODES.includes(spec.code)) {
      throw new TypeError(`fault code must be one of ${TRANSIENT_CODES.join(', ')}`);
    }
    if (spec.code === undefined && !spec.delayMs) throw new TypeError('a fault needs a code, a delayMs, or both');
    for (const key of ['count', 'durationMs', 'delayMs'] as const) {
      const value = spec[key];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new TypeError(`${key} must be >= 0`);
    }
    const match = typeof spec.match === 'string' ? new RegExp(spec.match) : spec.match;
    const expiresAt = spec.durationMs ? Date.now() + spec.durationMs : null;
    const remaining = spec.count ?? (expiresAt === null ? 1 : null);
    const info: FaultInfo = {
      id: this.nextId++,
      ...(spec.code ? { code: spec.code } : {}),
      ...(match ? { match: match.toString() } : {}),
      ...(spec.delayMs ? { delayMs: spec.delayMs } : {}),
      remaining,
      expiresAt,
      applied: 0,
    };
    this.faults.push({ info, ...(match ? { match } : {}), ...(spec.message ? { message: spec.message } : {}) });
    return { ...info };
  }

  /** Removes every fault; returns how many were active. */
  clear(): number {
    const count = this.live().length;
    this.faults = [];
    return count;
  }

  list(): FaultInfo[] {
    return this.live().map((f) => ({ ...f.info }));
  }

  /** The first live fault matching `sql`, consumed once; undefined when none applies. */
  take(sql: string): FaultAction | undefined {
    if (this.faults.length === 0) return undefined;
    const fault = this.live().find((f) => {
      if (f.match) f.match.lastIndex = 0; // a /g or /y RegExp must not carry state from the last test
      return !f.match || f.match.test(sql);
    });
    if (!fault) return undefined;
    fault.info.applied += 1;
    if (fault.info.remaining !== null) fault.info.remaining -= 1;
    this.applied += 1;
    const { code, delayMs = 0 } = fault.info;
    if (!code) return { delayMs };
    const error = fault.message
      ? vtError(code, fault.message, ...defaultErrno(code))
      : transientError(code, this.database, this.user);
    return { delayMs, error };
  }

  private live(): ActiveFault[] {
    const now = Date.now();
    this.faults = this.faults.filter(
      (f) =>
        (f.info.remaining === null || f.info.remaining > 0) && (f.info.expiresAt === null || f.info.expiresAt > now),
    );
    return this.faults;
  }
}

/** Vitess mapToSQLErrorFromErrorCode (go/mysql/sqlerror/sql_error.go) for an error that carries no MySQL state. */
function defaultErrno(code: TransientCode): [number, string] {
  if (code === 'RESOURCE_EXHAUSTED') return [1203, '42000'];
  if (code === 'UNAVAILABLE') return [1105, 'HY000'];
  return [1317, '70100'];
}
