// The ETL's heap bounds. A worker thread's: room for its code and for what the settings keep in
// flight (the statements' text, JSON bodies and requests), so a larger --statement-bytes,
// --concurrency or --chunk-bytes never meets a bound sized for the defaults. The main thread's:
// the flags `npm run etl` starts it with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETL_DEFAULTS, ETL_NODE_FLAGS } from '../../etl/options.ts';
import { workerExecArgv, workerOldSpaceMb } from '../../etl/write/pool.ts';

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

describe('ETL_NODE_FLAGS', () => {
  it('are the flags `npm run etl` starts the CLI with', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.etl).toBe(`node ${ETL_NODE_FLAGS.join(' ')} --import tsx etl/cli.ts`);
  });
});

describe('workerExecArgv', () => {
  it('leaves out the tsx loader and the heap flags a worker thread refuses, and keeps the rest', () => {
    expect(
      workerExecArgv([
        ...ETL_NODE_FLAGS,
        '--import',
        'tsx',
        '--max-old-space-size',
        '512',
        '--cpu-prof',
        '--cpu-prof-dir',
        '/tmp/p',
        '--enable-source-maps',
      ]),
    ).toEqual(['--cpu-prof', '--cpu-prof-dir', '/tmp/p', '--enable-source-maps']);
  });
});
