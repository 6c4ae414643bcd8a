// The pure heart of the ETL: one aligned byte range of the CSV in, its rows validated,
// classified and written as LOAD DATA rows out, with counts. No I/O: runs in a worker or in a test.
import {
  AGE_GROUP_MIN,
  checkRow,
  classify,
  INVALID_REASONS,
  RISK_GROUPS,
  RULE_VERSION,
  type InvalidReason,
  type RowCheck,
  type SourceFields,
} from '../../src/risk/index.ts';
import { BAD as BAD_CELL, EMPTY as EMPTY_CELL, SOURCE_CELL_TYPES } from '../read/cells.ts';

// Hot-loop constants as module-local values (an imported binding is re-read on every use).
const BAD = BAD_CELL;
const EMPTY = EMPTY_CELL;
import { RecordReader } from '../read/csv-record.ts';
import { decodeBytes, type SourceEncoding } from '../read/encoding.ts';
import type { HeaderLayout } from '../read/header.ts';
import { SOURCE_COLUMNS, type SourceColumn } from '../schema/columns.ts';
import { ascii, putBytes, putTenths, putUint, TsvBuffer } from './tsv-writer.ts';

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
   * Tab-separated rows in LOAD_COLUMNS order (etl/write/load-data-sql.ts), each starting with its row number in
   * the chunk (1-based) and the line offset of its first line; null when not emitting. A view of
   * the scratch buffer when one is passed: valid until that buffer is used again.
   */
  tsv: Buffer | null;
  stats: ChunkStats;
  /**
   * The valid rows, as pairs [row number in the chunk (1-based), packed filters] (see
   * packFilters): what the /records page index needs, so it is built without scanning the table.
   * Owns its ArrayBuffer, so a worker can transfer it.
   */
  validRows: Uint32Array;
}

/** age group << 3 | (gender − 1) << 2 | risk group index. */
export const packFilters = (ageGroup: number, gender: number, group: number) =>
  (ageGroup << 3) | ((gender - 1) << 2) | group;
export const unpackFilters = (packed: number) => ({
  ageGroup: packed >> 3,
  gender: ((packed >> 2) & 1) + 1,
  group: packed & 3,
});

export const aggIndex = (ageGroup: number, riskGroupIndex: number) =>
  (ageGroup - AGE_GROUP_MIN) * RISK_GROUPS.length + riskGroupIndex;
export const AGG_SIZE = 14 * RISK_GROUPS.length;

