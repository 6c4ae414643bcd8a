// What every Node command line of the project shares (npm start, the ETL, the benchmarks, the load
// tests): usage errors, option checks that say what was wrong, atomic report writes, and stopping
// cleanly on Ctrl-C. Node only; imports nothing else of the project, so any tool may use it.
import { rename, writeFile } from 'node:fs/promises';

/** Bad usage: the command prints the message (and its help) and exits 2, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An integer option from `min` to `max`, or undefined when absent. */
export function intOption(
  value: string | undefined,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `≥ ${min.toLocaleString('en-US')}`
        : `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
    throw new UsageError(`${name} must be an integer ${range}, got '${value}'`);
  }
  return n;
}

/** One of `choices`, or a UsageError naming them. */
export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T {
  if (value === undefined || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, got '${value}'`);
  }
  return value as T;
}

/** Writes through a temporary file and a rename: a reader never sees half a report. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/**
 * Runs `stop` once on the first SIGINT or SIGTERM (e.g. to close a stack it started), then exits
 * with `code` (130 for an interrupted run, by convention).
 */
export function onStopSignal(tool: string, stop: (signal: string) => Promise<void> | void, code = 130): void {
  let stopping = false;
  const handle = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n[${tool}] ${signal}: stopping`);
    Promise.resolve()
      .then(() => stop(signal))
      .catch((err: unknown) => console.error(`[${tool}] while stopping: ${(err as Error).message}`))
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', () => handle('SIGINT'));
  process.once('SIGTERM', () => handle('SIGTERM'));
}
