import { defineConfig } from 'vitest/config';

/**
 * Two groups run one after the other: the suites, two files at a time; then the reliability
 * suites, one file at a time. Those start several allot processes with their own connection pools
 * (up to ~60 PostgreSQL connections), which next to another file's pool would exceed the server's
 * default max_connections (100) and fail for a reason that is not the code under test.
 */
const RELIABILITY = 'test/integration/reliability/**/*.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: [RELIABILITY], fileParallelism: true, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'reliability', include: [RELIABILITY], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