export function emptyStats(): ChunkStats {
  const zeros = (n: number) => new Array<number>(n).fill(0);
  return {
    rows: 0,
    lines: 0,
    blankLines: 0,
    truncatedLines: 0,
    valid: 0,
    invalid: 0,
    reasons: zeros(INVALID_REASONS.length),
    aggRecords: zeros(AGG_SIZE),
    aggRiskSum: zeros(AGG_SIZE),
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
const NCOL = SOURCE_COLUMNS.length;
const KIND = SOURCE_CELL_TYPES.map((t) => t.kind);
const IS_DEC = Uint8Array.from(SOURCE_CELL_TYPES, (t) => (t.kind === 'dec1' ? 1 : 0));
const MAX = Float64Array.from(SOURCE_CELL_TYPES, (t) => t.max);
const REASON_INDEX = new Map<InvalidReason, number>(INVALID_REASONS.map((r, i) => [r, i]));
const UNPARSEABLE = INVALID_REASONS.indexOf('UNPARSEABLE');
const TAB = 0x09;
const NL = 0x0a;
const NULL_VALUE = ascii('\\N');
const GROUP_BYTES = RISK_GROUPS.map((g) => ascii(`\t${g}\t${RULE_VERSION}\t0\t\\N\t\\N\n`));
const REASON_BYTES = INVALID_REASONS.map((r) => ascii(`${'\t\\N'.repeat(11)}\t1\t${r}\t`));
const bump = (counts: Float64Array, i: number, by: number) => {
  counts[i] = (counts[i] as number) + by;
};

/**
 * Parses, validates (checkRow), classifies (classify) and writes every row of the range. Pass a
 * scratch TsvBuffer to reuse its memory across chunks.
 */
export function processChunk(input: ChunkInput, scratch?: TsvBuffer): ChunkOutput {
  const { bytes, layout, encoding, atEof, emit } = input;
  const fieldOf = Int32Array.from(layout.fieldOf);
  const fieldCount = layout.fieldCount;
  const n = bytes.length;
  const stats = emptyStats();
  const out = emit ? (scratch ?? new TsvBuffer(n * 2 + 65536)) : null;
  if (out) out.pos = 0;
  const rec = new RecordReader(fieldCount);
  const value = new Float64Array(NCOL);
  const reasons = new Float64Array(INVALID_REASONS.length);
  const aggRecords = new Float64Array(AGG_SIZE);
  const aggRiskSum = new Float64Array(AGG_SIZE);
  let valid = new Uint32Array(4096);
  let nValid = 0;
  const fields: SourceFields = {
    ageGroup: null,
    gender: null,
    height: null,
    weight: null,
    systolicBp: null,
    diastolicBp: null,
    fastingGlucose: null,
    totalCholesterol: null,
    triglycerides: null,
    hdlCholesterol: null,
    smokingCode: null,
  };
  const num = (c: number) => {
    const v = value[c] as number;
    return v === EMPTY ? null : v;
  };

  let pos = 0;
  while (pos < n) {
    const firstLine = rec.newlines;
    pos = rec.read(bytes, pos);
    if (rec.isBlankLine(bytes)) {
      stats.blankLines++;
      continue;
    }
    if (!rec.terminated && (rec.unterminatedQuote || (atEof && rec.fields < fieldCount))) {
      stats.truncatedLines++;
      continue;
    }
    // A short record mid-file is a row, but a malformed one.
    let bad = rec.malformed || rec.fields < fieldCount;
    for (let c = 0; c < NCOL; c++) {
      const v = rec.value(bytes, fieldOf[c] as number, KIND[c] as 'uint', MAX[c] as number);
      value[c] = v;
      if (v === BAD) bad = true;
    }
    stats.rows++;
    let check: RowCheck | null = null;
    if (bad) bump(reasons, UNPARSEABLE, 1);
    else {
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
      if (!check.valid) bump(reasons, REASON_INDEX.get(check.reason) as number, 1);
    }
    const k = check?.valid ? classify(check.measurements) : null;
    let group = -1;
    if (k && check?.valid) {
      stats.valid++;
      group = RISK_GROUPS.indexOf(k.riskGroup);
      const a = aggIndex(check.ageGroup, group);
      bump(aggRecords, a, 1);
      bump(aggRiskSum, a, k.riskFactorCount);
      if (nValid + 2 > valid.length) {
        const grown = new Uint32Array(valid.length * 2);
        grown.set(valid);
        valid = grown;
      }
      valid[nValid++] = stats.rows;
      valid[nValid++] = packFilters(check.ageGroup, check.gender, group);
    } else stats.invalid++;
    if (!out) continue;

    const o = out.ensure(rec.lineEnd - rec.lineStart + 640);
    let p = putUint(o, out.pos, stats.rows);
    o[p++] = TAB;
    p = putUint(o, p, firstLine);
    for (let c = 0; c < NCOL; c++) {
      const v = value[c] as number;
      if (v === EMPTY || v === BAD) {
        o[p] = TAB;
        o[p + 1] = 0x5c; // \N
        o[p + 2] = 0x4e;
        p += 3;
      } else {
        o[p++] = TAB;
        p = IS_DEC[c] ? putTenths(o, p, v) : putUint(o, p, v);
      }
    }
    if (k) {
      const f = k.flags;
      o[p] = TAB;
      p = putTenths(o, p + 1, Math.round(k.bmi * 10));
      o[p] = TAB;
      o[p + 1] = f.hypertension ? 0x31 : 0x30;
      o[p + 2] = TAB;
      o[p + 3] = f.diabetes ? 0x31 : 0x30;
      o[p + 4] = TAB;
      o[p + 5] = f.highTc ? 0x31 : 0x30;
      o[p + 6] = TAB;
      o[p + 7] = f.highTg ? 0x31 : 0x30;
      o[p + 8] = TAB;
      o[p + 9] = f.lowHdl ? 0x31 : 0x30;
      o[p + 10] = TAB;
      o[p + 11] = f.obesity ? 0x31 : 0x30;
      o[p + 12] = TAB;
      o[p + 13] = f.smoking ? 0x31 : 0x30;
      o[p + 14] = TAB;
      p = putUint(o, p + 15, k.riskFactorCount);
      out.pos = putBytes(o, p, GROUP_BYTES[group] as Uint8Array);
    } else {
      out.pos = putBytes(
        o,
        p,
        REASON_BYTES[
          bad ? UNPARSEABLE : (REASON_INDEX.get((check as { reason: InvalidReason }).reason) as number)
        ] as Uint8Array,
      );
      if (bad) out.text(decodeBytes(bytes.subarray(rec.lineStart, rec.lineEnd), encoding));
      else out.pos = putBytes(out.buf, out.pos, NULL_VALUE);
      out.buf[out.pos++] = NL;
    }
  }
  stats.lines = rec.newlines;
  stats.reasons = Array.from(reasons);
  stats.aggRecords = Array.from(aggRecords);
  stats.aggRiskSum = Array.from(aggRiskSum);
  return { tsv: out ? out.view() : null, stats, validRows: valid.slice(0, nValid) };
}
