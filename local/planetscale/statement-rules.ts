// What the gateway makes of one statement before MariaDB sees it: its kind, and whether PlanetScale would refuse
// it. Cheap by design: the first few tokens decide almost everything, so a 1 MB INSERT costs a few microseconds
// plus one case-insensitive substring search; whole-statement scans and the parser are kept for short statements.
import { ddlRefusal } from './ddl-rules.ts';
import { setVerdict } from './set-rules.ts';
import { tokenize } from './sql-scan.ts';
import type { Token } from './sql-scan.ts';
import { refusals } from './vitess-errors.ts';

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'ddl' | 'set' | 'other';

import type { Refusal } from './vitess-errors.ts';

export type { Refusal };

export interface Verdict {
  kind: StatementKind;
  refusal?: Refusal;
  /** INSERT/REPLACE/UPDATE/DELETE: subject to the per-statement DML row and time limits. */
  dml: boolean;
  /** A SET to send instead (only what MariaDB must apply); '' = answer with an empty success. */
  rewrite?: string;
}

export interface RuleOptions {
  /** Refuse every DDL as a production branch with safe migrations does. */
  safeMigrations: boolean;
  /** A password of the reader role: refuse every statement that writes, naming this user. */
  readOnlyUser?: string;
}

const HEAD_TOKENS = 4;
const KINDS: Record<string, StatementKind> = {
  SELECT: 'select',
  WITH: 'select',
  VALUES: 'select',
  TABLE: 'select',
  '(': 'select',
  INSERT: 'insert',
  REPLACE: 'insert',
  UPDATE: 'update',
  DELETE: 'delete',
  CREATE: 'ddl',
  ALTER: 'ddl',
  DROP: 'ddl',
  RENAME: 'ddl',
  TRUNCATE: 'ddl',
  SET: 'set',
};
// MySQL's locking functions (https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html).
const LOCK_FUNCTIONS = new Set(['GET_LOCK', 'RELEASE_LOCK', 'RELEASE_ALL_LOCKS', 'IS_FREE_LOCK', 'IS_USED_LOCK']);
const MAYBE_LOCK_FUNCTION = /_lock/i;

export function classify(sql: string, options: RuleOptions): Verdict {
  const head = tokenize(sql, HEAD_TOKENS);
  const first = head[0]?.upper ?? '';
  const kind = KINDS[first] ?? 'other';
  const verdict: Verdict = { kind, dml: kind === 'insert' || kind === 'update' || kind === 'delete' };
  // Whole-statement tokens, made at most once and only for statements that need them.
  let all: Token[] | undefined;
  const tokens = () => (all ??= tokenize(sql));

  const refusal = headRefusal(first, head[1]?.upper ?? '');
  if (refusal) return { ...verdict, refusal };
  if (options.readOnlyUser !== undefined && (verdict.dml || kind === 'ddl')) {
    return {
      ...verdict,
      refusal: { rule: 'read-only-role', error: refusals.readOnlyRole(options.readOnlyUser, first) },
    };
  }
  // Anywhere in any statement; the substring search keeps large statements away from the full scan.
  if (MAYBE_LOCK_FUNCTION.test(sql)) {
    const locking = lockingFunction(tokens());
    if (locking) return { ...verdict, refusal: { rule: 'locking-function', error: refusals.lockingFunction(locking) } };
  }
  if (kind === 'ddl') {
    const ddl = ddlRefusal(first, tokens(), sql, options.safeMigrations);
    return ddl ? { ...verdict, refusal: ddl } : verdict;
  }
  if (kind === 'set') {
    const set = setVerdict(tokens(), sql);
    if (set.refusal) return { ...verdict, refusal: set.refusal };
    if (set.rewrite !== undefined) return { ...verdict, rewrite: set.rewrite };
  }
  return verdict;
}

/** Refusals the first two words decide. */
function headRefusal(first: string, second: string): Refusal | undefined {
  switch (first) {
    case 'LOAD':
      // mysql-compatibility: "LOAD DATA INFILE ❌ Loading data via LOAD DATA INFILE is not supported" (LOCAL too:
      // the HTTP API has no channel to send a client file); LOAD XML is the same statement family.
      if (second === 'DATA' || second === 'XML') return { rule: 'load-data', error: refusals.loadData() };
      return undefined;
    case 'CALL':
      // mysql-compatibility: "PROCEDURE ❌ We do not support any form of stored routines".
      return { rule: 'stored-routine', error: refusals.storedRoutine('CALL') };
    case 'LOCK':
    case 'UNLOCK':
      if (second === 'TABLES' || second === 'TABLE') {
        return { rule: 'lock-tables', error: refusals.lockTables(`${first} TABLES`) };
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The first locking-function call (`name (` with only comments or spaces between), as written in upper case. */
function lockingFunction(tokens: Token[]): string | undefined {
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (t.type === 'word' && LOCK_FUNCTIONS.has(t.upper) && tokens[i + 1]!.upper === '(') return t.upper;
  }
  return undefined;
}
