// After a switch (and the isolates' L1 lifetime), asks the API for its stats once so the first
// users do not pay for the misses.
// Nothing needs invalidating: every cached body is keyed by its dataset id, and each isolate
// reads the pointer again within its L1 lifetime. Best effort, with bounded timeouts.
import { existsSync, readFileSync } from 'node:fs';

export interface ApiTarget {
  url: string;
  key: string;
}

export interface RewarmReport {
  rewarmed: { path: string; status: number | string; ms: number }[];
  /** One line for logs and the run summary. */
  summary: string;
}

/**
 * NHIS_API_URL and NHIS_API_KEY; for a loopback database only, else `.local/stack.json` (written
 * by `npm start`): a load into a remote database never touches a local stack's API.
 */
export function resolveApiTarget(
  loopback: boolean,
  env: NodeJS.ProcessEnv = process.env,
  stackFile = '.local/stack.json',
): ApiTarget | null {
  if (env.NHIS_API_URL) {
    if (!env.NHIS_API_KEY) throw new Error('NHIS_API_URL is set without NHIS_API_KEY: give both, or neither');
    return { url: env.NHIS_API_URL, key: env.NHIS_API_KEY };
  }
  if (!loopback || !existsSync(stackFile)) return null;
  try {
    const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { api?: { url?: string; key?: string } };
    return stack.api?.url && stack.api.key ? { url: stack.api.url, key: stack.api.key } : null;
  } catch {
    return null;
  }
}

const PATHS = ['/stats/risk', '/stats/age'] as const;

/**
 * An isolate may hold the pointer it read just before the switch for its L1 lifetime (the Worker's
 * CACHE_L1_TTL_MS, 3 s by default): re-warming sooner could warm the previous dataset's keys.
 */
export const REWARM_DELAY_MS = 3500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function rewarmApi(
  api: ApiTarget | null,
  timeoutMs = 10_000,
  delayMs = REWARM_DELAY_MS,
): Promise<RewarmReport> {
  if (!api)
    return {
      rewarmed: [],
      summary:
        'no API given (NHIS_API_URL/NHIS_API_KEY): nothing re-warmed; each isolate sees the new dataset within its L1 lifetime',
    };
  await sleep(delayMs);
  const base = api.url.replace(/\/+$/, '');
  const rewarmed = await Promise.all(
    PATHS.map(async (path) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}${path}`, {
          headers: { 'X-API-KEY': api.key },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        return { path, status: res.status, ms: Math.round(performance.now() - t0) };
      } catch (err) {
        return {
          path,
          status: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message,
          ms: Math.round(performance.now() - t0),
        };
      }
    }),
  );
  return { rewarmed, summary: `re-warmed ${rewarmed.map((r) => `${r.path} ${r.status} in ${r.ms} ms`).join(', ')}` };
}
