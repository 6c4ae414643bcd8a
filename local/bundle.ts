// Builds the production Worker bundle exactly as a deploy would (`wrangler deploy --dry-run`),
// and reads the matching wrangler.toml settings (vars, compatibility date) for local runtimes.
import { spawn } from 'node:child_process';
import { basename, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_BUNDLE_DIR = join(ROOT, '.local', 'build');

export interface WorkerSettings {
  name: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
}

/**
 * Runs wrangler's own bundler; offline-safe (dry run, no telemetry). Returns the module path.
 * `entry` builds another entry module with the same settings (default: wrangler.toml's main).
 */
export async function buildBundle(outdir = DEFAULT_BUNDLE_DIR, env = 'production', entry?: string): Promise<string> {
  const bin = join(ROOT, 'node_modules', '.bin', 'wrangler');
  await new Promise<void>((ok, fail) => {
    const child = spawn(bin, ['deploy', '--dry-run', '--env', env, '--outdir', outdir, ...(entry ? [entry] : [])], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`wrangler build failed (exit ${code}):\n${out}`))));
  });
  return join(outdir, entry ? `${basename(entry).replace(/\.ts$/, '')}.js` : 'index.js');
}

/** The settings of one wrangler.toml environment, read with wrangler's own config reader. */
export async function readWorkerSettings(env = 'production'): Promise<WorkerSettings> {
  const { unstable_readConfig } = await import('wrangler');
  const cfg = unstable_readConfig({ config: join(ROOT, 'wrangler.toml'), env }, { hideWarnings: true });
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.vars ?? {})) vars[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return {
    name: cfg.name ?? 'worker',
    compatibilityDate: cfg.compatibility_date ?? '2026-04-01',
    compatibilityFlags: cfg.compatibility_flags ?? [],
    vars,
  };
}
