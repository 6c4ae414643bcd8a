// The one SQL surface the ETL's main thread needs, over either target: PlanetScale's HTTP API
// (the official driver) or a MySQL-protocol server (mysql2). Statements are single, short and
// autocommitted: no transaction spans two of them (PlanetScale's 20 s transaction limit).
export interface SqlResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
  insertId: number;
}

export interface SqlClient {
  /** `?` placeholders; values are numbers, strings or null. */
  execute(sql: string, args?: readonly unknown[]): Promise<SqlResult>;
  close(): Promise<void>;
  /** Where it points, without credentials, for messages. */
  readonly describe: string;
}

/** Vitess's transient errors (vtrpc codes): the statement did not run and may be retried. */
const TRANSIENT_CODES = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'ABORTED']);

/** Whether an error from either client means "try again later" rather than "this statement is wrong". */
export function isTransient(err: unknown): boolean {
  const e = err as {
    name?: string;
    status?: number;
    body?: { code?: string; message?: string };
    code?: string;
    errno?: number;
    fatal?: boolean;
  };
  if (e?.name === 'DatabaseError') {
    if (e.status !== undefined && e.status >= 500) return true;
    const code = e.body?.code ?? '';
    // "Row count exceeded" is RESOURCE_EXHAUSTED too, but the same statement would fail again.
    return TRANSIENT_CODES.has(code) && !/row count exceeded/i.test(e.body?.message ?? '');
  }
  if (e?.name === 'TypeError' || e?.name === 'TimeoutError') return true; // fetch failed, timed out
  // mysql2: lost connections and deadlocks / lock waits.
  if (e?.fatal) return true;
  return e?.errno === 1213 || e?.errno === 1205 || e?.code === 'ECONNRESET' || e?.code === 'PROTOCOL_CONNECTION_LOST';
}

export interface RetryPolicy {
  retries: number;
  /** First backoff, ms; doubles per attempt, with jitter. */
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseMs: 100 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`, retrying transient failures with exponential backoff; `onRetry` hears each one. */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.retries || !isTransient(err)) throw err;
      onRetry?.(err, attempt + 1);
      await sleep(policy.baseMs * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

/** A client whose every statement is retried on transient errors. */
export function retrying(
  client: SqlClient,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown) => void,
): SqlClient {
  return {
    describe: client.describe,
    execute: (sql, args) => withRetries(() => client.execute(sql, args), policy, onRetry),
    close: () => client.close(),
  };
}
