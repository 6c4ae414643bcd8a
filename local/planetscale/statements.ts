// The little SQL the gateway must recognise without a parser: no-op filters, statements that leave state
// on the MariaDB connection (so the session must keep it), and ROLLBACK.

// Leading whitespace and comments (block, `-- ` and `#`), so a commented `SET ...` is still seen as SET.
const LEADING_NOISE = /^(?:\s+|\/\*[\s\S]*?\*\/|--(?:[ \t][^\n]*)?(?:\n|$)|#[^\n]*(?:\n|$))*/;

function head(sql: string): string {
  return sql.replace(LEADING_NOISE, '');
}

/**
 * ps-http-sim main.go `isQueryFiltered`: `SET @@boost_cached_queries ...` (a PlanetScale Boost switch) and
 * `USE <anything with @>` (e.g. `USE @replica`, a Vitess tablet-type target) mean nothing locally and get an
 * empty success.
 */
export function isFilteredNoop(sql: string): boolean {
  const text = head(sql);
  if (/^set\s+@@boost_cached_queries\b/i.test(text)) return true;
  return /^use\s/i.test(text) && text.includes('@');
}

// Statements whose effect outlives the statement on that connection: session/user variables, prepared
// statements, temporary tables, the current schema (Vitess keeps them on a reserved connection).
// Table and named locks are refused before they get here (statement-rules.ts) but stay listed,
// should a rule ever let one through.
const STATEFUL_HEAD = /^(?:set\b|prepare\b|use\b|lock\s+tables?\b|create\s+(?:or\s+replace\s+)?temporary\s+table\b)/i;
const STATEFUL_ANYWHERE = /\bget_lock\s*\(|@[\w$.]+\s*:=|\binto\s+@/i;

/** True when the statement leaves state on its connection, so the session must stay on that connection. */
export function leavesSessionState(sql: string): boolean {
  return STATEFUL_HEAD.test(head(sql)) || STATEFUL_ANYWHERE.test(sql);
}

/** `ROLLBACK` / `ROLLBACK WORK` (not `ROLLBACK TO SAVEPOINT`, which needs the transaction). */
export function isRollback(sql: string): boolean {
  return /^rollback\b(?!\s+(?:work\s+)?to\b)/i.test(head(sql));
}
