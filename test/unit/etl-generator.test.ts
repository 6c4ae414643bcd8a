// The synthetic NHIS generator: the official header, determinism per seed, streaming with
// backpressure, and shares calibrated to docs/data.md#distributions once the rows go through the
// real rules.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../etl/transform/chunk.ts';
import { csvBlocks, headerLine, writeCsv } from '../../etl/generate/generator.ts';
import { LEGACY_HEADER, mapHeader } from '../../etl/read/header.ts';
import { createRng } from '../../etl/generate/prng.ts';
import { SOURCE_COLUMNS } from '../../etl/schema/columns.ts';
import { INVALID_REASONS, RISK_GROUPS } from '../../src/risk/index.ts';

const bytesOf = (opts: Parameters<typeof csvBlocks>[0]) => Buffer.concat([...csvBlocks(opts)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('generator', () => {
  it('writes the official 2024 header, CP949 by default, CRLF', () => {
    const bytes = bytesOf({ rows: 2 });
    const text = iconv.decode(bytes, 'cp949');
    const [header, first] = text.split('\r\n');
    expect(header).toBe(SOURCE_COLUMNS.map(([k]) => k).join(','));
    expect(header).toBe(headerLine());
    expect(first?.split(',')).toHaveLength(33);
    expect(first?.startsWith('2024,1,')).toBe(true);
    expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(false); // really CP949, not UTF-8
  });

  it('writes UTF-8 (with BOM on request) and the legacy layout', () => {
    expect(bytesOf({ rows: 1, encoding: 'utf8', bom: true }).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const legacy = bytesOf({ rows: 3, encoding: 'utf8', layout: 'legacy', eol: '\n' }).toString('utf8').split('\n');
    expect(legacy[0]).toBe(LEGACY_HEADER.join(','));
    const cells = legacy[1]?.split(',') ?? [];
    expect(cells).toHaveLength(35);
    expect(cells.slice(-2)).toEqual(['2018-12-27', '2017-12-31']);
    const modern = bytesOf({ rows: 3, encoding: 'utf8', eol: '\n' }).toString('utf8').split('\n')[1]?.split(',') ?? [];
    expect([cells[2], cells[3]]).toEqual([modern[3], modern[2]]); // 성별코드 and 시도코드 swapped
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(sha(bytesOf({ rows: 3000, seed: 42 }))).toBe(sha(bytesOf({ rows: 3000, seed: 42 })));
    expect(sha(bytesOf({ rows: 3000, seed: 42 }))).not.toBe(sha(bytesOf({ rows: 3000, seed: 43 })));
    const a = createRng('x');
    const b = createRng('x');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('streams with backpressure into a slow writer', async () => {
    let bytes = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        setImmediate(done);
      },
    });
    const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, slow.writableLength)), 1);
    const result = await writeCsv(slow, { rows: 20_000, seed: 1 });
    clearInterval(watch);
    expect(result.rows).toBe(20_000);
    expect(result.bytes).toBe(bytes);
    expect(maxBuffered).toBeLessThan(1 << 20); // never more than a block or two in flight
  });

  it('lands on the published shares once the rows go through the rules', () => {
    const rows = 60_000;
    const bytes = bytesOf({ rows, seed: 'shares', eol: '\n' });
    const body = bytes.subarray(bytes.indexOf(0x0a) + 1);
    const { stats } = processChunk({
      bytes: body,
      layout: mapHeader(SOURCE_COLUMNS.map(([k]) => k)),
      encoding: 'cp949',
      atEof: true,
      emit: false,
    });
    expect(stats.rows).toBe(rows);
    const validShare = stats.valid / rows;
    expect(validShare).toBeGreaterThan(0.3);
    expect(validShare).toBeLessThan(0.4);
    expect(Math.abs(validShare - 0.34)).toBeLessThan(0.015);
    const byGroup = RISK_GROUPS.map(
      (_, g) => stats.aggRecords.filter((_, i) => i % 3 === g).reduce((a, b) => a + b, 0) / stats.valid,
    );
    expect(byGroup[0]).toBeGreaterThan(0.6); // ZERO_TO_ONE ≈ 64 %
    expect(byGroup[0]).toBeLessThan(0.68);
    expect(byGroup[1]).toBeGreaterThan(0.23); // MULTIPLE ≈ 27 %
    expect(byGroup[1]).toBeLessThan(0.31);
    expect(byGroup[2]).toBeGreaterThan(0.07); // CHD ≈ 9 %
    expect(byGroup[2]).toBeLessThan(0.11);
    // Most invalid rows lack the lipid panel (measured on about one row in three).
    expect(stats.reasons[INVALID_REASONS.indexOf('MISSING_TC')]! / rows).toBeGreaterThan(0.6);
    expect(stats.invalid).toBe(rows - stats.valid);
  });

  it('follows the published age, smoking, waist and missingness patterns', () => {
    const lines = bytesOf({ rows: 40_000, seed: 'dist', encoding: 'utf8', eol: '\n' })
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1);
    const rows = lines.map((l) => l.split(','));
    const col = (name: string) => SOURCE_COLUMNS.findIndex(([, c]) => c === name);
    const share = (pred: (r: string[]) => boolean, among: string[][] = rows) =>
      among.filter(pred).length / among.length;
    expect(share((r) => r[col('age_group_code')] === '9')).toBeCloseTo(0.13, 1);
    expect(share((r) => r[col('age_group_code')] === '5')).toBeCloseTo(0.02, 1);
    expect(share((r) => r[col('smoking_status')] === '1')).toBeCloseTo(0.61, 1);
    expect(share((r) => r[col('smoking_status')] === '3')).toBeCloseTo(0.21, 1);
    const men = rows.filter((r) => r[col('gender_code')] === '1');
    const women = rows.filter((r) => r[col('gender_code')] === '2');
    expect(share((r) => r[col('smoking_status')] === '3', men)).toBeGreaterThan(
      4 * share((r) => r[col('smoking_status')] === '3', women),
    );
    expect(share((r) => r[col('total_cholesterol')] !== '')).toBeGreaterThan(0.28);
    expect(share((r) => r[col('total_cholesterol')] !== '')).toBeLessThan(0.4);
    expect(share((r) => r[col('missing_teeth')] === '')).toBeGreaterThan(0.95);
    expect(rows.some((r) => r[col('waist')] === '999')).toBe(true);
    expect(rows.some((r) => r[col('sight_left')] === '9.9')).toBe(true);
    expect(rows.some((r) => /\.0$/.test(r[col('height')] ?? ''))).toBe(true);
    expect(rows.every((r) => r[col('height')] === '' || Number(r[col('height')]) % 5 === 0)).toBe(true);
    const medianWaist = (age: string) => {
      const w = rows
        .filter((r) => r[col('age_group_code')] === age && r[col('waist')] && r[col('waist')] !== '999')
        .map((r) => Number(r[col('waist')]));
      return w.sort((a, b) => a - b)[w.length >> 1] as number;
    };
    expect(Math.abs(medianWaist('5') - 73)).toBeLessThan(2);
    expect(Math.abs(medianWaist('15') - 84)).toBeLessThan(2);
  });
});
