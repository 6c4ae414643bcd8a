// The Worker's configuration: every binding, its default, and a start-up error that names the
// fix (`wrangler secret put NAME`) when one is missing or malformed.
// Namespace import: lets the bundler drop zod's locales and unused checks (~70 KiB gzipped).
import * as z from 'zod';
import { DEFAULT_CACHE_SETTINGS } from './deps.ts';
import { parsePerKey, parseRule } from './http/rate-limit.ts';

export interface Env {
  DATABASE_URL?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  API_KEYS?: string;
  DB_TIMEOUT_MS?: string;
  CACHE_TIMEOUT_MS?: string;
  CACHE_L1_TTL_MS?: string;
  CACHE_STALE_MS?: string;
  RATE_LIMIT_DEFAULT?: string;
  RATE_LIMITS?: string;
  RATE_LIMIT_TIMEOUT_MS?: string;
  CORS_ORIGINS?: string;
  SLOW_QUERY_WARN_MS?: string;
  SLOW_QUERY_CRITICAL_MS?: string;
}

const secret = (name: string) =>
  z.string({ error: `${name} is not set: run \`wrangler secret put ${name}\` (locally: .dev.vars)` }).min(1, {
    error: `${name} is empty: run \`wrangler secret put ${name}\``,
  });

const httpUrl = (name: string) =>
  secret(name).refine((v) => /^(https?|mysql):\/\//.test(v), { error: `${name} must be an http(s):// URL` });

const ms = (name: string, dflt: number, max = 60_000) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? dflt : Number(v)))
    .pipe(
      z
        .number({ error: `${name} must be a number of milliseconds` })
        .int()
        .min(0)
        .max(max),
    );

/** A parser's error becomes a zod issue with its message (which never echoes a key). */
const parsed = <T>(parse: (v: string | undefined) => T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parse(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const schema = z.object({
  /** PlanetScale connection URL with credentials, e.g. https://user:pass@aws.connect.psdb.cloud. */
  DATABASE_URL: httpUrl('DATABASE_URL'),
  /** Upstash REST URL and token. */
  UPSTASH_REDIS_REST_URL: httpUrl('UPSTASH_REDIS_REST_URL'),
  UPSTASH_REDIS_REST_TOKEN: secret('UPSTASH_REDIS_REST_TOKEN'),
  /** Comma-separated API keys; several may be valid at once, for rotation. */
  API_KEYS: secret('API_KEYS')
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, { error: 'API_KEYS holds no key' })),
  /** Bound on each database call (default 3000 ms): no request waits longer on the database. */
  DB_TIMEOUT_MS: ms('DB_TIMEOUT_MS', 3000),
  /** Bound on each cache call (default 250 ms): a slow cache degrades to a miss. */
  CACHE_TIMEOUT_MS: ms('CACHE_TIMEOUT_MS', 250),
  /** In-isolate cache freshness: also how long an isolate may serve the previous dataset after a switch. */
  CACHE_L1_TTL_MS: ms('CACHE_L1_TTL_MS', DEFAULT_CACHE_SETTINGS.l1TtlMs, 10_000),
  /** How long past freshness a cached body may be served while revalidating or when the database fails. */
  CACHE_STALE_MS: ms('CACHE_STALE_MS', DEFAULT_CACHE_SETTINGS.staleMs, 86_400_000),
  /** Rate limit for keys not listed in RATE_LIMITS: "600/60s" (default), "100/1m", or "unlimited". */
  RATE_LIMIT_DEFAULT: parsed((v) => parseRule(v || '600/60s')),
  /** Per-key limits (a secret, it names keys): "KEY=100/60s,OTHER=unlimited". */
  RATE_LIMITS: parsed(parsePerKey),
  /** Bound on each background sync of the rate limiter with Upstash (default 1000 ms); on timeout it keeps the local count. */
  RATE_LIMIT_TIMEOUT_MS: ms('RATE_LIMIT_TIMEOUT_MS', 1000),
  /** Comma-separated origins allowed by CORS; empty (default) = no CORS headers. "*" allows any. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Slow-query log thresholds (defaults 200 ms warning, 1000 ms critical). */
  SLOW_QUERY_WARN_MS: ms('SLOW_QUERY_WARN_MS', 200),
  SLOW_QUERY_CRITICAL_MS: ms('SLOW_QUERY_CRITICAL_MS', 1000),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(`Invalid Worker configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
