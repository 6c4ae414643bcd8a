// wrangler.toml as wrangler reads it: every environment that is deployed has a URL (workers.dev
// or a route), so a deploy never yields a Worker nobody can reach.
import { join } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local/bundle.ts';

const read = (env?: string) =>
  unstable_readConfig({ config: join(ROOT, 'wrangler.toml'), ...(env ? { env } : {}) }, { hideWarnings: true });

describe('deploy configuration', () => {
  it.each(['staging', 'production'])('%s has a URL, and says whether it is on workers.dev', (env) => {
    const cfg = read(env);
    const routes = cfg.routes ?? [];
    expect(typeof cfg.workers_dev, `${env}: workers_dev set explicitly`).toBe('boolean');
    expect(cfg.workers_dev === true || routes.length > 0, `${env}: workers.dev or a route`).toBe(true);
  });

  it('production is served on its own domain only', () => {
    const cfg = read('production');
    expect(cfg.workers_dev).toBe(false);
    expect(cfg.routes).toEqual([{ pattern: 'nhis-api.example.com', custom_domain: true }]);
  });
});
