// What /proc says about one process (Linux): CPU seconds (utime + stime) and resident memory, and
// a sampler that follows a child's RSS and CPU while it runs. Used to measure each leg's processes apart.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

let ticks: number | null = null;

/** Clock ticks per second (USER_HZ) of /proc/<pid>/stat's times; 100 on every usual kernel. */
function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** utime + stime of `pid` in seconds (its threads included); null when it cannot be read. */
export function cpuSeconds(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks();
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak resident set) of `pid` in MB; null when it cannot be read. */
export async function memoryMb(pid: number | null | undefined): Promise<{ rss: number; hwm: number } | null> {
  if (!pid) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

/** The MariaDB server's pid on this machine (mariadbd, else mysqld), or null (a remote server). */
export function mariadbPid(): number | null {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n')[0]);
      if (pid) return pid;
    } catch {
      /* not running under that name */
    }
  }
  return null;
}

export interface ProcSampler {
  /** RSS every `everyMs` (MB). */
  readonly rssMb: number[];
  /** Peak RSS seen (VmHWM when the kernel reports it). */
  peakMb(): number;
  /** The last CPU seconds read (the process's own total up to within one interval of its exit). */
  cpuS(): number | null;
  stop(): void;
}

/** Samples a process's RSS and CPU time from /proc until stopped or gone. */
export function sampleProcess(pid: number, everyMs = 100): ProcSampler {
  const rssMb: number[] = [];
  let peak = 0;
  let cpu: number | null = null;
  const tick = async () => {
    const m = await memoryMb(pid);
    if (!m) return;
    if (m.rss) rssMb.push(m.rss);
    peak = Math.max(peak, m.hwm, m.rss);
    cpu = cpuSeconds(pid) ?? cpu;
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  return { rssMb, peakMb: () => peak, cpuS: () => cpu, stop: () => clearInterval(timer) };
}
