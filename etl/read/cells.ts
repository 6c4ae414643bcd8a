// Typed cell parsing on raw bytes: decides whether a CSV cell can be stored in its SQL column
// (etl/schema.ts types) without loss, and yields its value. The tokenizer reads plain numbers
// itself; this handles everything else (blanks, signs, quotes, junk).
import { SOURCE_COLUMNS } from '../schema/columns.ts';

/** How a source column is stored: an unsigned integer up to `max`, or DECIMAL(p,1) up to `max` tenths. */
export interface CellType {
  kind: 'uint' | 'dec1';
  max: number;
}

export function cellTypeOf(sqlType: string): CellType {
  const dec = /^DECIMAL\((\d+),1\)$/.exec(sqlType);
  if (dec) return { kind: 'dec1', max: 10 ** Number(dec[1]) - 1 };
  if (sqlType === 'TINYINT UNSIGNED') return { kind: 'uint', max: 255 };
  if (sqlType === 'SMALLINT UNSIGNED') return { kind: 'uint', max: 65535 };
  if (sqlType === 'INT UNSIGNED') return { kind: 'uint', max: 4294967295 };
  throw new Error(`No cell parser for SQL type ${sqlType}`);
}

/** One CellType per SOURCE_COLUMNS entry, in order. */
export const SOURCE_CELL_TYPES: readonly CellType[] = SOURCE_COLUMNS.map(([, , type]) => cellTypeOf(type));

/** Result of an empty cell (stored as NULL). */
export const EMPTY = -1e9;
/** Result of a cell that cannot be stored in its column without loss (the row is UNPARSEABLE). */
export const BAD = -2e9;

const SP = 0x20;
const TAB = 0x09;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const D0 = 0x30;

/**
 * Parses bytes[start, end) for a column of `t`: an integer (uint) or a number of tenths (dec1),
 * or EMPTY / BAD. Accepted: surrounding blanks, a sign (minus only where the column is signed,
 * or "-0"), digits, and a fraction whose digits past the column's scale are zeros: "170.0" is
 * 170 in an integer column, "0.80" is 8 tenths; "170.5" in an integer column would be rounded
 * by the server, so it is BAD, as are text, exponents and values out of the column's range.
 */
export function parseCell(bytes: Uint8Array, start: number, end: number, kind: 'uint' | 'dec1', max: number): number {
  let i = start;
  let c = bytes[i] as number;
  if (c === SP || c === TAB) {
    while (i < end && (bytes[i] === SP || bytes[i] === TAB)) i++;
    while (end > i && (bytes[end - 1] === SP || bytes[end - 1] === TAB)) end--;
    c = bytes[i] as number;
  }
  if (i >= end) return EMPTY;
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < end) {
    const d = (bytes[i] as number) - D0;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
    i++;
  }
  let tenth = 0;
  if (i < end) {
    if (bytes[i] !== DOT) return BAD;
    i++;
    if (i < end) {
      tenth = (bytes[i] as number) - D0;
      if (tenth < 0 || tenth > 9) return BAD;
      digits++;
      i++;
    }
    for (; i < end; i++) if (bytes[i] !== D0) return BAD; // a second decimal would be rounded
  }
  if (digits === 0 || digits > 12) return BAD;
  if (kind === 'uint') {
    if (tenth !== 0 || value > max || (negative && value !== 0)) return BAD;
    return value;
  }
  const tenths = value * 10 + tenth;
  if (tenths > max) return BAD;
  return negative ? -tenths : tenths;
}
