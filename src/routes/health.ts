// GET /health (no key, no I/O) and GET /health?deep=1 (key; checks database and cache).
import { Hono, type MiddlewareHandler } from 'hono';
import { onlyAllows } from '../http/errors.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { json } from '../http/respond.ts';
import type { Store } from '../data/store.ts';
import type { KeyValueCache } from '../data/cache.ts';

async function check(fn: () => Promise<void>) {
  const t0 = Date.now();
  try {
    await fn();
    return { status: 'ok' as const, latency_ms: Date.now() - t0 };
  } catch (err) {
    return { status: 'down' as const, latency_ms: Date.now() - t0, error: (err as Error).name };
  }
}

export function healthRoutes(auth: MiddlewareHandler, store: Store, cache: KeyValueCache) {
  const deepAuth: MiddlewareHandler = (c, next) => (c.req.query('deep') ? auth(c, next) : next());
  return new Hono<AppEnv>()
    .get('/health', deepAuth, async (c) => {
      const deep = c.req.query('deep');
      if (!deep) return json(c, { status: 'ok' });
      const [database, cacheCheck] = await Promise.all([check(() => store.ping()), check(() => cache.ping())]);
      const ok = database.status === 'ok';
      return json(
        c,
        {
          status: ok ? (cacheCheck.status === 'ok' ? 'ok' : 'degraded') : 'unavailable',
          checks: { database, cache: cacheCheck },
        },
        ok ? 200 : 503,
        ok ? undefined : { 'Retry-After': '5' },
      );
    })
    .all('/health', onlyAllows('GET'));
}
