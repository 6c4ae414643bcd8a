// Turns a chunk's tab-separated rows (as processChunk writes them for LOAD DATA) into multi-row
// INSERT statements for the HTTP path, each under a byte budget. The TSV's escapes (\\ \t \n \r
// \0) are MySQL string-literal escapes too, so text is quoted with only `'` escaped; `\N` is NULL.
//
// Valid and invalid rows go into statements of their own, each naming only the columns its rows
// can fill: an invalid row has no derived values (11 NULLs) and a valid row no reason and no kept
// line (2 NULLs). The database parses each value it is sent, and two rows in three are invalid, so
// leaving out what the column defaults (NULL) say anyway spares it about 15 % of the values
// (bench/etl/insert-floor.ts measures the database's side of these statements).
import { DERIVED_COLUMNS, RECORD_COLUMNS } from '../schema/columns.ts';
import { putUint } from './tsv-writer.ts';

const TAB = 0x09;
const NL = 0x0a;
const BACKSLASH = 0x5c;
const QUOTE = 0x27;
const N = 0x4e;
const ONE = 0x31;

/** Which of the TSV's value columns (after @lid and @lline) are text. */
const TEXT_TYPES = /^(ENUM|VARCHAR|TEXT)/;
const SOURCE_COUNT = RECORD_COLUMNS.length - 5 - DERIVED_COLUMNS.length;
const VALUE_COLUMNS = RECORD_COLUMNS.slice(4, -1);
const IS_TEXT = Uint8Array.from([
  ...new Array<number>(SOURCE_COUNT).fill(0),
  ...DERIVED_COLUMNS.map(([, type]) => (TEXT_TYPES.test(type) ? 1 : 0)),
]);
const FIELDS = IS_TEXT.length;
/** How many fields follow invalid_flag in a row (invalid_reason and raw_line). */
const FLAG_FROM_END = DERIVED_COLUMNS.length - 1 - DERIVED_COLUMNS.findIndex(([c]) => c === 'invalid_flag');

/** Derived columns an invalid row leaves NULL, and those a valid row leaves NULL. */
const NULL_WHEN_INVALID = new Set<string>(DERIVED_COLUMNS.slice(0, -3).map(([c]) => c));
const NULL_WHEN_VALID = new Set<string>(['invalid_reason', 'raw_line']);

interface Shape {
  head: Buffer;
  /** Per TSV field: 1 if this shape leaves it out (it must be \N). */
  skip: Uint8Array;
}

function shape(nulls: Set<string>): Shape {
  const columns = RECORD_COLUMNS.filter((c) => !nulls.has(c));
  return {
    head: Buffer.from(`INSERT INTO health_records (${columns.join(', ')}) VALUES `),
    skip: Uint8Array.from(VALUE_COLUMNS, (c) => (nulls.has(c) ? 1 : 0)),
  };
}

const VALID_SHAPE = shape(NULL_WHEN_VALID);
const INVALID_SHAPE = shape(NULL_WHEN_INVALID);

/** The head of every statement of valid rows, and of invalid rows. */
export const INSERT_HEADS = { valid: VALID_SHAPE.head.toString(), invalid: INVALID_SHAPE.head.toString() };

export interface InsertContext {
  datasetId: number;
  /** Added to a row's number in the chunk to give its id. */
  idOffset: number;
  /** Added to a row's line offset in the chunk to give its line in the file. */
  lineOffset: number;
  runId: number;
  /** 'YYYY-MM-DD HH:MM:SS' (UTC): every row's created_at. */
  createdAt: string;
}

/**
 * The most ids one statement spans (last − first + 1). A retried statement's duplicate check
 * counts its kind of row between its first and last id through the primary key, which reads every
 * row of the span: bounded here well under PlanetScale's 100,000 rows read per query.
 */
export const MAX_ID_SPAN = 50_000;

export interface InsertStatement {
  sql: string;
  /** Whether the statement holds the chunk's invalid rows (else its valid ones). */
  invalid: boolean;
  /** The first and last id of the statement's rows: every row of its kind between them is in it. */
  firstId: number;
  lastId: number;
  rows: number;
}

/** One statement being written, for one kind of row. */
class Builder {
  out: Buffer;
  o = 0;
  rows = 0;
  firstId = 0;
  lastId = 0;
  ascii = true;

  constructor(
    readonly shape: Shape,
    readonly invalid: boolean,
    size: number,
  ) {
    this.out = Buffer.allocUnsafe(size);
    this.start();
  }

  start(): void {
    this.o = this.shape.head.copy(this.out, 0);
    this.rows = 0;
    this.ascii = true;
  }

  room(need: number): void {
    if (this.o + need <= this.out.length) return;
    const grown = Buffer.allocUnsafe(2 * (this.o + need));
    this.out.copy(grown, 0, 0, this.o);
    this.out = grown;
  }

  statement(): InsertStatement {
    const sql = this.out.toString(this.ascii ? 'latin1' : 'utf8', 0, this.o);
    return { sql, invalid: this.invalid, firstId: this.firstId, lastId: this.lastId, rows: this.rows };
  }
}

