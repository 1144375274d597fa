import { configDefaults, defineConfig } from 'vitest/config';

/** Installs the packed packages and compiles better-sqlite3 on both cores for a minute or two. */
const PACKED_INSTALL = 'packages/server/src/cli/packed-install.test.ts';

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
          exclude: [...configDefaults.exclude, PACKED_INSTALL],
          sequence: { groupOrder: 0 },
        },
      },
      // The benchmark's --quick run keeps both cores busy for about 20 s: it runs alone, after the rest, so that
      // it cannot upset the tests that compare timings.
      {
        extends: true,
        test: { name: 'bench', include: ['bench/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
      // The packed install's compile would likewise take both cores from tests running beside it: it runs alone,
      // last.
      {
        extends: true,
        test: { name: 'packed', include: [PACKED_INSTALL], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
