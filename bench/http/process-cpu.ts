// CPU time of the workerd process serving a port, from /proc (Linux): the CPU a Worker costs per
// response, a figure that depends far less than req/s on how much of the machine the load
// generator and the other processes take. Pure parsers plus two small readers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The pid of the `workerd` process listening on `port`, from `ss -Hltnp` output; null otherwise. */
export function workerdListener(ssOutput: string, port: number): number | null {
  for (const line of ssOutput.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (!cols[3]?.endsWith(`:${port}`)) continue;
    const m = /\("workerd",pid=(\d+),/.exec(line);
    if (m) return Number(m[1]);
  }
  return null;
}

/** utime + stime, in clock ticks, from the text of /proc/<pid>/stat (the name may hold spaces). */
export function cpuTicks(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null;
}

let ticksPerSecond: number | undefined;

/** A reader of the CPU seconds of the workerd process behind `url`; null where it cannot be known. */
export function workerdCpu(url: string): (() => number | null) | null {
  if (process.platform !== 'linux') return null;
  try {
    const pid = workerdListener(execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' }), Number(new URL(url).port));
    if (pid === null) return null; // e.g. Miniflare: its dev proxy (Node) holds the port
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const tps = ticksPerSecond;
    return () => {
      try {
        const t = cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        return t === null ? null : t / tps;
      } catch {
        return null;
      }
    };
  } catch {
    return null;
  }
}
