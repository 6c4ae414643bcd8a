// Verdicts on SET statements as vtgate plans them (go/vt/vtgate/planbuilder/set.go): user variables pass,
// global scope and unknown, read-only or unsupported session variables are refused, and the variables only
// vtgate keeps (workload, NAMES, ...) are answered without reaching MariaDB.
import type { Token } from './sql-scan.ts';
import type { Refusal } from './vitess-errors.ts';
import { forwardsToMysql, sysvarClass } from './sysvars.ts';
import { refusals } from './vitess-errors.ts';

export interface SetVerdict {
  refusal?: Refusal;
  /** What to send to MariaDB instead: undefined = the statement as it is, '' = nothing (a no-op success). */
  rewrite?: string;
}

// vtgate accepts these for NAMES / CHARACTER SET and keeps utf8mb4 on the wire (executor_set_test.go).
const CHARSETS = new Set(['UTF8', 'UTF8MB4', 'UTF8MB3', 'DEFAULT']);
const SCOPES: Record<string, 'global' | 'session'> = {
  GLOBAL: 'global',
  PERSIST: 'global',
  PERSIST_ONLY: 'global',
  SESSION: 'session',
  LOCAL: 'session',
};

/** `tokens` is the whole statement, starting with SET. */
export function setVerdict(tokens: Token[], sql: string): SetVerdict {
  const second = tokens[1];
  if (!second) return {};
  // SET [GLOBAL|SESSION] TRANSACTION ... is its own statement (vtgate SetTransaction), not an assignment.
  if (second.upper === 'TRANSACTION') return {};
  if (tokens[2]?.upper === 'TRANSACTION' && SCOPES[second.upper]) {
    return SCOPES[second.upper] === 'global'
      ? { refusal: { rule: 'set-global', error: refusals.setGlobal('transaction') } }
      : {};
  }
  if (second.type === 'word' && second.upper === 'STATEMENT') {
    // MariaDB's SET STATEMENT ... FOR: not MySQL 8 syntax.
    return { refusal: { rule: 'syntax', error: refusals.syntax(second.end, sql.slice(second.start, second.end)) } };
  }

  const kept: string[] = [];
  let scope: 'global' | 'session' = 'session'; // a modifier holds for the assignments after it (MySQL SET docs)
  const items = splitItems(tokens.slice(1));
  for (const item of items) {
    let at = 0;
    const word = item[0]!;
    if (word.type === 'word' && SCOPES[word.upper] && item.length > 1) {
      scope = SCOPES[word.upper]!;
      at = 1;
    }
    const head = item[at]!;
    const source = sql.slice(item[0]!.start, item[item.length - 1]!.end);
    if (head.type === 'word' && (head.upper === 'NAMES' || head.upper === 'CHARSET' || head.upper === 'CHARACTER')) {
      const value = item[head.upper === 'CHARACTER' ? at + 2 : at + 1];
      const name = value ? sql.slice(value.start, value.end).replace(/^['"`]|['"`]$/g, '') : '';
      if (!CHARSETS.has(name.toUpperCase())) return { refusal: { rule: 'charset', error: refusals.charset(name) } };
      continue; // vtgate keeps the connection's utf8mb4; nothing for MariaDB
    }
    if (head.type === 'var' && !head.upper.startsWith('@@')) {
      kept.push(source); // a user variable: MariaDB holds it on the session's connection
      continue;
    }
    let name: string;
    if (head.type === 'var') {
      const [prefix, rest] = splitScope(head.upper.slice(2));
      if (prefix) scope = prefix;
      name = rest.toLowerCase();
    } else if (head.type === 'word' || head.type === 'quoted') {
      name = head.type === 'word' ? head.upper.toLowerCase() : head.upper;
    } else {
      kept.push(source); // not an assignment we understand: MariaDB's own syntax error will answer
      continue;
    }
    const assign = item[at + 1];
    const value = assign ? sql.slice(assign.end, item[item.length - 1]!.end).trim() : '';
    const refusal = variableRefusal(name, scope, value);
    if (refusal) return { refusal };
    if (forwardsToMysql(name)) kept.push(source);
  }
  if (kept.length === items.length) return {};
  return { rewrite: kept.length === 0 ? '' : `SET ${kept.join(', ')}` };
}

function variableRefusal(name: string, scope: 'global' | 'session', value: string): Refusal | undefined {
  if (scope === 'global') return { rule: 'set-global', error: refusals.setGlobal(name) };
  switch (sysvarClass(name)) {
    case undefined:
      return { rule: 'unknown-variable', error: refusals.unknownVariable(`@@${name} = ${value}`) };
    case 'readonly':
      return { rule: 'read-only-variable', error: refusals.readOnlyVariable(name) };
    case 'unsupported':
      return { rule: 'unsupported-variable', error: refusals.unsupportedVariable(name) };
    default:
      return undefined;
  }
}

/** `GLOBAL.x` → ['global', 'X']; `X` → [undefined, 'X'] (names arrive upper-cased from the lexer). */
function splitScope(name: string): [('global' | 'session') | undefined, string] {
  const dot = name.indexOf('.');
  if (dot < 0) return [undefined, name];
  return [SCOPES[name.slice(0, dot)], name.slice(dot + 1)];
}

/** Assignments separated by commas outside parentheses: `a = 1, @b = (SELECT 1, 2), NAMES utf8mb4`. */
function splitItems(tokens: Token[]): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'punct') {
      if (t.upper === '(') depth += 1;
      else if (t.upper === ')') depth -= 1;
      else if (t.upper === ',' && depth === 0) {
        if (current.length > 0) items.push(current);
        current = [];
        continue;
      } else if (t.upper === ';' && depth === 0) continue;
    }
    current.push(t);
  }
  if (current.length > 0) items.push(current);
  return items;
}
