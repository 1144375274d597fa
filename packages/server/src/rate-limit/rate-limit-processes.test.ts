/**
 * The limit holds across real server processes (the built CLI): two `latchkey start` processes on one SQLite data
 * dir, on one PostgreSQL schema, and sharing Redis, take concurrent requests with one API key. With Redis exactly
 * `limit` of them get through; on a database, where each process counts API-key hits in memory and adds them up
 * every second (rate-limit/batched-counter.ts), between `limit` and twice that, and once the counts are shared
 * both processes refuse.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { callApi, runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { TEST_REDIS_URL } from '../test-support/redis.js';

const LIMIT = 20;
const REQUESTS = 60;

const setups: Array<{ name: string; dialect: 'sqlite' | 'postgres'; redis: boolean }> = [
  { name: 'SQLite', dialect: 'sqlite', redis: false },
  { name: 'PostgreSQL', dialect: 'postgres', redis: false },
  { name: 'Redis', dialect: 'sqlite', redis: true },
];

describe.each(setups)('two server processes with $name', ({ dialect, redis }) => {
  it(`let ${redis ? `exactly ${LIMIT}` : `${LIMIT} to ${2 * LIMIT}`} of ${REQUESTS} concurrent requests with one key through`, async () => {
    const db: TestDatabase = await createTestDatabase(dialect);
    const nodes: ServerProcess[] = [];
    try {
      const env: Record<string, string> = {
        ...(dialect === 'postgres'
          ? { DATABASE_URL: db.url, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') }
          : { LATCHKEY_DATA_DIR: db.dataDir }),
        ...(redis ? { REDIS_URL: TEST_REDIS_URL } : {}),
        LATCHKEY_DELIVERY_WORKER: 'false',
      };
      const init = await runCli(['init', '--json'], env);
      expect(init.code, init.stderr).toBe(0);
      const keys = JSON.parse(init.stdout) as { app_id: string; api_key: string };
      nodes.push(await startServerProcess(env), await startServerProcess(env));
      const [a, b] = nodes as [ServerProcess, ServerProcess];
      // A day-long window, so the burst cannot straddle two windows.
      const patched = await callApi(a.url, keys.api_key, 'PATCH', `/v1/apps/${keys.app_id}`, {
        rate_limits: { api_requests_per_key: { limit: LIMIT, window_seconds: 86_400 } },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      // The other process applies the new rule within a second (docs/decisions.md, Storage performance).
      await new Promise((resolve) => setTimeout(resolve, 1100));

      const results = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          callApi((i % 2 === 0 ? a : b).url, keys.api_key, 'GET', '/v1/users'),
        ),
      );
      const statuses = results.map((r) => r.status);
      const passed = statuses.filter((s) => s === 200).length;
      if (redis) expect(passed).toBe(LIMIT);
      else expect([passed >= LIMIT, passed <= 2 * LIMIT], `${passed} passed`).toEqual([true, true]);
      expect(statuses.filter((s) => s === 429)).toHaveLength(REQUESTS - passed);
      expect(results.find((r) => r.status === 429)?.body.error.code).toBe('rate_limited');

      // The counters lived where they should: in the database (within a second), or only in Redis.
      const handle = openDatabase(db.target);
      try {
        const counts = async () =>
          (await handle.db.selectFrom('rate_limits').select('count').execute()).map((r) => Number(r.count));
        if (redis) expect(await counts()).toHaveLength(0);
        else
          await eventually(
            'the shared count',
            async () => ((await counts()).includes(REQUESTS) ? true : undefined),
            5000,
          );
      } finally {
        await handle.close();
      }
      // Once the counts are shared, neither process lets another request through.
      for (const node of [a, b]) {
        expect((await callApi(node.url, keys.api_key, 'GET', '/v1/users')).status).toBe(429);
      }
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await db.drop();
    }
  }, 90_000);
});
