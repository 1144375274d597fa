import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Database-backed suites create their own schema or temp dir; a few files at a time keeps
    // two cores and one PostgreSQL comfortable.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      // The benchmark's --quick run keeps both cores busy for about 20 s: it runs alone, after the rest, so that
      // it cannot upset the tests that compare timings.
      {
        extends: true,
        test: { name: 'bench', include: ['bench/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
