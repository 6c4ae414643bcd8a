// GET /health (no key, no I/O) and GET /health?deep=1 (key; checks database and cache).
import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../http/hono-env.ts';
import type { RouteKit } from '../http/request-context.ts';
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

export function healthRoutes(kit: RouteKit, store: Store, cache: KeyValueCache) {
  const deep = async (c: AppContext) => {
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
  };
  return new Hono<AppEnv>().get(
    '/health',
    // The deep check needs a key; the shallow one answers anyone.
    kit.open((c) => {
      if (!c.req.query('deep')) return json(c, { status: 'ok' });
      kit.guard(c);
      return deep(c);
    }),
  );
}
