// While load runs, what the local runtimes forward from the Worker (its JSON log lines) and from
// workerd itself (its error lines and their stack lines) is counted and sampled instead of echoed:
// thousands of lines per second would flood the terminal and steal CPU from the measurement.
const MAX_SAMPLES = 5;
/** Chunks that come from the Worker or the runtime, never from the bench itself. */
const FORWARDED = /^(\{"level"|workerd\/|stack: \/|Warning: A promise|\*\*\* Received signal)/;

export interface WorkerLogSummary {
  lines: number;
  /** Distinct lines (request ids aside), the first few. */
  samples: string[];
}

export function muteWorkerLogs(): { stop(): WorkerLogSummary } {
  const summary: WorkerLogSummary = { lines: 0, samples: [] };
  const seen = new Set<string>();
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    const original = originals[i]!;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (!FORWARDED.test(text)) return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      for (const line of text.split('\n')) {
        if (!line || line.startsWith('stack: ')) continue; // a stack belongs to the line before it
        summary.lines++;
        const key = line.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '').slice(0, 160);
        if (summary.samples.length < MAX_SAMPLES && !seen.has(key)) {
          seen.add(key);
          summary.samples.push(line.slice(0, 400));
        }
      }
      return true;
    }) as typeof stream.write;
  });
  return {
    stop() {
      streams.forEach((s, i) => (s.write = originals[i]!));
      return summary;
    },
  };
}
