// The command lines' shared kit: option checks that name the option, the range and the value.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choiceOption, intOption, UsageError, writeAtomic } from '../../kit/cli.ts';

describe('kit/cli', () => {
  it('intOption: absent is undefined; out of range or not an integer is a UsageError naming all three', () => {
    expect(intOption(undefined, '--rows', 1)).toBeUndefined();
    expect(intOption('1000', '--rows', 1)).toBe(1000);
    expect(() => intOption('0', '--rows', 1)).toThrow(new UsageError("--rows must be an integer ≥ 1, got '0'"));
    expect(() => intOption('2.5', '--port', 1, 65535)).toThrow("--port must be an integer from 1 to 65,535, got '2.5'");
    expect(() => intOption('x', '--port', 1, 65535)).toThrow(UsageError);
  });

  it('choiceOption: one of the choices, else a UsageError listing them', () => {
    expect(choiceOption('workerd', '--runtime', ['miniflare', 'workerd'])).toBe('workerd');
    expect(() => choiceOption('node', '--runtime', ['both', 'workerd', 'miniflare'])).toThrow(
      "--runtime must be both, workerd or miniflare, got 'node'",
    );
  });

  it('writeAtomic leaves the whole text and no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kit-'));
    await writeAtomic(join(dir, 'r.md'), 'report');
    expect(await readFile(join(dir, 'r.md'), 'utf8')).toBe('report');
    expect(await readdir(dir)).toEqual(['r.md']);
  });
});
