// The run summary renderer: a pure function of the summary, checked line by line.
import { describe, expect, it } from 'vitest';
import { renderSummary, type EtlSummary } from '../../etl/report/summary.ts';

const SUMMARY: EtlSummary = {
  status: 'loaded',
  message: 'nhis.csv is now the dataset of nhis (run #7)',
  runId: 7,
  mode: 'auto',
  target: 'PlanetScale https://aws.connect.psdb.cloud',
  file: {
    path: 'nhis.csv',
    bytes: 95_232_133,
    sha256: 'b5d43fcf6b93aa',
    encoding: 'cp949',
    encodingHow: 'not-utf8',
    ignoredColumns: ['데이터공개일자'],
  },
  rows: {
    read: 1_000_000,
    valid: 338_398,
    invalid: 661_602,
    invalidByReason: { RANGE_TG: 2122, MISSING_TC: 650_765, UNPARSEABLE: 0 },
    blankLines: 2,
    truncatedLines: 1,
  },
  dataset: { id: 12, generation: 31, total: 1_000_000, valid: 338_398, invalid: 661_602, files: 1 },
  timingsMs: { header: 10, checksum: 230, load: 8970 },
  workerMs: { read: 110, parse: 2960, wait: 70, load: 11770 },
  totalMs: 9600,
  rowsPerSecond: 104_166.6,
  peakRssMb: 221.4,
  workers: 2,
  chunks: 32,
  chunkBytes: 4 << 20,
  cache: null,
  retries: 3,
};

describe('renderSummary', () => {
  it('reports rows, reasons by count, lines counted apart, throughput and phases', () => {
    const lines = renderSummary(SUMMARY).split('\n');
    expect(lines[0]).toBe('ETL loaded: nhis.csv is now the dataset of nhis (run #7)');
    expect(lines).toContain('  rows read   1,000,000  valid 338,398 (33.8 %)  invalid 661,602 (66.2 %)');
    expect(lines).toContain('  invalid by reason  MISSING_TC 650,765, RANGE_TG 2,122');
    expect(lines).toContain('  not rows    blank lines 2, truncated lines 1 (counted, not stored)');
    expect(lines).toContain('  ignored columns  데이터공개일자');
    expect(lines).toContain(
      '  throughput  104,167 rows/s over 9.60 s; peak RSS 221 MB; 2 workers, 32 chunks of ~4.0 MiB',
    );
    expect(lines).toContain('  phases      header 0.01 s, checksum 0.23 s, load 8.97 s');
    expect(lines).toContain(
      '  dataset     #12 (generation 31): 1,000,000 rows (338,398 valid) from 1 file(s) in PlanetScale https://aws.connect.psdb.cloud',
    );
    expect(lines).toContain('  retries     3 statement(s) retried after a transient error');
  });

  it('says only why for an unchanged or refused run', () => {
    expect(renderSummary({ ...SUMMARY, status: 'unchanged', message: 'already the current dataset' })).toBe(
      'ETL unchanged: already the current dataset',
    );
  });
});
