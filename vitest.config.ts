// Vitest: unit tests (pure, fast) and integration/conformance tests against the real local
// stack (MariaDB + Redis behind our gateways). Two cores: keep file parallelism modest.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
