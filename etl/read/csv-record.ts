// The CSV tokenizer on raw bytes (CP949 and UTF-8 alike: neither puts ',', '"', CR or LF inside a
// multi-byte character). One pass per record finds the fields and reads plain numbers on the way.
import { BAD as BAD_CELL, EMPTY as EMPTY_CELL, parseCell } from './cells.ts';

// Hot-loop constants as module-local values (an imported binding is re-read on every use).
const BAD = BAD_CELL;
const EMPTY = EMPTY_CELL;

const NL = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const DOT = 0x2e;
const SP = 0x20;
const TAB = 0x09;

/** Field states: empty, a plain number read during the scan, or anything else (parseCell decides). */
export const F_EMPTY = 0;
export const F_NUMBER = 1;
export const F_OTHER = 2;

export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** One record's fields, in reusable typed arrays (no allocation per row). */
export class RecordReader {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly state: Uint8Array;
  /** F_NUMBER: the digits before the dot, and the first digit after it (later ones are zeros). */
  readonly int: Float64Array;
  readonly tenth: Uint8Array;
  /** Fields in the record (may exceed the capacity; extra ones are only checked for emptiness). */
  fields = 0;
  /** A non-empty field beyond the capacity, or text after a closing quote. */
  malformed = false;
  terminated = false;
  unterminatedQuote = false;
  /** Newlines consumed (quoted ones included). */
  newlines = 0;
  lineStart = 0;
  /** End of the record's text, line terminator excluded. */
  lineEnd = 0;

  constructor(private readonly capacity: number) {
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.int = new Float64Array(capacity);
    this.tenth = new Uint8Array(capacity);
  }

  /** Reads the record starting at `pos`; returns the position after it. */
  read(bytes: Uint8Array, pos: number): number {
    const n = bytes.length;
    const cap = this.capacity;
    let nf = 0;
    let i = pos;
    this.lineStart = pos;
    this.malformed = false;
    this.terminated = false;
    this.unterminatedQuote = false;
    for (;;) {
      let s = i;
      let e: number;
      let state = F_OTHER;
      let v = 0;
      let tenth = 0;
      if (i < n && bytes[i] === QUOTE) {
        // Quotes open only at a field start (RFC 4180); they may hold commas, newlines and "".
        s = ++i;
        for (;;) {
          while (i < n && bytes[i] !== QUOTE) {
            if (bytes[i] === NL) this.newlines++;
            i++;
          }
          if (i >= n) {
            this.unterminatedQuote = true;
            break;
          }
          if (bytes[i + 1] === QUOTE) i += 2;
          else break;
        }
        e = i;
        if (i < n) i++; // the closing quote
        if (i < n && bytes[i] === CR && bytes[i + 1] === NL) i++;
        if (i < n && bytes[i] !== COMMA && bytes[i] !== NL) {
          this.malformed = true;
          while (i < n && bytes[i] !== COMMA && bytes[i] !== NL) i++;
        }
        if (e === s) state = F_EMPTY;
      } else {
        // Unquoted: find the end and read a plain number ("170", "170.0", "0.8") in one pass.
        let digits = 0;
        let dot = 0;
        let plain = true;
        while (i < n) {
          const c = bytes[i] as number;
          if (c === COMMA || c === NL) break;
          const d = c - 0x30;
          if (d >= 0 && d <= 9) {
            if (dot === 0) {
              v = v * 10 + d;
              digits++;
            } else if (dot === 1) {
              tenth = d;
              dot = 2;
              digits++;
            } else if (d !== 0) plain = false;
          } else if (c === DOT && dot === 0) dot = 1;
          else if (!(c === CR && (i + 1 === n || bytes[i + 1] === NL))) plain = false;
          i++;
        }
        e = i;
        if (e > s && bytes[e - 1] === CR && (i >= n || bytes[i] === NL)) e--;
        if (e === s) state = F_EMPTY;
        else if (plain && digits > 0 && digits <= 12) state = F_NUMBER;
      }
      if (nf < cap) {
        this.start[nf] = s;
        this.end[nf] = e;
        this.state[nf] = state;
        this.int[nf] = v;
        this.tenth[nf] = tenth;
      } else if (state !== F_EMPTY && !isBlank(bytes, s, e)) this.malformed = true;
      nf++;
      if (i >= n) break;
      if (bytes[i] === COMMA) {
        i++;
        continue;
      }
      this.terminated = true; // bytes[i] is the newline
      this.newlines++;
      i++;
      break;
    }
    this.fields = nf;
    this.lineEnd = this.terminated ? (i - 2 >= pos && bytes[i - 2] === CR ? i - 2 : i - 1) : i;
    return i;
  }

  /** A blank line: one unquoted field of blanks. */
  isBlankLine(bytes: Uint8Array): boolean {
    return (
      this.fields === 1 &&
      !this.unterminatedQuote &&
      bytes[this.lineStart] !== QUOTE &&
      isBlank(bytes, this.lineStart, this.lineEnd)
    );
  }

  /**
   * Field f as a value of a column of `kind` holding at most `max` (integer, or tenths for
   * DECIMAL(p,1)): the number read during the scan, else parseCell's verdict; EMPTY or BAD.
   */
  value(bytes: Uint8Array, f: number, kind: 'uint' | 'dec1', max: number): number {
    if (f >= this.fields) return EMPTY;
    const state = this.state[f];
    if (state === F_EMPTY) return EMPTY;
    if (state === F_OTHER) return parseCell(bytes, this.start[f] as number, this.end[f] as number, kind, max);
    const int = this.int[f] as number;
    const tenth = this.tenth[f] as number;
    if (kind === 'uint') return tenth === 0 && int <= max ? int : BAD;
    const tenths = int * 10 + tenth;
    return tenths <= max ? tenths : BAD;
  }
}
