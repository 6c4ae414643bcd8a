// CSV chunk parsing: the ETL's pure chunk function (etl/chunk.ts processChunk) over 10,000
// generated lines, validating, classifying and writing the LOAD DATA rows as the workers do.
import { processChunk } from '../../etl/transform/chunk.ts';
import { mapHeader, splitCsvLine } from '../../etl/read/header.ts';
import { csvLines } from './fixtures.ts';
import type { MicroTask } from './task.ts';

export const CHUNK_LINES = 10_000;

export function csvTasks(): MicroTask[] {
  const { header, bytes } = csvLines(CHUNK_LINES);
  const layout = mapHeader(splitCsvLine(header));
  const input = { bytes, layout, encoding: 'utf8' as const, atEof: true };
  return [
    {
      id: 'csv.chunk',
      label: `\`processChunk\`: ${CHUNK_LINES.toLocaleString('en-US')} lines → LOAD DATA rows`,
      group: 'csv',
      fn: () => processChunk({ ...input, emit: true }),
      unitsPerCall: CHUNK_LINES,
      unit: 'rows',
    },
    {
      id: 'csv.chunk-dry',
      label: `\`processChunk\`: ${CHUNK_LINES.toLocaleString('en-US')} lines, validate and count only`,
      group: 'csv',
      fn: () => processChunk({ ...input, emit: false }),
      unitsPerCall: CHUNK_LINES,
      unit: 'rows',
    },
  ];
}
