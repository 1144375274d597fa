/** `latchkey doctor` checks Redis when REDIS_URL is set, and says what an outage means. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../test-support/databases.js';
import { TEST_REDIS_URL } from '../test-support/redis.js';

describe('latchkey doctor and Redis', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const init = await runCli(['init', '--json'], { LATCHKEY_DATA_DIR: db.dataDir });
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
  });

  const doctor = async (env: Record<string, string>) => {
    const result = await runCli(['doctor', '--json'], { LATCHKEY_DATA_DIR: db.dataDir, ...env });
    const report = JSON.parse(result.stdout) as {
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    return report.checks.find((c) => c.name === 'Rate limits (Redis)');
  };

  it('reports a reachable Redis as ok, an unreachable one as a failure, and no check without REDIS_URL', async () => {
    expect(await doctor({ REDIS_URL: TEST_REDIS_URL })).toMatchObject({ ok: true });
    const down = await doctor({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down).toMatchObject({ ok: false });
    expect(down?.detail).toContain('public sign-in endpoints refuse requests');
    // Where and why, in words; not ioredis's internals.
    expect(down?.detail).toContain('Redis at 127.0.0.1:1 does not answer: the connection was refused');
    expect(down?.detail).not.toContain('maxRetriesPerRequest');
    expect(await doctor({})).toBeUndefined();
  });
});
