// The HTTP path's rows: a chunk's LOAD DATA rows turned into multi-row INSERT statements, each
// under its byte budget, valid and invalid rows apart (each naming only the columns its rows can
// fill), with text quoted so MySQL reads back exactly what LOAD DATA would.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../etl/transform/chunk.ts';
import {
  INSERT_HEADS,
  MAX_ID_SPAN,
  type InsertStatement,
  insertStatements,
  type InsertContext,
} from '../../etl/transform/sql-values.ts';
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

type Value = string | number | null;
type Row = Record<string, Value>;

/**
 * Reads the tuples of a statement back as MySQL would: NULL, numbers and quoted strings with
 * escapes, each row as every column of RECORD_COLUMNS (a column the statement does not name is
 * NULL, its default).
 */
function parseValues(st: InsertStatement): Row[] {
  const { sql } = st;
  const head = st.invalid ? INSERT_HEADS.invalid : INSERT_HEADS.valid;
  expect(sql.startsWith(head)).toBe(true);
  const columns = (/\(([^)]*)\)/.exec(head) as RegExpExecArray)[1]?.split(', ') as string[];
  const text = sql.slice(head.length);
  const rows: Row[] = [];
  let i = 0;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', 0: '\0', '\\': '\\', "'": "'" };
  while (i < text.length) {
    expect(text[i]).toBe(i === 0 ? '(' : ',');
    if (text[i] === ',') i++;
    i++; // (
    const values: Value[] = [];
    for (;;) {
      if (text[i] === "'") {
        let v = '';
        for (i++; text[i] !== "'"; i++) v += text[i] === '\\' ? (escapes[text[++i] as string] as string) : text[i];
        i++;
        values.push(v);
      } else {
        const m = /^[^,)]+/.exec(text.slice(i)) as RegExpExecArray;
        values.push(m[0] === 'NULL' ? null : Number(m[0]));
        i += m[0].length;
      }
      if (text[i++] === ')') break;
    }
    expect(values).toHaveLength(columns.length);
    rows.push(
      Object.fromEntries(
        RECORD_COLUMNS.map((c) => [c, columns.includes(c) ? (values[columns.indexOf(c)] as Value) : null]),
      ),
    );
  }
  return rows;
}

/** Every row of the statements, in id order. */
const allRows = (sts: InsertStatement[]) =>
  sts.flatMap(parseValues).sort((a, b) => (a.id as number) - (b.id as number));

