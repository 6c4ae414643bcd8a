// GET /openapi.json and GET /docs (no key): the OpenAPI 3.1 document and its rendering, both
// built once per isolate on first request.
import { Hono } from 'hono';
import type { RouteKit } from '../http/request-context.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { openApiDocument, openApiJson } from '../contract/openapi.ts';
import { lazyPage, sendPage } from '../demo/html.ts';
import { docsPage } from '../demo/docs-page.ts';

const page = lazyPage(() => docsPage(openApiDocument()));

export function docsRoutes(kit: RouteKit) {
  return new Hono<AppEnv>()
    .get(
      '/openapi.json',
      kit.open((c) => {
        c.header('Content-Type', 'application/json; charset=utf-8');
        c.header('Cache-Control', 'public, max-age=300');
        // Public and secret-free, so any tool (an editor, a client generator) may read it.
        c.header('Access-Control-Allow-Origin', '*');
        return c.body(openApiJson());
      }),
    )
    .get(
      '/docs',
      kit.open(async (c) => sendPage(c, await page())),
    );
}
