// Load progress: a cli-progress bar with rows/s on a TTY, plain periodic lines otherwise.
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  /** Bytes of the file done and rows stored so far. */
  update(bytes: number, rows: number): void;
  stop(): void;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function createProgress(
  totalBytes: number,
  mode: ProgressMode,
  log: (line: string) => void,
  intervalMs = 2000,
): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  const started = performance.now();
  const rate = (rows: number) => rows / Math.max(0.001, (performance.now() - started) / 1000);
  if (resolved === 'none' || totalBytes === 0) return { update() {}, stop() {} };
  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      {
        format: 'Loading |{bar}| {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalBytes, 0, { rows: '0', rate: '0' });
    return {
      update(bytes, rows) {
        bar.update(bytes, { rows: int(rows), rate: int(rate(rows)) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastAt = started;
  let printed = false;
  let lastBytes = 0;
  let lastRows = 0;
  const print = () => {
    const pct = ((100 * lastBytes) / totalBytes).toFixed(0);
    log(
      `progress: ${pct}% of ${(totalBytes / 1048576).toFixed(1)} MiB, ${int(lastRows)} rows, ${int(rate(lastRows))} rows/s`,
    );
  };
  return {
    update(bytes, rows) {
      lastBytes = bytes;
      lastRows = rows;
      const now = performance.now();
      if (now - lastAt >= intervalMs) {
        lastAt = now;
        printed = true;
        print();
      }
    },
    stop() {
      if (printed) print();
    },
  };
}
