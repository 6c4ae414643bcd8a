// The main thread's pass over a file: checksum, header, and byte ranges that start at line starts
// (never inside a quoted field), so chunks processed apart add up to the whole file.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../etl/transform/chunk.ts';
import { csvBlocks } from '../../etl/generate/generator.ts';
import { mergeStats } from '../../etl/write/pool.ts';
import { RangeCutter, RangeFeed, readHead, scanFile } from '../../etl/read/scan.ts';
import { LEGACY_HEADER as OLD_HEADER } from '../../etl/read/header.ts';
import { emptyStats } from '../../etl/transform/chunk.ts';

const dir = mkdtempSync(join(tmpdir(), 'etl-scan-'));

function cut(text: string, chunkBytes: number, blockSize: number) {
  const bytes = Buffer.from(text);
  const cutter = new RangeCutter(0, chunkBytes);
  for (let at = 0; at < bytes.length; at += blockSize) cutter.feed(bytes.subarray(at, at + blockSize), at);
  return cutter.finish(bytes.length).map((r) => text.slice(r.start, r.end));
}

describe('RangeCutter', () => {
  it('cuts just after a newline once the target size is reached, across block edges', () => {
    const text = 'aaaa\nbb\ncccccc\nd\neeeee\n';
    for (const block of [1, 3, 7, 64]) expect(cut(text, 4, block)).toEqual(['aaaa\n', 'bb\ncccccc\n', 'd\neeeee\n']);
    expect(cut(text, 100, 5)).toEqual([text]);
    expect(cut('x\ny', 1, 2)).toEqual(['x\n', 'y']);
  });

  it('starts with small ranges and shrinks the last ones when it knows the size and workers', () => {
    const text = 'x'.repeat(9).concat('\n').repeat(100);
    const sizes: number[] = [];
    const cutter = new RangeCutter(0, 100, (r) => sizes.push(r.end - r.start), text.length, 2);
    cutter.feed(Buffer.from(text), 0);
    cutter.finish(text.length);
    expect(sizes.slice(0, 2)).toEqual([30, 30]); // a quarter of the target, one per worker
    expect(Math.max(...sizes)).toBe(110);
    expect(sizes.slice(-4).every((s) => s <= 30)).toBe(true); // no long tail
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(text.length);
  });

  it('never cuts inside a quoted field, escaped quotes included', () => {
    const text = 'a,"1\n2\n3",b\nc,"x""\ny",d\ne\n';
    for (const block of [1, 2, 5, 100]) {
      const parts = cut(text, 1, block);
      expect(parts).toEqual(['a,"1\n2\n3",b\n', 'c,"x""\ny",d\n', 'e\n']);
    }
  });
});

describe('RangeFeed', () => {
  it('hands out ranges as they are cut, then null past the last, and passes on a failure', async () => {
    const feed = new RangeFeed();
    const second = feed.at(1);
    feed.push({ start: 0, end: 10 });
    feed.push({ start: 10, end: 20 });
    expect(await second).toEqual({ start: 10, end: 20 });
    const third = feed.at(2);
    feed.end();
    expect(await third).toBeNull();
    expect(await feed.at(0)).toEqual({ start: 0, end: 10 });
    const failed = new RangeFeed();
    const waiting = failed.at(0);
    failed.end(new Error('disk gone'));
    await expect(waiting).rejects.toThrow('disk gone');
  });

  it('stops waiting when aborted', async () => {
    const feed = new RangeFeed();
    const abort = new AbortController();
    const waiting = feed.at(0, abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('scanFile and readHead', () => {
  it('hashes the whole file and covers its data with aligned ranges', async () => {
    const file = join(dir, 'gen.csv');
    const bytes = Buffer.concat([...csvBlocks({ rows: 3000, seed: 5 })]);
    writeFileSync(file, bytes);
    const head = await readHead(file);
    expect(head.encoding.encoding).toBe('cp949');
    expect(head.layout.fieldOf).toEqual([...Array(33).keys()]);
    expect(head.avgLineBytes).toBeGreaterThan(60);
    const scan = await scanFile(file, head.dataStart, 16 * 1024);
    expect(scan.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(scan.ranges.length).toBeGreaterThan(10);
    expect(scan.ranges[0]?.start).toBe(head.dataStart);
    expect(scan.ranges.at(-1)?.end).toBe(bytes.length);
    const total = emptyStats();
    scan.ranges.forEach((r, i) => {
      if (i > 0) expect(r.start).toBe(scan.ranges[i - 1]?.end);
      expect(bytes[r.start - 1]).toBe(0x0a);
      const out = processChunk({
        bytes: bytes.subarray(r.start, r.end),
        layout: head.layout,
        encoding: 'cp949',
        atEof: r.end === bytes.length,
        emit: false,
      });
      mergeStats(total, out.stats);
    });
    const whole = processChunk({
      bytes: bytes.subarray(head.dataStart),
      layout: head.layout,
      encoding: 'cp949',
      atEof: true,
      emit: false,
    });
    expect(total).toEqual(whole.stats);
    expect(total.rows).toBe(3000);
  });

  it('reads an older UTF-8 header with BOM and extra columns', async () => {
    const file = join(dir, 'old.csv');
    writeFileSync(file, `\ufeff${OLD_HEADER.join(',')}\r\n`, 'utf8');
    const head = await readHead(file);
    expect(head.encoding).toEqual({ encoding: 'utf8', bomLength: 3, how: 'bom' });
    expect(head.layout.ignored).toEqual(['데이터공개일자', '데이터 기준일자']);
    expect((await scanFile(file, head.dataStart, 1024)).ranges).toEqual([]);
  });

  it('fails at once on an empty file or a file without the NHIS header', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(readHead(empty)).rejects.toThrow(/empty/);
    const noHeader = join(dir, 'noheader.csv');
    writeFileSync(noHeader, '2024,1,11,1,9\n');
    await expect(readHead(noHeader)).rejects.toThrow(/missing 33 of 33 columns.*looks like data/);
  });
});
