// Starts the real local stack once for the integration tests: its own database and Redis
// logical database, ephemeral ports, a small synthetic dataset through the real ETL. It never
// touches a running `npm start` (database 'nhis', Redis db 0, port 8787, .local/stack.json).
import type { TestProject } from 'vitest/node';
import { join } from 'node:path';
import { ROOT } from '../local/bundle.ts';
import { startStack, type StackInfo } from '../local/stack.ts';
import { ensureChromium } from './support/browser.ts';

export const TEST_DATABASE = 'nhis_test';
export const TEST_REDIS_DB = 1;
export const TEST_ROWS = 5000;

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject) {
  // The demo page's browser test needs Debian's chromium; a fresh machine gets it here. When it
  // cannot be installed, that test fails and names the fix (the other tests still run).
  const chromium = ensureChromium();
  if (chromium) console.warn(chromium);
  const stack = await startStack({
    database: TEST_DATABASE,
    redisDb: TEST_REDIS_DB,
    dataset: { kind: 'rows', rows: TEST_ROWS, seed: 7 },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    apiKeys: 'test-key-1,test-key-2',
    bundleDir: join(ROOT, '.local', 'test-build'),
    log: process.env.DEBUG_STACK ? (m) => console.log(`[stack] ${m}`) : undefined,
  });
  const { close, upstashGateway: _upstash, networks: _networks, ...info } = stack;
  project.provide('stack', info);
  return close;
}
