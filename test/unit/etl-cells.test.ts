// Typed cell parsing: what can be stored in each SQL column without loss, and what is UNPARSEABLE.
import { describe, expect, it } from 'vitest';
import { BAD, cellTypeOf, EMPTY, parseCell, SOURCE_CELL_TYPES } from '../../etl/read/cells.ts';
import { SOURCE_COLUMNS } from '../../etl/schema/columns.ts';

const parse = (text: string, sqlType: string) => {
  const bytes = Buffer.from(`x${text}y`, 'latin1');
  const t = cellTypeOf(sqlType);
  return parseCell(bytes, 1, 1 + text.length, t.kind, t.max);
};

describe('parseCell', () => {
  it('reads integers, float-printed integers and blanks', () => {
    expect(parse('170', 'SMALLINT UNSIGNED')).toBe(170);
    expect(parse('170.0', 'SMALLINT UNSIGNED')).toBe(170);
    expect(parse('170.00', 'SMALLINT UNSIGNED')).toBe(170);
    expect(parse('170.', 'SMALLINT UNSIGNED')).toBe(170);
    expect(parse(' 85 ', 'TINYINT UNSIGNED')).toBe(85);
    expect(parse('007', 'TINYINT UNSIGNED')).toBe(7);
    expect(parse('', 'SMALLINT UNSIGNED')).toBe(EMPTY);
    expect(parse('   ', 'SMALLINT UNSIGNED')).toBe(EMPTY);
  });

  it('rejects what the column would round, clip or cannot hold', () => {
    expect(parse('170.5', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('256', 'TINYINT UNSIGNED')).toBe(BAD);
    expect(parse('65536', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('-3', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('abc', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('1e3', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('1,5', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('.', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('12 3', 'SMALLINT UNSIGNED')).toBe(BAD);
    expect(parse('99999999999999', 'INT UNSIGNED')).toBe(BAD);
  });

  it('reads DECIMAL(p,1) cells as tenths', () => {
    expect(parse('0.8', 'DECIMAL(3,1)')).toBe(8);
    expect(parse('9.9', 'DECIMAL(3,1)')).toBe(99);
    expect(parse('0.80', 'DECIMAL(3,1)')).toBe(8);
    expect(parse('.5', 'DECIMAL(3,1)')).toBe(5);
    expect(parse('999', 'DECIMAL(5,1)')).toBe(9990);
    expect(parse('82.5', 'DECIMAL(5,1)')).toBe(825);
    expect(parse('-1.5', 'DECIMAL(4,1)')).toBe(-15);
    expect(parse('0.85', 'DECIMAL(3,1)')).toBe(BAD);
    expect(parse('100.0', 'DECIMAL(3,1)')).toBe(BAD);
    expect(parse('10000', 'DECIMAL(5,1)')).toBe(BAD);
  });

  it('has a parser for every source column', () => {
    expect(SOURCE_CELL_TYPES).toHaveLength(SOURCE_COLUMNS.length);
    expect(() => cellTypeOf('VARCHAR(3)')).toThrow(/No cell parser/);
  });
});
