// Turns a chunk's tab-separated rows (as processChunk writes them for LOAD DATA) into multi-row
// INSERT statements for the HTTP path, each under a byte budget. The TSV's escapes (\\ \t \n \r
// \0) are MySQL string-literal escapes too, so text is quoted with only `'` escaped; `\N` is NULL.
import { DERIVED_COLUMNS, RECORD_COLUMNS } from '../schema/columns.ts';
import { putUint } from './tsv-writer.ts';

const TAB = 0x09;
const NL = 0x0a;
const BACKSLASH = 0x5c;
const QUOTE = 0x27;
const N = 0x4e;

/** Which of the TSV's value columns (after @lid and @lline) are text. */
const TEXT_TYPES = /^(ENUM|VARCHAR|TEXT)/;
const SOURCE_COUNT = RECORD_COLUMNS.length - 5 - DERIVED_COLUMNS.length;
const IS_TEXT = Uint8Array.from([
  ...new Array<number>(SOURCE_COUNT).fill(0),
  ...DERIVED_COLUMNS.map(([, type]) => (TEXT_TYPES.test(type) ? 1 : 0)),
]);
const FIELDS = IS_TEXT.length;

export const INSERT_HEAD = `INSERT INTO health_records (${RECORD_COLUMNS.join(', ')}) VALUES `;

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

export interface InsertStatement {
  sql: string;
  firstId: number;
  rows: number;
}

/**
 * Splits the TSV into INSERT statements of at most `maxBytes` (a row longer than that still gets
 * a statement of its own) and at most `maxRows` rows.
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
  const head = Buffer.from(INSERT_HEAD);
  let out = Buffer.allocUnsafe(Math.max(maxBytes, 1 << 16) + 65536);
  let o = 0;
  let rows = 0;
  let firstId = 0;
  // Only a kept source line (raw_line) can hold a byte over 0x7f; an ASCII statement is read as latin1.
  let ascii = true;
  const start = () => {
    o = head.copy(out, 0);
    rows = 0;
    ascii = true;
  };
  const flush = (): InsertStatement => ({ sql: out.toString(ascii ? 'latin1' : 'utf8', 0, o), firstId, rows });
  start();
  let p = 0;
  while (p < tsv.length) {
    const rowStart = o;
    // Room for the row: its TSV length doubled (every quote escaped) plus the fixed parts.
    let end = p;
    while (tsv[end] !== NL) end++;
    const need = 2 * (end - p) + 256;
    if (o + need > out.length) {
      const grown = Buffer.allocUnsafe(2 * (o + need));
      out.copy(grown, 0, 0, o);
      out = grown;
    }
    let lid = 0;
    while (tsv[p] !== TAB) lid = lid * 10 + ((tsv[p++] as number) - 0x30);
    p++;
    let lline = 0;
    while (tsv[p] !== TAB) lline = lline * 10 + ((tsv[p++] as number) - 0x30);
    p++;
    const id = lid + ctx.idOffset;
    if (rows === 0) firstId = id;
    if (rows > 0) out[o++] = 0x2c; // ,
    let rowAscii = true;
    for (let i = 0; i < lead.length; i++) out[o++] = lead[i] as number;
    o = putUint(out, o, id);
    for (let i = 0; i < fixed.length; i++) out[o++] = fixed[i] as number;
    o = putUint(out, o, lline + ctx.lineOffset);
    for (let f = 0; f < FIELDS; f++) {
      out[o++] = 0x2c;
      if (tsv[p] === BACKSLASH && tsv[p + 1] === N && (tsv[p + 2] === TAB || tsv[p + 2] === NL)) {
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
    if (!rowAscii) ascii = false;
    rows++;
    if (o >= maxBytes || rows >= maxRows) {
      if (o > maxBytes && rows > 1) {
        // This row overflowed the budget: send the statement without it, and start the next with it.
        const row = Buffer.from(out.subarray(rowStart + 1, o));
        o = rowStart;
        rows--;
        yield flush();
        start();
        firstId = id;
        o += row.copy(out, o);
        rows = 1;
        ascii = rowAscii;
      } else {
        yield flush();
        start();
      }
    }
  }
  if (rows > 0) yield flush();
}
