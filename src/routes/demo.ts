// GET /demo (no key): the page where a person tries the API; it calls only this origin, with
// the key the person enters (never embedded in the page).
import { Hono } from 'hono';
import type { RouteKit } from '../http/request-context.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { lazyPage, sendPage } from '../demo/html.ts';
import { demoPage } from '../demo/demo-page.ts';

const page = lazyPage(demoPage);

export function demoRoutes(kit: RouteKit) {
  return new Hono<AppEnv>().get(
    '/demo',
    kit.open(async (c) => sendPage(c, await page())),
  );
}
