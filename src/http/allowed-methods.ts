// Which methods a path's routes take, read from the app's own routes: the not-found handler answers
// 405 with `Allow` for a known path asked with another method, so no route needs a second handler
// for the other methods (a path with one handler takes Hono's fast path: request-context.ts).
import type { RouterRoute } from 'hono/types';
import { RegExpRouter } from 'hono/router/reg-exp-router';

/** For a path some route takes: its routes' methods (comma-separated) and the route's own path. */
export interface Allowed {
  allow: string;
  route: string;
}

export function allowedMethods(routes: readonly RouterRoute[]): (path: string) => Allowed | undefined {
  let router: RegExpRouter<RouterRoute> | undefined;
  return (path) => {
    if (!router) {
      // Built on first use: every route is registered by then.
      router = new RegExpRouter<RouterRoute>();
      for (const r of routes) if (r.method !== 'ALL') router.add('ALL', r.path, r);
    }
    const matched = router.match('GET', path)[0].map(([r]) => r);
    if (!matched.length) return undefined;
    return { allow: [...new Set(matched.map((r) => r.method))].join(', '), route: matched[0]!.path };
  };
}
