// Verdicts on DDL statements (CREATE, ALTER, DROP, RENAME, TRUNCATE): the objects PlanetScale refuses to create
// or drop, FOREIGN KEY constraints (confirmed with node-sql-parser), and direct DDL on a safe-migrations branch.
import { createRequire } from 'node:module';
import type { Parser } from 'node-sql-parser/build/mysql';
import type { Token } from './sql-scan.ts';
import { refusals } from './vitess-errors.ts';
import type { Refusal } from './vitess-errors.ts';

/** Calls of the SQL parser so far (the cost check: it must never see a large INSERT). */
export const parserCounters = { calls: 0, failures: 0 };

let parser: Parser | undefined;
function sqlParser(): Parser {
  // Loaded on first use (~20 ms): most gateways never see a CREATE TABLE.
  const { Parser: ParserClass } = createRequire(import.meta.url)('node-sql-parser/build/mysql') as {
    Parser: new () => Parser;
  };
  parser ??= new ParserClass();
  return parser;
}

const ROUTINES = new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT']);
// Words that may stand between CREATE and the object type (MySQL/MariaDB CREATE syntax).
const CREATE_MODIFIERS = new Set([
  'OR',
  'REPLACE',
  'TEMPORARY',
  'UNIQUE',
  'FULLTEXT',
  'SPATIAL',
  'ONLINE',
  'OFFLINE',
  'AGGREGATE',
  'ALGORITHM',
  'UNDEFINED',
  'MERGE',
  'TEMPTABLE',
  'SQL',
  'SECURITY',
  'DEFINER',
  'INVOKER',
  'CURRENT_USER',
  'IF',
  'NOT',
  'EXISTS',
]);

/**
 * The refusal for a DDL statement whose first token is `verb`, or undefined to let it run. Order follows
 * vtgate: planning errors (database DDL, stored routines, foreign keys) before the direct-DDL check at execution.
 */
export function ddlRefusal(verb: string, tokens: Token[], sql: string, safeMigrations: boolean): Refusal | undefined {
  const object = objectType(tokens);
  if (object === 'DATABASE' || object === 'SCHEMA') {
    // mysql-compatibility: "CREATE DATABASE ❌ You cannot CREATE a PlanetScale database from the MySQL command line".
    if (verb === 'CREATE' || verb === 'DROP')
      return { rule: 'create-database', error: refusals.database(verb === 'CREATE' ? 'create' : 'drop') };
  }
  if (object && ROUTINES.has(object)) {
    return { rule: 'stored-routine', error: refusals.storedRoutine(`${verb} ${object}`) };
  }
  if ((verb === 'CREATE' || verb === 'ALTER') && object === 'TABLE' && definesForeignKey(tokens, sql)) {
    // mysql-compatibility: "CONSTRAINT...FOREIGN KEY ✖️ The usage of foreign key constraints or FOREIGN KEY syntax
    // is not supported" (unless enabled per database: https://planetscale.com/docs/concepts/foreign-key-constraints).
    return { rule: 'foreign-key', error: refusals.foreignKey() };
  }
  // vtgate runs temporary tables on a reserved connection, not as schema changes (engine/ddl.go CreateTempTable).
  const temporary = (verb === 'CREATE' || verb === 'DROP') && tokens.slice(1, 4).some((t) => t.upper === 'TEMPORARY');
  if (safeMigrations && !temporary) return { rule: 'direct-ddl', error: refusals.directDdl() };
  return undefined;
}

/** The object word after the verb and its modifiers (`CREATE DEFINER=`x`@`%` PROCEDURE` → PROCEDURE). */
function objectType(tokens: Token[]): string | undefined {
  for (let i = 1; i < Math.min(tokens.length, 16); i++) {
    const t = tokens[i]!;
    if (t.type !== 'word') continue; // `=`, user names, host names of DEFINER
    if (CREATE_MODIFIERS.has(t.upper)) continue;
    const prev = tokens[i - 1];
    if (prev && prev.upper === '=') continue; // ALGORITHM = MERGE, DEFINER = user
    return t.upper;
  }
  return undefined;
}

/**
 * Whether a CREATE/ALTER TABLE defines a foreign key. Vitess refuses any FOREIGN KEY definition in the DDL
 * (go/vt/vtgate/planbuilder/ddl.go checkFKError walks the statement for it); `ALTER TABLE ... DROP FOREIGN KEY`
 * defines none. The token scan is the gate (strings and comments are already out of it); when it sees FOREIGN or
 * REFERENCES, node-sql-parser's AST decides, and the tokens decide alone where the parser cannot read the statement.
 */
function definesForeignKey(tokens: Token[], sql: string): boolean {
  const byTokens = tokens.some((t, i) => {
    if (t.type !== 'word') return false;
    if (t.upper === 'REFERENCES') return true;
    return t.upper === 'FOREIGN' && tokens[i - 1]?.upper !== 'DROP';
  });
  if (!byTokens) return false;
  parserCounters.calls += 1;
  try {
    return hasForeignKeyNode(sqlParser().astify(sql));
  } catch {
    parserCounters.failures += 1;
    return byTokens;
  }
}

/** node-sql-parser marks a table constraint `constraint_type: 'FOREIGN KEY'` and a column REFERENCES `reference_definition`. */
function hasForeignKeyNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasForeignKeyNode);
  if (!node || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  if (record.constraint_type === 'FOREIGN KEY' || record.reference_definition) return true;
  return Object.values(record).some(hasForeignKeyNode);
}
