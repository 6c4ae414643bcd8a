// The schema files (*.sql beside this module, applied in name order) as single statements: what
// `npm run schema` prints for a deploy request and what the local development branch runs.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));

export function schemaFiles(): { name: string; text: string }[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, text: readFileSync(`${DIR}${name}`, 'utf8') }));
}

/** The statements of the schema files, comments dropped, one per element (no trailing `;`). */
export function schemaStatements(): string[] {
  return schemaFiles().flatMap(({ text }) =>
    text
      .split('\n')
      .map((line) => line.replace(/--.*$/, ''))
      .join('\n')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The names of the tables the schema creates, in order. */
export function schemaTables(): string[] {
  return schemaStatements().flatMap((s) => /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1] ?? []);
}

/** One table's column names as the schema declares them, in order. */
export function schemaColumns(table: string): string[] {
  const ddl = schemaStatements().find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table} (`));
  if (!ddl) throw new Error(`The schema has no table ${table}`);
  return ddl
    .split('\n')
    .slice(1)
    .map((line) => /^\s+(\w+) [A-Z]/.exec(line)?.[1])
    .filter((c): c is string => c !== undefined && !['PRIMARY', 'KEY', 'UNIQUE'].includes(c));
}
