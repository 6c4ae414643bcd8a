// The bench's instruction counts through the real thing: the ceiling Worker under plain workerd
// run by valgrind's callgrind, driven over HTTP, its dumps read back per window.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkerSettings } from '../../local/bundle.ts';
import { startCeilingWorker } from '../../bench/http/ceiling-worker.ts';
import { callgrindLauncher, countWindows, valgrindStatus } from '../../bench/http/instructions.ts';
import { CEILING_PLAN } from '../../bench/http/endpoints.ts';

const status = valgrindStatus();
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// valgrind is part of every machine this project runs on; elsewhere the bench reports the
// section as not counted (bench-report.test.ts) and this test has nothing to run.
describe.skipIf('missing' in status)('instructions per response under callgrind', () => {
  it('counts the ceiling Worker per response, one dump per window', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nhis-callgrind-test-'));
    dirs.push(dir);
    const worker = await startCeilingWorker({
      runtime: 'workerd',
      dir,
      settings: await readWorkerSettings(),
      launcher: callgrindLauncher(dir),
      startupTimeoutMs: 180_000,
    });
    try {
      expect(worker.pid).toBeGreaterThan(0);
      // The process behind the port is valgrind's, not a bare workerd.
      expect(execFileSync('ps', ['-o', 'args=', '-p', String(worker.pid)], { encoding: 'utf8' })).toMatch(
        /valgrind|callgrind/,
      );
      const windows = await countWindows({ url: worker.url, pid: worker.pid! }, dir, CEILING_PLAN, {
        warmup: 300,
        perWindow: 300,
        windows: 2,
        connections: 2,
        log: () => {},
      });
      expect(windows).toHaveLength(2);
      // A hello-world response costs workerd ~170k instructions here: far from 0, far from millions.
      for (const w of windows) {
        expect(w).toBeGreaterThan(20_000);
        expect(w).toBeLessThan(5_000_000);
      }
      expect((await readdir(dir)).filter((f) => f.startsWith(`cg.${worker.pid}.`))).toHaveLength(2);
    } finally {
      await worker.close();
    }
  });
});
