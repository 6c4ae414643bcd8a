// The pure heart of the ETL: one aligned byte range of the CSV in, its rows validated,
// classified and written as LOAD DATA rows out, with counts. No I/O: runs in a worker or in a test.
import { checkRow, classify, INVALID_REASONS, RISK_GROUPS, RULE_VERSION, AGE_GROUP_MIN, type InvalidReason, type SourceFields } from '../src/risk/index.ts';
import { BAD, EMPTY, parseCell, SOURCE_CELL_TYPES } from './cells.ts';
import { decodeBytes, type SourceEncoding } from './encoding.ts';
import type { HeaderLayout } from './header.ts';
import { SOURCE_COLUMNS, type SourceColumn } from './schema.ts';
import { TsvWriter } from './tsv-writer.ts';

export interface ChunkInput {
  /** Starts at a line start; ends just after a newline, or at the end of the file. */
  bytes: Uint8Array;
  layout: HeaderLayout;
  encoding: SourceEncoding;
  /** The range ends at the end of the file, where a last line may be truncated. */
  atEof: boolean;
  /** Write the LOAD DATA rows (false for --dry-run: validate and count only). */
  emit: boolean;
}

export interface ChunkStats {
  /** Rows stored (valid + invalid): every line that is a row. */
  rows: number;
  /** Newline characters in the range (physical lines, quoted newlines included). */
  lines: number;
  blankLines: number;
  truncatedLines: number;
  valid: number;
  invalid: number;
  /** Invalid rows per INVALID_REASONS index. */
  reasons: number[];
  /** Valid rows and their risk factor sum per aggIndex(age group, risk group). */
  aggRecords: number[];
  aggRiskSum: number[];
}

export interface ChunkOutput {
  /**
   * Tab-separated rows in LOAD_COLUMNS order, each starting with its row number in the chunk
   * (1-based) and the line offset of its first line; null when not emitting.
   */
  tsv: Buffer | null;
  stats: ChunkStats;
}

export const AGE_GROUP_COUNT = 14;
export const aggIndex = (ageGroup: number, riskGroupIndex: number) => (ageGroup - AGE_GROUP_MIN) * RISK_GROUPS.length + riskGroupIndex;
export const AGG_SIZE = AGE_GROUP_COUNT * RISK_GROUPS.length;

export function emptyStats(): ChunkStats {
  return {
    rows: 0,
    lines: 0,
    blankLines: 0,
    truncatedLines: 0,
    valid: 0,
    invalid: 0,
    reasons: new Array<number>(INVALID_REASONS.length).fill(0),
    aggRecords: new Array<number>(AGG_SIZE).fill(0),
    aggRiskSum: new Array<number>(AGG_SIZE).fill(0),
  };
}

const col = (name: SourceColumn) => SOURCE_COLUMNS.findIndex(([, c]) => c === name);
const C = {
  age: col('age_group_code'),
  gender: col('gender_code'),
  height: col('height'),
  weight: col('weight'),
  sbp: col('systolic_bp'),
  dbp: col('diastolic_bp'),
  glucose: col('fasting_glucose'),
  tc: col('total_cholesterol'),
  tg: col('triglycerides'),
  hdl: col('hdl_cholesterol'),
  smoking: col('smoking_status'),
};
const REASON_INDEX = new Map<InvalidReason, number>(INVALID_REASONS.map((r, i) => [r, i]));
const UNPARSEABLE_INDEX = REASON_INDEX.get('UNPARSEABLE') as number;
const NCOL = SOURCE_COLUMNS.length;
const KIND = SOURCE_CELL_TYPES.map((t) => t.kind);
const IS_DEC = Uint8Array.from(SOURCE_CELL_TYPES, (t) => (t.kind === 'dec1' ? 1 : 0));
const MAX = Float64Array.from(SOURCE_CELL_TYPES, (t) => t.max);

const NL = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const SP = 0x20;
const TAB = 0x09;

const bump = (counts: Float64Array, i: number, by: number) => {
  counts[i] = (counts[i] as number) + by;
};

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

