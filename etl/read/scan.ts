// Reading a source file before any row is parsed: its header (encoding, layout) and one
// sequential pass that hashes it and cuts it into byte ranges starting at line starts.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { decodeBytes, detectEncoding, type DetectedEncoding, type EncodingOption } from './encoding.ts';
import { HeaderError, mapHeader, splitCsvLine, type HeaderLayout } from './header.ts';

/** A byte range [start, end) of the file, starting at a line start. */
export interface ByteRange {
  start: number;
  end: number;
}

const NL = 0x0a;
const QUOTE = 0x22;
const HEAD_BYTES = 1 << 20;

export interface FileHead {
  size: number;
  encoding: DetectedEncoding;
  names: string[];
  layout: HeaderLayout;
  /** Offset of the first data line. */
  dataStart: number;
  /** Mean bytes per data line in the first MiB (to turn --chunk-rows into bytes). */
  avgLineBytes: number;
}

/** Reads the header line, detects the encoding and maps the columns; fails at once on an unknown layout. */
export async function readHead(path: string, forced: EncodingOption = 'auto'): Promise<FileHead> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.length === 0) throw new HeaderError(`${path} is empty: expected the NHIS header line`, []);
    const nl = head.indexOf(NL);
    if (nl < 0 && size > head.length) throw new HeaderError('No header line in the first MiB of the file', []);
    const encoding = detectEncoding(head.subarray(0, Math.min(head.length, 64 * 1024)), forced);
    let headerEnd = nl < 0 ? head.length : nl;
    if (headerEnd > encoding.bomLength && head[headerEnd - 1] === 0x0d) headerEnd--;
    const text = decodeBytes(head.subarray(encoding.bomLength, headerEnd), encoding.encoding);
    const names = splitCsvLine(text);
    let layout: HeaderLayout;
    try {
      layout = mapHeader(names);
    } catch (err) {
      if (err instanceof HeaderError && text.includes('\ufffd')) {
        throw new HeaderError(
          `${err.message} (the header does not decode as ${encoding.encoding}: check --encoding)`,
          err.missing,
        );
      }
      throw err;
    }
    const dataStart = nl < 0 ? head.length : nl + 1;
    let lines = 0;
    for (let i = head.indexOf(NL, dataStart); i >= 0; i = head.indexOf(NL, i + 1)) lines++;
    const avgLineBytes = lines > 0 ? (head.lastIndexOf(NL) + 1 - dataStart) / lines : 120;
    return { size, encoding, names, layout, dataStart, avgLineBytes };
  } finally {
    await fh.close();
  }
}

export interface FileScan {
  sha256: string;
  size: number;
  /** Consecutive ranges covering [dataStart, size), each starting at a line start. */
  ranges: ByteRange[];
}

/**
 * The ranges of a scan in progress, handed out as they are cut, so workers can start on the
 * first chunks while the main thread still reads (and hashes) the rest of the file.
 */
export class RangeFeed {
  readonly ranges: ByteRange[] = [];
  private ended = false;
  private error: unknown = null;
  private wake: (() => void)[] = [];

  push(range: ByteRange): void {
    this.ranges.push(range);
    this.notify();
  }

  end(error: unknown = null): void {
    this.ended = true;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const w of wake) w();
  }

  /** The i-th range once cut; null when the file has fewer. Rejects if the scan failed. */
  async at(i: number, signal?: AbortSignal): Promise<ByteRange | null> {
    for (;;) {
      if (this.error) throw this.error;
      if (i < this.ranges.length) return this.ranges[i] as ByteRange;
      if (this.ended) return null;
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}

/**
 * Cuts the data into ranges of about `chunkBytes`, each ending just after a newline that is
 * outside double quotes. Whether a byte is inside quotes is the parity of the quotes before it
 * (RFC 4180: a quoted field's quotes, escaped "" included, come in pairs), which only a
 * sequential reader knows: this pass already reads every byte for the checksum, so the
 * alignment costs a memchr per block and one per boundary. Workers then read their own ranges.
 */
export class RangeCutter {
  readonly ranges: ByteRange[] = [];
  private inQuote = false;
  private last: number;
  private target: number;

  private count = 0;

  /**
   * With `fileSize` and `workers`, the first ranges are a quarter of chunkBytes (the database
   * gets work sooner) and the last ones shrink (no long tail on one connection while the others
   * are done).
   */
  constructor(
    dataStart: number,
    private readonly chunkBytes: number,
    private readonly onRange: (range: ByteRange) => void = () => {},
    private readonly fileSize = 0,
    private readonly workers = 0,
  ) {
    this.last = dataStart;
    this.target = dataStart + this.nextSize();
  }

  private nextSize(): number {
    if (!this.fileSize || !this.workers) return this.chunkBytes;
    if (this.count < this.workers) return Math.max(1, this.chunkBytes >> 2);
    const left = this.fileSize - this.last;
    if (left < 2 * this.workers * this.chunkBytes)
      return Math.max(this.chunkBytes >> 3, Math.ceil(left / (2 * this.workers)));
    return this.chunkBytes;
  }

  /** Feeds the block that starts at file offset `at`. */
  feed(block: Uint8Array, at: number): void {
    const len = block.length;
    let i = Math.max(0, this.last - at);
    while (i < len) {
      const q = block.indexOf(QUOTE, i);
      if (this.inQuote) {
        if (q < 0) return;
        this.inQuote = false;
        i = q + 1;
        continue;
      }
      const segEnd = q < 0 ? len : q;
      while (this.target < at + segEnd) {
        const nl = block.indexOf(NL, Math.max(i, this.target - at));
        if (nl < 0 || nl >= segEnd) break;
        this.cut(at + nl + 1);
      }
      if (q < 0) return;
      this.inQuote = true;
      i = q + 1;
    }
  }

  private cut(end: number): void {
    const range = { start: this.last, end };
    this.ranges.push(range);
    this.onRange(range);
    this.last = end;
    this.count++;
    this.target = end + this.nextSize();
  }

  /** Closes the last range at the end of the file. */
  finish(size: number): ByteRange[] {
    if (this.last < size) this.cut(size);
    return this.ranges;
  }
}

/**
 * Reads the file once: hashes it and cuts it into ranges, pushed to `feed` as they are found
 * (the feed ends with the scan). Resolves with the checksum and every range.
 */
export async function scanFile(
  path: string,
  dataStart: number,
  chunkBytes: number,
  signal?: AbortSignal,
  feed?: RangeFeed,
  sizing?: { fileSize: number; workers: number },
): Promise<FileScan> {
  const hash = createHash('sha256');
  const cutter = new RangeCutter(dataStart, chunkBytes, (r) => feed?.push(r), sizing?.fileSize, sizing?.workers);
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(4 << 20);
      let at = 0;
      for (;;) {
        signal?.throwIfAborted();
        const { bytesRead } = await fh.read(buf, 0, buf.length, at);
        if (bytesRead === 0) break;
        const block = buf.subarray(0, bytesRead);
        hash.update(block);
        if (at + bytesRead > dataStart) cutter.feed(block, at);
        at += bytesRead;
      }
      const ranges = cutter.finish(at);
      feed?.end();
      return { sha256: hash.digest('hex'), size: at, ranges };
    } finally {
      await fh.close();
    }
  } catch (err) {
    feed?.end(err);
    throw err;
  }
}
