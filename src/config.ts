// The Worker's configuration: every binding, its default, and a start-up error that names the
// fix (`wrangler secret put NAME`) when one is missing or malformed.
import { z } from 'zod';

export interface Env {
  DATABASE_URL?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  API_KEYS?: string;
  DB_TIMEOUT_MS?: string;
  CACHE_TIMEOUT_MS?: string;
}

const secret = (name: string) =>
  z.string({ error: `${name} is not set: run \`wrangler secret put ${name}\` (locally: .dev.vars)` }).min(1, {
    error: `${name} is empty: run \`wrangler secret put ${name}\``,
  });

const httpUrl = (name: string) =>
  secret(name).refine((v) => /^(https?|mysql):\/\//.test(v), { error: `${name} must be an http(s):// URL` });

const ms = (name: string, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? dflt : Number(v)))
    .pipe(z.number({ error: `${name} must be a number of milliseconds` }).int().min(1).max(60_000));

const schema = z.object({
  /** PlanetScale connection URL with credentials, e.g. https://user:pass@aws.connect.psdb.cloud. */
  DATABASE_URL: httpUrl('DATABASE_URL'),
  /** Upstash REST URL and token. */
  UPSTASH_REDIS_REST_URL: httpUrl('UPSTASH_REDIS_REST_URL'),
  UPSTASH_REDIS_REST_TOKEN: secret('UPSTASH_REDIS_REST_TOKEN'),
  /** Comma-separated API keys; several may be valid at once, for rotation. */
  API_KEYS: secret('API_KEYS')
    .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, { error: 'API_KEYS holds no key' })),
  /** Bound on each database call (default 3000 ms): no request waits longer on the database. */
  DB_TIMEOUT_MS: ms('DB_TIMEOUT_MS', 3000),
  /** Bound on each cache call (default 250 ms): a slow cache degrades to a miss. */
  CACHE_TIMEOUT_MS: ms('CACHE_TIMEOUT_MS', 250),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid Worker configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
