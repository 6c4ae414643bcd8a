// Reading the workerd process's CPU time: which process holds a port (ss), and its ticks (/proc).
import { describe, expect, it } from 'vitest';
import { cpuTicks, workerdListener } from '../../bench/http/process-cpu.ts';

describe('workerd CPU figures', () => {
  const ss = [
    'LISTEN 0      128    127.0.0.1:25672 0.0.0.0:* users:(("beam.smp",pid=2939,fd=17))',
    'LISTEN 0      511    127.0.0.1:41234 0.0.0.0:* users:(("workerd",pid=51234,fd=12))',
    'LISTEN 0      511    127.0.0.1:8787  0.0.0.0:* users:(("node",pid=777,fd=30))',
    'LISTEN 0      511    127.0.0.1:412340 0.0.0.0:* users:(("workerd",pid=9,fd=1))',
  ].join('\n');

  it('finds the workerd process listening on a port, and only workerd', () => {
    expect(workerdListener(ss, 41234)).toBe(51234);
    expect(workerdListener(ss, 8787)).toBeNull(); // Miniflare: its Node proxy holds the port
    expect(workerdListener(ss, 25672)).toBeNull();
    expect(workerdListener(ss, 4123)).toBeNull();
  });

  it('reads utime + stime from /proc/<pid>/stat, whatever the process name holds', () => {
    const stat = '51234 (work erd) S 1 51234 51234 0 -1 4194560 12345 0 0 0 700 50 0 0 20 0 9 0 100 0 0';
    expect(cpuTicks(stat)).toBe(750);
    expect(cpuTicks('garbage')).toBeNull();
  });
});
