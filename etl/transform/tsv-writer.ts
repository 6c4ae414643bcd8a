// Writes the tab-separated rows LOAD DATA reads (MariaDB's defaults: FIELDS TERMINATED BY '\t'
// ESCAPED BY '\\', LINES TERMINATED BY '\n', NULL spelled \N). Hot-path helpers take and return
// the write position, so the caller keeps it in a local variable.

const D0 = 0x30;

/** A growable output buffer, reusable across chunks (a worker keeps one). */
export class TsvBuffer {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for n more bytes after `pos` (doubling, so appends stay amortised O(1)). */
  ensure(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    return this.buf;
  }

  /** Escaped UTF-8 text (LOAD DATA's escapes for \\, tab, newline, CR and NUL). */
  text(value: string): void {
    const escaped = value.replace(/[\\\t\n\r\0]/g, (c) =>
      c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0',
    );
    this.ensure(Buffer.byteLength(escaped, 'utf8'));
    this.pos += this.buf.write(escaped, this.pos, 'utf8');
  }

  /** The bytes written so far (a view, valid until the buffer is reused). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** ASCII bytes of a constant, for putBytes. */
export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

export function putBytes(o: Uint8Array, p: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) o[p++] = src[i] as number;
  return p;
}

/** A non-negative integer in decimal (int32 arithmetic below 2^31, the usual case). */
export function putUint(o: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    o[p] = D0 + n;
    return p + 1;
  }
  if (n < 100) {
    const a = (n / 10) | 0;
    o[p] = D0 + a;
    o[p + 1] = D0 + n - a * 10;
    return p + 2;
  }
  if (n < 1000) {
    const a = (n / 100) | 0;
    const r = n - a * 100;
    const b = (r / 10) | 0;
    o[p] = D0 + a;
    o[p + 1] = D0 + b;
    o[p + 2] = D0 + r - b * 10;
    return p + 3;
  }
  let digits = 4;
  for (let x = Math.floor(n / 10000); x > 0; x = Math.floor(x / 10)) digits++;
  let q = p + digits;
  const end = q;
  if (n < 2147483648) {
    let x = n | 0;
    while (x > 0) {
      const y = (x / 10) | 0;
      o[--q] = D0 + x - y * 10;
      x = y;
    }
  } else {
    let x = n;
    while (x > 0) {
      const y = Math.floor(x / 10);
      o[--q] = D0 + x - y * 10;
      x = y;
    }
  }
  return end;
}

/** A value given in tenths, as "-12.3". */
export function putTenths(o: Uint8Array, p: number, t: number): number {
  if (t < 0) {
    o[p++] = 0x2d;
    t = -t;
  }
  const whole = (t / 10) | 0;
  p = putUint(o, p, whole);
  o[p] = 0x2e;
  o[p + 1] = D0 + t - whole * 10;
  return p + 2;
}
