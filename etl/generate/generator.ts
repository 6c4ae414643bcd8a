// Streams a synthetic NHIS 건강검진 CSV (official 2024 header, CP949 by default) of any size in
// constant memory, deterministic for a seed. The row model lives in generator-model.ts.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import iconv from 'iconv-lite';
import { LEGACY_HEADER, mapHeader } from '../read/header.ts';
import { createRng } from './prng.ts';
import { synthRow } from './generator-model.ts';
import { SOURCE_COLUMNS } from '../schema/columns.ts';

export type OutputEncoding = 'cp949' | 'utf8';

export interface GenerateOptions {
  rows: number;
  /** Any string or number; the same seed gives the same bytes. Default 'nhis'. */
  seed?: string | number;
  encoding?: OutputEncoding;
  /** 기준년도 column value. Default 2024. */
  year?: number;
  /** Line ending: the published files use CRLF. Default '\r\n'. */
  eol?: '\r\n' | '\n';
  /** Write a UTF-8 byte-order mark (utf8 only). Default false. */
  bom?: boolean;
  /** First 가입자일련번호. Default 1. */
  firstSubscriber?: number;
  /** '2024' (default): the official 33 columns; 'legacy': an older year's order, spellings and extra columns. */
  layout?: '2024' | 'legacy';
}

export interface GenerateResult {
  rows: number;
  bytes: number;
}

const ROWS_PER_BLOCK = 2000;

export function headerLine(layout: '2024' | 'legacy' = '2024'): string {
  return (layout === 'legacy' ? LEGACY_HEADER : SOURCE_COLUMNS.map(([korean]) => korean)).join(',');
}

/** Reorders a row's cells (SOURCE_COLUMNS order) into the legacy layout, with its extra columns. */
function legacyRow(): (cells: string[]) => string[] {
  const { fieldOf, fieldCount } = mapHeader(LEGACY_HEADER);
  const extras = ['2018-12-27', '2017-12-31'];
  return (cells) => {
    const out = new Array<string>(fieldCount);
    fieldOf.forEach((f, c) => (out[f] = cells[c] as string));
    for (let f = 0, e = 0; f < fieldCount; f++) if (out[f] === undefined) out[f] = extras[e++] ?? '';
    return out;
  };
}

/** Encodes text; CP949 through iconv-lite. */
export function encodeText(text: string, encoding: OutputEncoding): Buffer {
  return encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'cp949');
}

/** The file as a sequence of byte blocks: header first, then ROWS_PER_BLOCK rows at a time. */
export function* csvBlocks(opts: GenerateOptions): Generator<Buffer> {
  const encoding = opts.encoding ?? 'cp949';
  const eol = opts.eol ?? '\r\n';
  const rng = createRng(opts.seed ?? 'nhis');
  const year = opts.year ?? 2024;
  const first = opts.firstSubscriber ?? 1;
  const bom = encoding === 'utf8' && opts.bom ? '\ufeff' : '';
  const reorder = opts.layout === 'legacy' ? legacyRow() : (cells: string[]) => cells;
  yield encodeText(bom + headerLine(opts.layout) + eol, encoding);
  for (let start = 0; start < opts.rows; start += ROWS_PER_BLOCK) {
    const end = Math.min(opts.rows, start + ROWS_PER_BLOCK);
    let text = '';
    for (let i = start; i < end; i++) text += reorder(synthRow(rng, first + i, year)).join(',') + eol;
    // Data rows are pure ASCII (numbers, commas), whose bytes are identical in CP949 and
    // UTF-8, so they skip the transcoder: only the header needs iconv-lite.
    yield Buffer.from(text, 'latin1');
  }
}

/** Writes the CSV to a stream, waiting on 'drain' (backpressure) so memory stays flat. */
export async function writeCsv(out: Writable, opts: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isInteger(opts.rows) || opts.rows < 0)
    throw new Error(`rows must be a non-negative integer, got ${opts.rows}`);
  let bytes = 0;
  for (const block of csvBlocks(opts)) {
    bytes += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  return { rows: opts.rows, bytes };
}

/** Generates FILE; resolves once it is flushed and closed. */
export async function generateFile(path: string, opts: GenerateOptions): Promise<GenerateResult> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const result = await Promise.race([writeCsv(out, opts), failed]);
  out.end();
  await Promise.race([once(out, 'close'), failed]);
  return result;
}