describe('insertStatements', () => {
  it('writes valid and invalid rows apart, with the dataset, ids, lines, run and timestamp, and every value', () => {
    const sts = [...insertStatements(tsvOf([VALID, BROKEN, VALID]), CTX, 1 << 20, 1000)];
    expect(sts.map(({ invalid, firstId, lastId, rows }) => ({ invalid, firstId, lastId, rows }))).toEqual([
      { invalid: false, firstId: 101, lastId: 103, rows: 2 },
      { invalid: true, firstId: 102, lastId: 102, rows: 1 },
    ]);
    const rows = allRows(sts);
    expect(rows.map((r) => [r.dataset_id, r.id, r.run_id, r.source_line, r.created_at, r.invalid_flag])).toEqual([
      [7, 101, 3, 2, '2026-12-03 10:00:00', 0],
      [7, 102, 3, 3, '2026-12-03 10:00:00', 1],
      [7, 103, 3, 4, '2026-12-03 10:00:00', 0],
    ]);
    const [valid, broken] = rows as [Row, Row];
    expect([
      valid.waist,
      valid.bmi,
      valid.risk_group,
      valid.rule_version,
      valid.invalid_reason,
      valid.raw_line,
    ]).toEqual([90.5, 27.7, 'MULTIPLE_RISK_FACTORS', expect.any(String), null, null]);
    expect([broken.invalid_reason, broken.raw_line, broken.waist, broken.bmi, broken.risk_group]).toEqual([
      'UNPARSEABLE',
      BROKEN,
      null,
      null,
      null,
    ]);
    // The columns a statement leaves out are exactly the ones its kind of row has NULL in the TSV.
    expect(INSERT_HEADS.valid).not.toContain('invalid_reason');
    expect(INSERT_HEADS.invalid).not.toContain('risk_group');
    for (const head of Object.values(INSERT_HEADS)) expect(head).toContain('invalid_flag');
  });

  it('keeps each statement within its byte budget and row cap; the ids between its first and last of its kind are its rows', () => {
    const lines = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? BROKEN : VALID));
    const tsv = tsvOf(lines);
    const whole = [...insertStatements(tsv, CTX, 1 << 20, 1000)];
    expect(whole).toHaveLength(2);
    const budget = 3000;
    const split = [...insertStatements(tsv, CTX, budget, 1000)];
    expect(split.length).toBeGreaterThan(4);
    for (const st of split) expect(Buffer.byteLength(st.sql)).toBeLessThanOrEqual(budget);
    expect(allRows(split)).toEqual(allRows(whole));
    for (const st of split) {
      const ids = parseValues(st).map((r) => r.id as number);
      expect([ids[0], ids.at(-1), ids.length]).toEqual([st.firstId, st.lastId, st.rows]);
      const ofKind = allRows(split).filter(
        (r) =>
          r.invalid_flag === (st.invalid ? 1 : 0) && (r.id as number) >= st.firstId && (r.id as number) <= st.lastId,
      );
      expect(ofKind.map((r) => r.id)).toEqual(ids);
    }
    const capped = [...insertStatements(tsv, CTX, 1 << 20, 8)];
    expect(capped.map((s) => [s.invalid, s.rows])).toEqual([
      [false, 8],
      [false, 8],
      [false, 8],
      [false, 8],
      [false, 8],
      [false, 3],
      [true, 7],
    ]);
  });

  it('ends the statement of a sparse kind of row before it spans more than MAX_ID_SPAN ids (its retry check reads the span)', () => {
    const n = MAX_ID_SPAN + 20_000;
    const lines = Array.from({ length: n }, (_, i) => (i % 1000 === 500 ? BROKEN : VALID));
    const sts = [...insertStatements(tsvOf(lines), CTX, 64 << 20, n)];
    const invalid = sts.filter((st) => st.invalid);
    expect(invalid.map((st) => st.rows)).toEqual([MAX_ID_SPAN / 1000, 20]);
    for (const st of sts)
      expect(st.lastId - st.firstId + 1, JSON.stringify(st.firstId)).toBeLessThanOrEqual(MAX_ID_SPAN);
    expect(sts.reduce((sum, st) => sum + st.rows, 0)).toBe(n);
  });

  it('keeps a non-ASCII source line intact in whichever statement it lands, and ASCII statements beside it', () => {
    const korean = BROKEN.replace("9x'", '구십');
    const lines = Array.from({ length: 40 }, (_, i) => (i % 3 === 2 ? (i % 9 === 8 ? korean : BROKEN) : VALID));
    const tsv = tsvOf(lines);
    const whole = allRows([...insertStatements(tsv, CTX, 1 << 20, 1000)]);
    expect(whole.filter((r) => r.raw_line === korean)).toHaveLength(4);
    // Budgets that put a non-ASCII row first, last and alone in a statement (moved past the budget).
    for (const budget of [600, 900, 1200, 1500, 2000]) {
      const split = [...insertStatements(tsv, CTX, budget, 1000)];
      expect(allRows(split)).toEqual(whole);
    }
  });

  it('refuses a row whose kind should leave a column NULL but has a value there', () => {
    const tsv = Buffer.from(
      tsvOf([VALID])
        .toString('utf8')
        .replace(/\\N\n$/, 'surplus\n'),
    );
    expect(() => [...insertStatements(tsv, CTX, 1 << 20, 1000)]).toThrow(/raw_line has a value/);
  });
});
