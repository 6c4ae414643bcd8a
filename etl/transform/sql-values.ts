// Turns a chunk's tab-separated rows (as processChunk writes them for LOAD DATA) into multi-row
// INSERT statements for the HTTP path, each under a byte budget. The TSV's escapes (\\ \t \n \r
// \0) are MySQL string-literal escapes too, so text is quoted with only `'` escaped; `\N` is NULL.
import { DERIVED_COLUMNS, RECORD_COLUMNS } from '../schema/columns.ts';

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

function readUint(tsv: Uint8Array, p: number): [value: number, next: number] {
  let v = 0;
  while (tsv[p] !== TAB) v = v * 10 + ((tsv[p++] as number) - 0x30);
  return [v, p + 1];
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
  const tail = Buffer.from(`,'${ctx.createdAt}')`);
  const fixed = Buffer.from(`,${ctx.runId},`);
  const head = Buffer.from(INSERT_HEAD);
  let out = Buffer.allocUnsafe(Math.max(maxBytes, 1 << 16) + 65536);
  let o = 0;
  let rows = 0;
  let firstId = 0;
  const start = () => {
    o = head.copy(out, 0);
    rows = 0;
  };
  const flush = (): InsertStatement => ({ sql: out.toString('utf8', 0, o), firstId, rows });
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
    let lid: number;
    let lline: number;
    [lid, p] = readUint(tsv, p);
    [lline, p] = readUint(tsv, p);
    const id = lid + ctx.idOffset;
    if (rows === 0) firstId = id;
    if (rows > 0) out[o++] = 0x2c; // ,
    o += out.write(`(${ctx.datasetId},${id}`, o, 'latin1');
    o += fixed.copy(out, o);
    o += out.write(String(lline + ctx.lineOffset), o, 'latin1');
    for (let f = 0; f < FIELDS; f++) {
      out[o++] = 0x2c;
      if (tsv[p] === BACKSLASH && tsv[p + 1] === N && (tsv[p + 2] === TAB || tsv[p + 2] === NL)) {
        o += out.write('NULL', o, 'latin1');
        p += 3;
        continue;
      }
      if (IS_TEXT[f]) {
        out[o++] = QUOTE;
        for (let c = tsv[p] as number; c !== TAB && c !== NL; c = tsv[++p] as number) {
          if (c === QUOTE) out[o++] = BACKSLASH;
          out[o++] = c;
        }
        out[o++] = QUOTE;
      } else {
        for (let c = tsv[p] as number; c !== TAB && c !== NL; c = tsv[++p] as number) out[o++] = c;
      }
      p++; // the tab or the newline
    }
    o += tail.copy(out, o);
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
      } else {
        yield flush();
        start();
      }
    }
  }
  if (rows > 0) yield flush();
}
