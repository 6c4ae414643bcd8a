// The pure chunk function on one thread: CSV bytes in, LOAD DATA rows and counts out.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { processChunk, type ChunkInput } from '../../etl/transform/chunk.ts';
import { mapHeader } from '../../etl/read/header.ts';
import { LOAD_COLUMNS } from '../../etl/write/load-data-sql.ts';
import { SOURCE_COLUMNS } from '../../etl/schema/columns.ts';
import { INVALID_REASONS } from '../../src/risk/index.ts';

const LAYOUT = mapHeader(SOURCE_COLUMNS.map(([k]) => k));

/** A valid row: 55–59, male, 170/80 → BMI 27.7, hypertension, high TC, obesity, smoker. */
const VALID = '2024,1,11,1,12,170,80,90.5,1.0,9.9,1,1,145,92,110,250,180,45,169,15.2,1,1.0,25,30,40,3,1,1,0,,,,1';
const cells = (line: string) => line.split(',');
const withCell = (line: string, column: string, value: string) => {
  const c = cells(line);
  c[SOURCE_COLUMNS.findIndex(([, name]) => name === column)] = value;
  return c.join(',');
};

function run(text: string, extra: Partial<ChunkInput> = {}) {
  const out = processChunk({
    bytes: iconv.encode(text, 'cp949'),
    layout: LAYOUT,
    encoding: 'cp949',
    atEof: true,
    emit: true,
    ...extra,
  });
  const rows = out.tsv
    ? out.tsv
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
    : [];
  const get = (row: string[] | undefined, column: string) => (row as string[])[LOAD_COLUMNS.indexOf(column)];
  const reasons = Object.fromEntries(INVALID_REASONS.map((r, i) => [r, out.stats.reasons[i]]).filter(([, n]) => n));
  return { ...out, rows, get, reasons };
}