export function processChunk(input: ChunkInput): ChunkOutput {
  const { bytes, layout, encoding, atEof, emit } = input;
  const fieldOf = Int32Array.from(layout.fieldOf);
  const fieldCount = layout.fieldCount;
  const n = bytes.length;
  const stats = emptyStats();
  const out = emit ? new TsvWriter(n * 2 + 65536) : null;
  const fs = new Int32Array(fieldCount);
  const fe = new Int32Array(fieldCount);
  const value = new Float64Array(NCOL);
  const reasons = new Float64Array(INVALID_REASONS.length);
  const aggRecords = new Float64Array(AGG_SIZE);
  const aggRiskSum = new Float64Array(AGG_SIZE);
  const fields: SourceFields = {
    ageGroup: null, gender: null, height: null, weight: null, systolicBp: null, diastolicBp: null,
    fastingGlucose: null, totalCholesterol: null, triglycerides: null, hdlCholesterol: null, smokingCode: null,
  };
  const num = (c: number) => {
    const v = value[c] as number;
    return v === EMPTY ? null : v;
  };

  let pos = 0;
  let line = 0; // newlines consumed before `pos`
  while (pos < n) {
    const lineStart = pos;
    const firstLine = line;
    let nf = 0;
    let malformed = false;
    let terminated = false;
    let unterminatedQuote = false;
    let i = pos;
    // Tokenise one record: quotes open only at a field start (RFC 4180) and may hold commas,
    // newlines and doubled quotes.
    for (;;) {
      let s: number;
      let e: number;
      if (i < n && bytes[i] === QUOTE) {
        s = ++i;
        for (;;) {
          while (i < n && bytes[i] !== QUOTE) {
            if (bytes[i] === NL) line++;
            i++;
          }
          if (i >= n) {
            unterminatedQuote = true;
            e = n;
            break;
          }
          if (bytes[i + 1] === QUOTE) {
            i += 2; // an escaped quote: kept in the cell, where no number parser accepts it
            continue;
          }
          e = i++;
          break;
        }
        if (i < n && bytes[i] === CR && bytes[i + 1] === NL) i++;
        if (i < n && bytes[i] !== COMMA && bytes[i] !== NL) {
          malformed = true; // text after a closing quote
          while (i < n && bytes[i] !== COMMA && bytes[i] !== NL) i++;
        }
      } else {
        s = i;
        while (i < n) {
          const c = bytes[i];
          if (c === COMMA || c === NL) break;
          i++;
        }
        e = i;
        if (e > s && bytes[e - 1] === CR && (i >= n || bytes[i] === NL)) e--;
      }
      if (nf < fieldCount) {
        fs[nf] = s;
        fe[nf] = e;
      } else if (!isBlank(bytes, s, e)) malformed = true; // a non-empty cell past the header's columns
      nf++;
      if (i >= n) break;
      if (bytes[i] === COMMA) {
        i++;
        continue;
      }
      terminated = true; // bytes[i] is the newline
      line++;
      i++;
      break;
    }
    pos = i;
    const lineEnd = terminated ? (i - 1 > lineStart && bytes[i - 2] === CR ? i - 2 : i - 1) : i;

    if (nf === 1 && !unterminatedQuote && bytes[lineStart] !== QUOTE && isBlank(bytes, lineStart, lineEnd)) {
      stats.blankLines++;
      continue;
    }
    if (!terminated && (unterminatedQuote || (atEof && nf < fieldCount))) {
      stats.truncatedLines++;
      continue;
    }
    if (nf < fieldCount) malformed = true;

    let bad = malformed;
    for (let c = 0; c < NCOL; c++) {
      const f = fieldOf[c] as number;
      const v = f < nf ? parseCell(bytes, fs[f] as number, fe[f] as number, KIND[c] as 'uint', MAX[c] as number) : EMPTY;
      value[c] = v;
      if (v === BAD) bad = true;
    }

    stats.rows++;
    let check: ReturnType<typeof checkRow> | null = null;
    if (bad) {
      stats.invalid++;
      bump(reasons, UNPARSEABLE_INDEX, 1);
    } else {
      fields.ageGroup = num(C.age);
      fields.gender = num(C.gender);
      fields.height = num(C.height);
      fields.weight = num(C.weight);
      fields.systolicBp = num(C.sbp);
      fields.diastolicBp = num(C.dbp);
      fields.fastingGlucose = num(C.glucose);
      fields.totalCholesterol = num(C.tc);
      fields.triglycerides = num(C.tg);
      fields.hdlCholesterol = num(C.hdl);
      fields.smokingCode = num(C.smoking);
      check = checkRow(fields);
      if (check.valid) stats.valid++;
      else {
        stats.invalid++;
        bump(reasons, REASON_INDEX.get(check.reason) as number, 1);
      }
    }
    const k = check?.valid ? classify(check.measurements) : null;
    if (check?.valid && k) {
      const a = aggIndex(check.ageGroup, RISK_GROUPS.indexOf(k.riskGroup));
      bump(aggRecords, a, 1);
      bump(aggRiskSum, a, k.riskFactorCount);
    }
    if (!out) continue;

    out.ensure(lineEnd - lineStart + 512);
    out.uint(stats.rows);
    out.tab();
    out.uint(firstLine);
    for (let c = 0; c < NCOL; c++) {
      out.tab();
      const v = value[c] as number;
      if (v === EMPTY || v === BAD) out.nullValue();
      else if (IS_DEC[c]) out.tenths(v);
      else out.uint(v);
    }
    if (k) {
      out.tab();
      out.tenths(Math.round(k.bmi * 10));
      const f = k.flags;
      for (const flag of [f.hypertension, f.diabetes, f.highTc, f.highTg, f.lowHdl, f.obesity, f.smoking]) {
        out.tab();
        out.uint(flag ? 1 : 0);
      }
      out.tab();
      out.uint(k.riskFactorCount);
      out.tab();
      out.ascii(k.riskGroup);
      out.tab();
      out.ascii(RULE_VERSION);
      out.ascii('\t0\t\\N\t\\N\n');
    } else {
      for (let d = 0; d < 11; d++) out.ascii('\t\\N');
      out.ascii('\t1\t');
      out.ascii(bad ? 'UNPARSEABLE' : (check as { reason: InvalidReason }).reason);
      out.tab();
      if (bad) out.text(decodeBytes(bytes.subarray(lineStart, lineEnd), encoding));
      else out.nullValue();
      out.newline();
    }
  }
  stats.lines = line;
  stats.reasons = Array.from(reasons);
  stats.aggRecords = Array.from(aggRecords);
  stats.aggRiskSum = Array.from(aggRiskSum);
  return { tsv: out ? out.view() : null, stats };
}
