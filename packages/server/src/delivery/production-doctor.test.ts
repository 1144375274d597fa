/** `latchkey doctor` says whether the server runs in production, and that a channel without a transport is off there. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-process.js';
import { createTestDatabase } from '../test-support/databases.js';

const PRODUCTION = { NODE_ENV: 'production' };

describe('latchkey doctor', () => {
  it('says a production server without a mail server has email off, without failing the check', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const env = { LATCHKEY_DATA_DIR: db.dataDir };
      expect((await runCli(['init', '--json'], env)).code).toBe(0);
      const run = async (extra: Record<string, string>) => {
        const result = await runCli(['doctor', '--json'], { ...env, ...extra });
        return JSON.parse(result.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
      };
      const production = await run(PRODUCTION);
      expect(production.checks.find((c) => c.name === 'Configuration')?.detail).toMatch(/production/);
      expect(production.checks.find((c) => c.name === 'Email (off)')).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/LATCHKEY_SMTP_URL/),
      });
      const development = await run({ NODE_ENV: 'development' });
      expect(development.checks.find((c) => c.name === 'Email (log)')).toMatchObject({ ok: true });
    } finally {
      await db.drop();
    }
  });
});
