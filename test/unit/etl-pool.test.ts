// A worker thread's heap bound: room for its code and for what the settings keep in flight (the
// statements' text, JSON bodies and requests), so a larger --statement-bytes, --concurrency or
// --chunk-bytes never meets a bound sized for the defaults.
import { describe, expect, it } from 'vitest';
import { ETL_DEFAULTS } from '../../etl/options.ts';
import { workerOldSpaceMb } from '../../etl/write/pool.ts';

const MiB = 1 << 20;

describe('workerOldSpaceMb', () => {
  it('is under 50 MB with the defaults', () => {
    expect(workerOldSpaceMb(ETL_DEFAULTS)).toBe(46);
  });

  it('leaves six copies of each statement in flight, and two of a chunk, above the base', () => {
    const base = workerOldSpaceMb({ chunkBytes: 0, statementBytes: 0, concurrency: 1 });
    expect(workerOldSpaceMb({ chunkBytes: 0, statementBytes: 16 * MiB, concurrency: 4 }) - base).toBe(384);
    expect(workerOldSpaceMb({ chunkBytes: 64 * MiB, statementBytes: 0, concurrency: 1 }) - base).toBe(128);
  });
});
