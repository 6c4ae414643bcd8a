// A growable byte buffer that writes the tab-separated rows LOAD DATA reads (MariaDB's default
// FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n', NULL spelled \N).

const TAB = 0x09;
const NL = 0x0a;
const BACKSLASH = 0x5c;
const D0 = 0x30;

export class TsvWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  /** Makes room for n more bytes (doubling, so appends stay amortised O(1)). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  tab(): void {
    this.buf[this.pos++] = TAB;
  }

  newline(): void {
    this.buf[this.pos++] = NL;
  }

  nullValue(): void {
    this.buf[this.pos++] = BACKSLASH;
    this.buf[this.pos++] = 0x4e; // 'N'
  }

  /** Copies bytes verbatim (the caller knows they need no escaping). */
  bytes(src: Uint8Array, start: number, end: number): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) b[p++] = src[i] as number;
    this.pos = p;
  }

  /** A non-negative integer in decimal. */
  uint(n: number): void {
    const b = this.buf;
    if (n < 10) {
      b[this.pos++] = D0 + n;
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      b[--p] = D0 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** A value given in tenths, as "-12.3". */
  tenths(t: number): void {
    if (t < 0) {
      this.buf[this.pos++] = 0x2d;
      t = -t;
    }
    this.uint(Math.floor(t / 10));
    this.buf[this.pos++] = 0x2e;
    this.buf[this.pos++] = D0 + (t % 10);
  }

  /** ASCII text without characters that need escaping (reason codes, enum names). */
  ascii(text: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < text.length; i++) b[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, UTF-8 encoded, with LOAD DATA's escapes for \\, tab, newline, CR and NUL. */
  text(value: string): void {
    const escaped = value.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'));
    this.ensure(Buffer.byteLength(escaped, 'utf8'));
    this.pos += this.buf.write(escaped, this.pos, 'utf8');
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
