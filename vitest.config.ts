import { defineConfig } from 'vitest/config';

/**
 * One project per way the code runs: pure unit tests, and the storage/API integration tests twice,
 * once on SQLite and once on PostgreSQL (ROSTER_TEST_DB picks; scripts/test.mjs starts the server).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'sqlite',
          include: ['test/integration/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['test/integration/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The admin console in a real browser against a real server; scripts/test.mjs builds it first.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
