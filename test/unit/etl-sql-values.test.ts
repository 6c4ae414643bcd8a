// The HTTP path's rows: a chunk's LOAD DATA rows turned into multi-row INSERT statements, each
// under its byte budget, with text quoted so MySQL reads back exactly what LOAD DATA would.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../etl/transform/chunk.ts';
import { INSERT_HEAD, insertStatements, type InsertContext } from '../../etl/transform/sql-values.ts';
import { mapHeader } from '../../etl/read/header.ts';
import { RECORD_COLUMNS, SOURCE_COLUMNS } from '../../etl/schema/columns.ts';

const LAYOUT = mapHeader(SOURCE_COLUMNS.map(([k]) => k));
const VALID = '2024,1,11,1,12,170,80,90.5,1.0,9.9,1,1,145,92,110,250,180,45,169,15.2,1,1.0,25,30,40,3,1,1,0,,,,1';
/** Unparseable (a letter in a number cell): stored with its raw line, quote and backslash included. */
const BROKEN = "2024,2,11,1,12,170,80,9x'\\,1.0,9.9,1,1,145,92,110,250,180,45,169,15.2,1,1.0,25,30,40,3,1,1,0,,,,1";
const CTX: InsertContext = { datasetId: 7, idOffset: 100, lineOffset: 2, runId: 3, createdAt: '2026-12-03 10:00:00' };

function tsvOf(lines: string[]): Buffer {
  const out = processChunk({
    bytes: iconv.encode(`${lines.join('\n')}\n`, 'cp949'),
    layout: LAYOUT,
    encoding: 'cp949',
    atEof: true,
    emit: true,
  });
  return Buffer.from(out.tsv as Buffer);
}

/** Reads the tuples of a statement back as MySQL would: NULL, numbers and quoted strings with escapes. */
function parseValues(sql: string): (string | number | null)[][] {
  expect(sql.startsWith(INSERT_HEAD)).toBe(true);
  const text = sql.slice(INSERT_HEAD.length);
  const rows: (string | number | null)[][] = [];
  let i = 0;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', 0: '\0', '\\': '\\', "'": "'" };
  while (i < text.length) {
    expect(text[i]).toBe(i === 0 ? '(' : ',');
    if (text[i] === ',') i++;
    i++; // (
    const row: (string | number | null)[] = [];
    for (;;) {
      if (text[i] === "'") {
        let v = '';
        for (i++; text[i] !== "'"; i++) v += text[i] === '\\' ? (escapes[text[++i] as string] as string) : text[i];
        i++;
        row.push(v);
      } else {
        const m = /^[^,)]+/.exec(text.slice(i)) as RegExpExecArray;
        row.push(m[0] === 'NULL' ? null : Number(m[0]));
        i += m[0].length;
      }
      if (text[i++] === ')') break;
    }
    rows.push(row);
  }
  return rows;
}

describe('insertStatements', () => {
  it('writes every column in RECORD_COLUMNS order, with the dataset, ids, lines, run and timestamp', () => {
    const [st, ...more] = [...insertStatements(tsvOf([VALID, BROKEN]), CTX, 1 << 20, 1000)];
    expect(more).toEqual([]);
    expect(st).toMatchObject({ firstId: 101, rows: 2 });
    const rows = parseValues((st as { sql: string }).sql);
    const col = (row: (string | number | null)[] | undefined, name: string) =>
      (row as unknown[])[RECORD_COLUMNS.indexOf(name as never)];
    expect(rows.map((r) => r.length)).toEqual([RECORD_COLUMNS.length, RECORD_COLUMNS.length]);
    expect(
      rows.map((r) => [
        col(r, 'dataset_id'),
        col(r, 'id'),
        col(r, 'run_id'),
        col(r, 'source_line'),
        col(r, 'created_at'),
      ]),
    ).toEqual([
      [7, 101, 3, 2, '2026-12-03 10:00:00'],
      [7, 102, 3, 3, '2026-12-03 10:00:00'],
    ]);
    expect([
      col(rows[0], 'waist'),
      col(rows[0], 'bmi'),
      col(rows[0], 'risk_group'),
      col(rows[0], 'invalid_flag'),
      col(rows[0], 'raw_line'),
    ]).toEqual([90.5, 27.7, 'MULTIPLE_RISK_FACTORS', 0, null]);
    expect([col(rows[1], 'invalid_reason'), col(rows[1], 'raw_line'), col(rows[1], 'waist')]).toEqual([
      'UNPARSEABLE',
      BROKEN,
      null,
    ]);
  });

  it('keeps each statement within its byte budget and row cap, and numbers the rows across them', () => {
    const lines = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? BROKEN : VALID));
    const tsv = tsvOf(lines);
    const one = [...insertStatements(tsv, CTX, 1 << 20, 1000)];
    expect(one).toHaveLength(1);
    const budget = 4000;
    const split = [...insertStatements(tsv, CTX, budget, 1000)];
    expect(split.length).toBeGreaterThan(3);
    for (const st of split) expect(Buffer.byteLength(st.sql)).toBeLessThanOrEqual(budget);
    expect(split.map((s) => s.firstId)).toEqual(
      split.map((_, i) => 101 + split.slice(0, i).reduce((n, s) => n + s.rows, 0)),
    );
    expect(split.flatMap((s) => parseValues(s.sql))).toEqual(parseValues((one[0] as { sql: string }).sql));
    const capped = [...insertStatements(tsv, CTX, 1 << 20, 8)];
    expect(capped.map((s) => s.rows)).toEqual([8, 8, 8, 8, 8, 8, 2]);
  });

  it('keeps a non-ASCII source line intact in whichever statement it lands, and ASCII statements beside it', () => {
    const korean = BROKEN.replace("9x'", '구십');
    const lines = Array.from({ length: 30 }, (_, i) => (i % 10 === 9 ? korean : VALID));
    const tsv = tsvOf(lines);
    const whole = parseValues((insertStatements(tsv, CTX, 1 << 20, 1000).next().value as { sql: string }).sql);
    expect(whole.filter((r) => r.includes(korean))).toHaveLength(3);
    // Budgets that put the non-ASCII row first, last and alone in a statement (moved past the budget).
    for (const budget of [1500, 2000, 2600, 3100]) {
      const split = [...insertStatements(tsv, CTX, budget, 1000)];
      expect(split.flatMap((s) => parseValues(s.sql))).toEqual(whole);
    }
  });
});
