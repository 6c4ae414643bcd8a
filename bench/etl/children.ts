// The processes of an ETL leg: the local PlanetScale gateway (its own child process, so its CPU and
// memory are measured apart) and the ETL CLI as a child with its RSS and CPU sampled from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ETL_NODE_FLAGS } from '../../etl/options.ts';
import type { EtlSummary } from '../../etl/report/summary.ts';
import { cpuSeconds, memoryMb, sampleProcess } from './proc.ts';

export interface Gateway {
  url: string;
  pid: number;
  /** CPU seconds so far (utime + stime of the gateway process). */
  cpuS(): number | null;
  /** Statements the gateway has executed (GET /__gateway/stats), or null if it does not say. */
  statements(): Promise<number | null>;
  memoryMb(): ReturnType<typeof memoryMb>;
  stop(): Promise<void>;
}

/** Resolves with the exit code once the process has exited and its output streams are closed. */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/** `node --cpu-prof` flags when profiles are asked for: one file per thread, under `dir`/`name`. */
export function profileFlags(dir: string | undefined, name: string): string[] {
  if (!dir) return [];
  mkdirSync(join(dir, name), { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', join(dir, name)];
}

/** Starts `local/planetscale-gateway-cli.ts` on a free port with its defaults (user/password local/local). */
export async function startGateway(root: string, database: string, profileDir?: string): Promise<Gateway> {
  const args = [
    ...profileFlags(profileDir, 'gateway'),
    '--import',
    'tsx',
    join(root, 'local', 'planetscale-gateway-cli.ts'),
    '--port',
    '0',
    '--database',
    database,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /^(https?:\/\/\S+)$/m.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the PlanetScale gateway exited with ${code} before it printed its URL`)),
    );
    setTimeout(() => reject(new Error('the PlanetScale gateway did not print its URL within 30 s')), 30_000).unref();
  });
  child.stdout?.resume();
  const pid = child.pid as number;
  const u = new URL(url);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  return {
    url,
    pid,
    cpuS: () => cpuSeconds(pid),
    memoryMb: () => memoryMb(pid),
    async statements() {
      try {
        const res = await fetch(`${u.protocol}//${u.host}/__gateway/stats`, {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { statements?: unknown };
        return res.ok && typeof body.statements === 'number' ? body.statements : null;
      } catch {
        return null;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(t);
    },
  };
}

export interface EtlRun {
  summary: EtlSummary;
  wallMs: number;
  /** RSS every 100 ms (MB). */
  rssSamplesMb: number[];
  /** Peak RSS of the process, workers (threads) included: the larger of getrusage's and /proc's. */
  peakRssMb: number;
  /** CPU seconds of the ETL process, from the last /proc sample before it exited (±0.1 s). */
  cpuS: number | null;
}

export interface EtlChildOptions {
  root: string;
  file: string;
  /** The production path: DATABASE_URL; the MySQL path: --database. */
  target: { databaseUrl: string } | { database: string };
  args: string[];
  profileDir?: string | undefined;
}

/**
 * Runs the ETL CLI (`--replace --json`) as a child process. Its working directory is `.local/bench`,
 * so a running `npm start`'s `.local/stack.json` is not found and no API is re-warmed (not a cost of
 * the load, and not the bench's to touch); NHIS_API_URL and Upstash are cleared for the same reason.
 */
export function etlChild(o: EtlChildOptions): Promise<EtlRun> {
  const viaUrl = 'databaseUrl' in o.target;
  const args = [
    ...profileFlags(o.profileDir, viaUrl ? 'etl-production' : 'etl-mysql'),
    ...ETL_NODE_FLAGS,
    '--import',
    'tsx',
    join(o.root, 'etl', 'cli.ts'),
    '--input',
    o.file,
    ...(viaUrl ? [] : ['--database', (o.target as { database: string }).database]),
    '--replace',
    '--json',
    '--progress',
    'none',
    ...o.args,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, NHIS_API_URL: '', NHIS_API_KEY: '', UPSTASH_REDIS_REST_URL: '' };
  if (viaUrl) env.DATABASE_URL = (o.target as { databaseUrl: string }).databaseUrl;
  else delete env.DATABASE_URL;
  const cwd = join(o.root, '.local', 'bench');
  mkdirSync(cwd, { recursive: true });
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], env });
  const sampler = sampleProcess(child.pid as number);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return exited(child).then((code) => {
    sampler.stop();
    if (code !== 0) throw new Error(`ETL exited with ${code}`);
    const summary = JSON.parse(out) as EtlSummary;
    return {
      summary,
      wallMs: performance.now() - t0,
      rssSamplesMb: sampler.rssMb,
      peakRssMb: Math.round(Math.max(summary.peakRssMb, sampler.peakMb())),
      cpuS: sampler.cpuS(),
    };
  });
}
