// Progress while a scenario runs: a cli-progress bar on a TTY, a plain line every 5 s otherwise
// (CI logs). Fed with the probe's batches: req/s and p95 over the last second.
import cliProgress from 'cli-progress';
import type { LoadBatch } from '../loadkit/http/load.ts';
import { percentile } from '../loadkit/http/summary.ts';

export interface Progress {
  stage(label: string, connections: number): void;
  batch(b: LoadBatch): void;
  /** A phase the bar does not count (an open-loop step): shown as the stage, logged on its own line without a TTY. */
  note(text: string): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;

export function createProgress(scenario: string, totalS: number, tty = Boolean(process.stdout.isTTY)): Progress {
  const t0 = Date.now();
  let recent: { at: number; ms: number; ok: boolean }[] = [];
  let failed = 0;
  let total = 0;
  let stageText = '';
  let lastPlain = 0;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: `${scenario} [{bar}] {elapsed}/{total} s | {stage} | {rps} req/s | p95 {p95} ms | failed {failed}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(totalS, 0, { elapsed: 0, stage: '', rps: 0, p95: 0, failed: 0 });

  const figures = () => {
    const now = Date.now();
    recent = recent.filter((r) => r.at > now - 1000);
    const lat = recent.map((r) => r.ms).sort((a, b) => a - b);
    return {
      elapsed: Math.round((now - t0) / 1000),
      rps: recent.length,
      p95: percentile(lat, 95).toFixed(1),
      failed,
      stage: stageText,
    };
  };

  return {
    stage(label, connections) {
      stageText = `${label} (${connections} conn.)`;
      if (!bar) console.log(`[load-test] stage ${stageText}`);
    },
    note(text) {
      stageText = text;
      if (bar) bar.update(Math.min(totalS, Math.round((Date.now() - t0) / 1000)), figures());
      else console.log(`[load-test] ${text}`);
    },
    batch(b) {
      for (let i = 0; i < b.at.length; i++) {
        const s = b.status[i] as number;
        const ok = s >= 200 && s < 400;
        if (!ok) failed++;
        recent.push({ at: b.at[i] as number, ms: b.ms[i] as number, ok });
      }
      failed += b.errors.length;
      total += b.at.length;
      const f = figures();
      if (bar) bar.update(Math.min(totalS, f.elapsed), f);
      else if (Date.now() - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = Date.now();
        console.log(
          `[load-test] ${f.elapsed}/${totalS} s  ${f.rps} req/s  p95 ${f.p95} ms  failed ${failed} of ${total}`,
        );
      }
    },
    stop() {
      bar?.update(totalS, figures());
      bar?.stop();
    },
  };
}
