import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { pool: 'forks', maxWorkers: 2, include: ['test/integration/workerd-runner.test.ts'], testTimeout: 60_000, hookTimeout: 300_000 } });