/**
 * Splits the TSV into INSERT statements of at most `maxBytes` (a row longer than that still gets
 * a statement of its own) and at most `maxRows` rows, valid and invalid rows apart.
 */
export function* insertStatements(
  tsv: Uint8Array,
  ctx: InsertContext,
  maxBytes: number,
  maxRows: number,
): Generator<InsertStatement> {
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(ctx.createdAt)) throw new Error(`Bad created_at ${ctx.createdAt}`);
  const ints = [ctx.datasetId, ctx.idOffset, ctx.lineOffset, ctx.runId];
  if (!ints.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new Error('Bad INSERT offsets');
  const tail = Buffer.from(`,'${ctx.createdAt}')`);
  const lead = Buffer.from(`(${ctx.datasetId},`);
  const fixed = Buffer.from(`,${ctx.runId},`);
  const size = Math.max(maxBytes, 1 << 16) + 65536;
  const valid = new Builder(VALID_SHAPE, false, size);
  const invalid = new Builder(INVALID_SHAPE, true, size);
  let p = 0;
  while (p < tsv.length) {
    let end = p;
    while (tsv[end] !== NL) end++;
    // invalid_flag (one digit) ends at the FLAG_FROM_END-th tab from the row's end (text fields
    // hold no raw tab: LOAD DATA's escapes spell it \t).
    let at = end;
    for (let tabs = 0; tabs < FLAG_FROM_END; ) if (tsv[--at] === TAB) tabs++;
    const b = tsv[at - 1] === ONE ? invalid : valid;
    const { skip } = b.shape;
    // Room for the row: its TSV length doubled (every quote escaped) plus the fixed parts.
    b.room(2 * (end - p) + 256);
    const out = b.out;
    let o = b.o;
    let rowStart = o;
    let lid = 0;
    while (tsv[p] !== TAB) lid = lid * 10 + ((tsv[p++] as number) - 0x30);
    p++;
    let lline = 0;
    while (tsv[p] !== TAB) lline = lline * 10 + ((tsv[p++] as number) - 0x30);
    p++;
    const id = lid + ctx.idOffset;
    if (b.rows > 0 && id - b.firstId >= MAX_ID_SPAN) {
      // A sparse kind (the invalid rows) would span too many ids: its statement ends here.
      yield b.statement();
      b.start();
      o = rowStart = b.o;
    }
    if (b.rows === 0) b.firstId = id;
    if (b.rows > 0) out[o++] = 0x2c; // ,
    let rowAscii = true;
    for (let i = 0; i < lead.length; i++) out[o++] = lead[i] as number;
    o = putUint(out, o, id);
    for (let i = 0; i < fixed.length; i++) out[o++] = fixed[i] as number;
    o = putUint(out, o, lline + ctx.lineOffset);
    for (let f = 0; f < FIELDS; f++) {
      const isNull = tsv[p] === BACKSLASH && tsv[p + 1] === N && (tsv[p + 2] === TAB || tsv[p + 2] === NL);
      if (skip[f]) {
        if (!isNull) throw new Error(`Row ${id}: ${VALUE_COLUMNS[f]} has a value its kind of row cannot have`);
        p += 3;
        continue;
      }
      out[o++] = 0x2c;
      if (isNull) {
        out[o] = 0x4e; // NULL
        out[o + 1] = 0x55;
        out[o + 2] = 0x4c;
        out[o + 3] = 0x4c;
        o += 4;
        p += 3;
        continue;
      }
      if (IS_TEXT[f]) {
        out[o++] = QUOTE;
        for (let c = tsv[p] as number; c !== TAB && c !== NL; c = tsv[++p] as number) {
          if (c === QUOTE) out[o++] = BACKSLASH;
          else if (c > 0x7f) rowAscii = false;
          out[o++] = c;
        }
        out[o++] = QUOTE;
      } else {
        for (let c = tsv[p] as number; c !== TAB && c !== NL; c = tsv[++p] as number) out[o++] = c;
      }
      p++; // the tab or the newline
    }
    for (let i = 0; i < tail.length; i++) out[o++] = tail[i] as number;
    b.o = o;
    if (!rowAscii) b.ascii = false;
    b.rows++;
    const lastBefore = b.lastId;
    b.lastId = id;
    if (o >= maxBytes || b.rows >= maxRows) {
      if (o > maxBytes && b.rows > 1) {
        // This row overflowed the budget: send the statement without it, and start the next with it.
        const row = Buffer.from(out.subarray(rowStart + 1, o));
        b.o = rowStart;
        b.rows--;
        b.lastId = lastBefore;
        yield b.statement();
        b.start();
        b.firstId = id;
        b.lastId = id;
        b.o += row.copy(b.out, b.o);
        b.rows = 1;
        b.ascii = rowAscii;
      } else {
        yield b.statement();
        b.start();
      }
    }
  }
  for (const b of [valid, invalid]) if (b.rows > 0) yield b.statement();
}
