// Maps a source header to the 33 columns by name, whatever the year's order and spelling;
// extra columns are ignored, and an unknown layout fails at once naming what is missing.
import { SOURCE_COLUMNS, type SourceColumn } from '../schema/columns.ts';

export interface HeaderLayout {
  /** For each SOURCE_COLUMNS entry (in order), the index of its field in a source line. */
  fieldOf: number[];
  /** Number of fields in the header line. */
  fieldCount: number;
  /** Header names that map to no column (ignored), e.g. 데이터공개일자. */
  ignored: string[];
}

export class HeaderError extends Error {
  override name = 'HeaderError';
  constructor(
    message: string,
    readonly missing: string[],
  ) {
    super(message);
  }
}

/** Case, spaces and Unicode form do not matter: `신장(5Cm단위)` = `신장(5cm단위)`, `결손치유무` = `결손치 유무`. */
export function normalizeHeaderName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/^\ufeff/, '')
    .replace(/^"|"$/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** Spellings of published years that differ by more than case and spaces. */
const ALIASES: Record<string, SourceColumn> = {
  '(혈청지오티)ast': 'ast',
  '(혈청지오티)alt': 'alt', // sic: some years label ALT with 지오티
  '(혈청지피티)alt': 'alt',
  혈청지오티ast: 'ast',
  혈청지피티alt: 'alt',
  치석유무: 'tartar',
  '연령대코드(5세단위)': 'age_group_code',
  연령대코드: 'age_group_code',
  '식전혈당(공복혈당)': 'fasting_glucose',
  식전혈당: 'fasting_glucose',
};

const BY_NAME = new Map<string, SourceColumn>([
  ...SOURCE_COLUMNS.map(([korean, column]) => [normalizeHeaderName(korean), column] as const),
  ...Object.entries(ALIASES),
]);

/**
 * The header of older published years (e.g. 2017–2019): 성별코드 before 시도코드, other
 * spellings, and two trailing columns the ETL ignores. The generator can write it (--layout legacy).
 */
export const LEGACY_HEADER: readonly string[] = [
  '기준년도',
  '가입자일련번호',
  '성별코드',
  '시도코드',
  '연령대코드(5세단위)',
  '신장(5Cm단위)',
  '체중(5Kg 단위)',
  '허리둘레',
  '시력(좌)',
  '시력(우)',
  '청력(좌)',
  '청력(우)',
  '수축기혈압',
  '이완기혈압',
  '식전혈당(공복혈당)',
  '총콜레스테롤',
  '트리글리세라이드',
  'HDL콜레스테롤',
  'LDL콜레스테롤',
  '혈색소',
  '요단백',
  '혈청크레아티닌',
  '(혈청지오티)AST',
  '(혈청지오티)ALT',
  '감마지티피',
  '흡연상태',
  '음주여부',
  '구강검진 수검여부',
  '치아우식증유무',
  '결손치유무',
  '치아마모증유무',
  '제3대구치(사랑니)이상',
  '치석유무',
  '데이터공개일자',
  '데이터 기준일자',
];

/** Splits one CSV line (already decoded) into fields, honouring double quotes. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const text = line.replace(/\r?\n$/, '').replace(/\r$/, '');
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new HeaderError('Unterminated quote in the header line', []);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i >= text.length) return fields;
      i++; // the comma
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

export function mapHeader(names: readonly string[]): HeaderLayout {
  const fieldOf = new Array<number>(SOURCE_COLUMNS.length).fill(-1);
  const ignored: string[] = [];
  names.forEach((name, index) => {
    const column = BY_NAME.get(normalizeHeaderName(name));
    const at = column === undefined ? -1 : SOURCE_COLUMNS.findIndex(([, c]) => c === column);
    if (at < 0) {
      ignored.push(name);
      return;
    }
    if (fieldOf[at] !== -1) throw new HeaderError(`Header column "${name}" appears twice (as ${column})`, []);
    fieldOf[at] = index;
  });
  const missing = SOURCE_COLUMNS.filter((_, i) => fieldOf[i] === -1).map(([korean]) => korean);
  if (missing.length) {
    const looksLikeData = names.every((n) => /^[\d.\s-]*$/.test(n));
    throw new HeaderError(
      `Unknown header layout: missing ${missing.length} of ${SOURCE_COLUMNS.length} columns: ${missing.join(', ')}` +
        (looksLikeData ? ' (the first line looks like data: the file needs its header line)' : ''),
      missing,
    );
  }
  return { fieldOf, fieldCount: names.length, ignored };
}
