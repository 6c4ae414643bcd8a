// After a load: drop the API's cached stats in Upstash and re-warm them through the API, so the
// new figures show at once. Best effort with bounded timeouts: a cache problem never fails a load.
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from '@upstash/redis';
import { DATASET_CACHE_KEYS } from '../src/data/cache-keys.ts';

export interface UpstashTarget {
  url: string;
  token: string;
}

export interface ApiTarget {
  url: string;
  key: string;
}

export interface CacheTargets {
  upstash: UpstashTarget | null;
  api: ApiTarget | null;
}

export interface CacheReport {
  /** Keys deleted (null when Upstash was not configured or failed). */
  deleted: number | null;
  rewarmed: { path: string; status: number | string; ms: number }[];
  /** One line for logs and the run summary. */
  summary: string;
}

interface StackFile {
  upstash?: { url?: string; token?: string };
  api?: { url?: string; key?: string };
}

/**
 * Where the cache and the API are: UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN and
 * NHIS_API_URL / NHIS_API_KEY, else `.local/stack.json` (written by `npm start`).
 */
export function resolveCacheTargets(env: NodeJS.ProcessEnv = process.env, stackFile = '.local/stack.json'): CacheTargets {
  let stack: StackFile = {};
  if (existsSync(stackFile)) {
    try {
      stack = JSON.parse(readFileSync(stackFile, 'utf8')) as StackFile;
    } catch {
      stack = {};
    }
  }
  const upUrl = env.UPSTASH_REDIS_REST_URL ?? stack.upstash?.url;
  const upToken = env.UPSTASH_REDIS_REST_TOKEN ?? stack.upstash?.token;
  const apiUrl = env.NHIS_API_URL ?? stack.api?.url;
  const apiKey = env.NHIS_API_KEY ?? stack.api?.key ?? 'local-dev-key';
  return {
    upstash: upUrl && upToken ? { url: upUrl, token: upToken } : null,
    api: apiUrl ? { url: apiUrl, key: apiKey } : null,
  };
}

const REWARM_PATHS = ['/stats/risk', '/stats/age'] as const;

async function rewarm(api: ApiTarget, timeoutMs: number): Promise<CacheReport['rewarmed']> {
  const base = api.url.replace(/\/+$/, '');
  return Promise.all(
    REWARM_PATHS.map(async (path) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}${path}`, { headers: { 'X-API-KEY': api.key }, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        return { path, status: res.status, ms: Math.round(performance.now() - t0) };
      } catch (err) {
        return { path, status: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message, ms: Math.round(performance.now() - t0) };
      }
    }),
  );
}

export async function refreshStatsCache(targets: Partial<CacheTargets>, timeoutMs = 5000): Promise<CacheReport> {
  const parts: string[] = [];
  let deleted: number | null = null;
  if (targets.upstash) {
    try {
      const redis = new Redis({
        url: targets.upstash.url,
        token: targets.upstash.token,
        enableTelemetry: false,
        retry: { retries: 1, backoff: () => 200 },
        signal: () => AbortSignal.timeout(timeoutMs),
      });
      deleted = await redis.del(...DATASET_CACHE_KEYS);
      parts.push(`deleted the ${DATASET_CACHE_KEYS.length} dataset keys (stats:*, records:count:*) in Upstash (${deleted} existed)`);
    } catch (err) {
      parts.push(`could not delete the dataset keys in Upstash (${(err as Error).message}); they expire within their TTL`);
    }
  } else {
    parts.push('no Upstash configured (UPSTASH_REDIS_REST_URL/TOKEN or .local/stack.json): cached stats expire within their TTL');
  }
  let rewarmed: CacheReport['rewarmed'] = [];
  if (targets.api) {
    rewarmed = await rewarm(targets.api, timeoutMs * 2);
    parts.push(`re-warmed ${rewarmed.map((r) => `${r.path} ${r.status} in ${r.ms} ms`).join(', ')}`);
  } else {
    parts.push('no API URL known (NHIS_API_URL or .local/stack.json): not re-warmed');
  }
  return { deleted, rewarmed, summary: parts.join('; ') };
}
