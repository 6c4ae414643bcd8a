// Header mapping by name: the 2024 layout, older years' order and spellings, extra columns,
// and the immediate failure on an unknown layout.
import { describe, expect, it } from 'vitest';
import {
  HeaderError,
  LEGACY_HEADER as OLD_HEADER,
  mapHeader,
  normalizeHeaderName,
  splitCsvLine,
} from '../../etl/read/header.ts';
import { SOURCE_COLUMNS } from '../../etl/schema/columns.ts';

const KOREAN_2024 = SOURCE_COLUMNS.map(([k]) => k);

describe('mapHeader', () => {
  it('maps the 2024 header in order', () => {
    const layout = mapHeader(KOREAN_2024);
    expect(layout.fieldOf).toEqual(KOREAN_2024.map((_, i) => i));
    expect(layout.fieldCount).toBe(33);
    expect(layout.ignored).toEqual([]);
  });

  it('maps every published variant by name and ignores extra columns', () => {
    const layout = mapHeader(OLD_HEADER);
    const at = (column: string) => layout.fieldOf[SOURCE_COLUMNS.findIndex(([, c]) => c === column)];
    expect(at('gender_code')).toBe(2);
    expect(at('sido_code')).toBe(3);
    expect(at('height')).toBe(5);
    expect(at('weight')).toBe(6);
    expect(at('ast')).toBe(22);
    expect(at('alt')).toBe(23);
    expect(at('oral_exam')).toBe(27);
    expect(at('missing_teeth')).toBe(29);
    expect(at('wisdom_tooth')).toBe(31);
    expect(at('tartar')).toBe(32);
    expect(layout.fieldCount).toBe(35);
    expect(layout.ignored).toEqual(['데이터공개일자', '데이터 기준일자']);
  });

  it('maps a shuffled header by name', () => {
    const shuffled = [...KOREAN_2024].reverse();
    const layout = mapHeader(shuffled);
    expect(layout.fieldOf[0]).toBe(32);
    expect(layout.fieldOf[32]).toBe(0);
  });

  it('fails at once on an unknown layout, listing the missing columns', () => {
    const names = KOREAN_2024.filter((n) => n !== '총콜레스테롤' && n !== '흡연상태');
    expect(() => mapHeader(names)).toThrow(HeaderError);
    try {
      mapHeader(names);
    } catch (err) {
      expect((err as HeaderError).missing).toEqual(['총콜레스테롤', '흡연상태']);
      expect((err as Error).message).toMatch(/missing 2 of 33 columns: 총콜레스테롤, 흡연상태/);
    }
    expect(() => mapHeader(['2024', '1', '11'])).toThrow(/looks like data/);
  });

  it('refuses a column that appears twice', () => {
    expect(() => mapHeader([...KOREAN_2024, '치석유무'])).toThrow(/appears twice/);
  });

  it('normalises case, spaces, BOM and Unicode form', () => {
    expect(normalizeHeaderName('\ufeff신장(5Cm단위)')).toBe('신장(5cm단위)');
    expect(normalizeHeaderName(' 결손치 유무 ')).toBe('결손치유무');
    expect(normalizeHeaderName('흡연상태'.normalize('NFD'))).toBe('흡연상태');
  });
});

describe('splitCsvLine', () => {
  it('splits plain and quoted fields', () => {
    expect(splitCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvLine('"a,1","b ""q""",c\r')).toEqual(['a,1', 'b "q"', 'c']);
    expect(splitCsvLine('a,"b"')).toEqual(['a', 'b']);
    expect(splitCsvLine('a,')).toEqual(['a', '']);
  });
});
