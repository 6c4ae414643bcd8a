// Where a run happened: CPU, cores, memory, load, Node and the versions of the runtimes and tools,
// read from the installed packages (never assumed).
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../local/bundle.ts';

/** Version from node_modules/<name>/package.json (some packages do not export it). */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

export const loadAverage = () => loadavg().map((x) => Math.round(x * 100) / 100);

export function machine() {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    workerd: packageVersion('workerd'),
    miniflare: packageVersion('miniflare'),
    autocannon: packageVersion('autocannon'),
    tinybench: packageVersion('tinybench'),
  };
}