describe('processChunk', () => {
  it('validates, classifies and writes a valid row', () => {
    const { rows, get, stats } = run(`${VALID}\n`);
    expect(stats).toMatchObject({ rows: 1, valid: 1, invalid: 0, lines: 1, blankLines: 0, truncatedLines: 0 });
    const row = rows[0];
    expect(row).toHaveLength(LOAD_COLUMNS.length);
    expect(get(row, '@lid')).toBe('1');
    expect(get(row, '@lline')).toBe('0');
    expect(get(row, 'waist')).toBe('90.5');
    expect(get(row, 'sight_right')).toBe('9.9');
    expect(get(row, 'serum_creatinine')).toBe('1.0');
    expect(get(row, 'dental_caries')).toBe('0');
    expect(get(row, 'missing_teeth')).toBe('\\N');
    expect(get(row, 'bmi')).toBe('27.7');
    expect(
      [
        'flag_hypertension',
        'flag_diabetes',
        'flag_high_tc',
        'flag_high_tg',
        'flag_low_hdl',
        'flag_obesity',
        'flag_smoking',
      ].map((c) => get(row, c)),
    ).toEqual(['1', '0', '1', '0', '0', '1', '1']);
    expect(get(row, 'risk_factor_count')).toBe('4');
    expect(get(row, 'risk_group')).toBe('MULTIPLE_RISK_FACTORS');
    expect(get(row, 'rule_version')).toBe('guideline-v1');
    expect(get(row, 'invalid_flag')).toBe('0');
    expect(get(row, 'invalid_reason')).toBe('\\N');
    expect(get(row, 'raw_line')).toBe('\\N');
    expect(stats.aggRecords.reduce((a, b) => a + b, 0)).toBe(1);
    expect(stats.aggRiskSum.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('stores float-printed integers canonically and treats missing smoking as never', () => {
    const line = withCell(withCell(withCell(VALID, 'height', '170.0'), 'weight', '80.0'), 'smoking_status', '');
    const { rows, get, stats } = run(`${line}\r\n`);
    expect(stats.valid).toBe(1);
    expect(get(rows[0], 'height')).toBe('170');
    expect(get(rows[0], 'smoking_status')).toBe('\\N');
    expect(get(rows[0], 'flag_smoking')).toBe('0');
    expect(get(rows[0], 'tartar')).toBe('1'); // the CR of CRLF is not part of the last cell
  });

  it('keeps invalid rows with their reason and no derived fields', () => {
    const text = [
      withCell(VALID, 'total_cholesterol', ''),
      withCell(VALID, 'diastolic_bp', '150'),
      withCell(VALID, 'waist', '999'),
      withCell(VALID, 'gender_code', '3'),
    ].join('\n');
    const { rows, get, reasons, stats } = run(`${text}\n`);
    expect(stats).toMatchObject({ rows: 4, valid: 1, invalid: 3 });
    expect(reasons).toEqual({ MISSING_TC: 1, DBP_NOT_BELOW_SBP: 1, BAD_GENDER: 1 });
    expect(get(rows[0], 'invalid_flag')).toBe('1');
    expect(get(rows[0], 'invalid_reason')).toBe('MISSING_TC');
    expect(get(rows[0], 'bmi')).toBe('\\N');
    expect(get(rows[0], 'risk_group')).toBe('\\N');
    expect(get(rows[2], 'waist')).toBe('999.0'); // a sentinel is stored as read
  });

  it('marks a cell its column cannot hold as UNPARSEABLE, with the decoded source line', () => {
    const bad = withCell(VALID, 'waist', '허리\t\\');
    const { rows, get, reasons } = run(`${VALID}\n${bad}\n`);
    expect(reasons).toEqual({ UNPARSEABLE: 1 });
    expect(get(rows[1], 'waist')).toBe('\\N');
    expect(get(rows[1], 'height')).toBe('170');
    expect(get(rows[1], 'invalid_reason')).toBe('UNPARSEABLE');
    expect(get(rows[1], 'raw_line')).toBe(bad.replace('\t', '\\t').replace('\\,', '\\\\,'));
  });

  it('counts blank lines and a truncated last line apart, keeping line numbers', () => {
    const text = `\n${VALID}\r\n\r\n   \n${VALID}\n${VALID.slice(0, 20)}`;
    const { rows, get, stats } = run(text);
    expect(stats).toMatchObject({ rows: 2, blankLines: 3, truncatedLines: 1, lines: 5 });
    expect(rows.map((r) => get(r, '@lline'))).toEqual(['1', '4']);
    expect(rows.map((r) => get(r, '@lid'))).toEqual(['1', '2']);
  });

  it('keeps a complete last line without newline, and a short line mid-file as UNPARSEABLE', () => {
    const short = VALID.split(',').slice(0, 10).join(',');
    const { reasons, stats } = run(`${short}\n${VALID}`);
    expect(stats).toMatchObject({ rows: 2, valid: 1, truncatedLines: 0 });
    expect(reasons).toEqual({ UNPARSEABLE: 1 });
    expect(run(VALID.slice(0, 20), { atEof: false }).reasons).toEqual({ UNPARSEABLE: 1 });
  });

  it('honours quoted fields: commas, doubled quotes and newlines inside them', () => {
    const layout = mapHeader([...SOURCE_COLUMNS.map(([k]) => k), '데이터공개일자']);
    const quoted = `${withCell(VALID, 'height', '"170"')},"2025-12-31, ""v2""\nsecond line"`;
    const out = processChunk({
      bytes: Buffer.from(`${quoted}\n${VALID},x\n`),
      layout,
      encoding: 'utf8',
      atEof: true,
      emit: true,
    });
    expect(out.stats).toMatchObject({ rows: 2, valid: 2, lines: 3 });
    const rows = (out.tsv as Buffer).toString().trim().split('\n');
    expect(rows[1]?.split('\t')[1]).toBe('2'); // second row starts two lines down
    expect(rows[0]?.split('\t')[LOAD_COLUMNS.indexOf('height')]).toBe('170');
  });

  it('treats an unterminated quote at the end as a truncated line', () => {
    expect(run(`${VALID}\n"2024,1`).stats).toMatchObject({ rows: 1, truncatedLines: 1 });
  });

  it('rejects a non-empty cell beyond the header but tolerates an empty one', () => {
    expect(run(`${VALID},\n`).stats.valid).toBe(1);
    expect(run(`${VALID},7\n`).reasons).toEqual({ UNPARSEABLE: 1 });
  });

  it('counts without writing when not emitting', () => {
    const out = processChunk({
      bytes: Buffer.from(`${VALID}\n${VALID}\n`),
      layout: LAYOUT,
      encoding: 'utf8',
      atEof: true,
      emit: false,
    });
    expect(out.tsv).toBeNull();
    expect(out.stats).toMatchObject({ rows: 2, valid: 2 });
  });
});
