// Deterministic inputs for the micro-benchmarks that only they use: generated CSV lines. Rows,
// measurements and /simulate bodies, which the load tests send too, are in loadkit/inputs.ts.
import { csvBlocks, headerLine } from '../../etl/generate/generator.ts';
import { INPUTS_SEED } from '../../loadkit/inputs.ts';

/** `n` generated CSV data lines (UTF-8, the official header's columns) and that header. */
export function csvLines(n: number): { header: string; bytes: Uint8Array } {
  const blocks = [...csvBlocks({ rows: n, seed: INPUTS_SEED, encoding: 'utf8', eol: '\n' })].slice(1);
  return { header: headerLine(), bytes: new Uint8Array(Buffer.concat(blocks)) };
}
