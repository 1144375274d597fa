/**
 * Users stored under the old, looser identifier rules: the first start under the new ones puts a lone user's
 * identifier in canonical form, and reports (never merges) users the new rules would make one person.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../http/logger.js';
import { openRuntime } from '../runtime.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../test-support/databases.js';
import { appRow, userRow } from '../test-support/store-rows.js';
import { reviewIdentifiers } from './identifier-review.js';

describe.each(DIALECTS)('the identifier review on %s', (dialect) => {
  let database: TestDatabase;
  afterEach(async () => {
    await database.drop();
  });

  it('rewrites lone users, reports clashes and refused identifiers, and runs once per database', async () => {
    database = await createTestDatabase(dialect);
    const env = {
      LATCHKEY_DATA_DIR: database.dataDir,
      LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      ...(dialect === 'postgres' ? { DATABASE_URL: database.url } : {}),
    };
    const first = await openRuntime(loadConfig(env));
    const now = Date.now();
    const app = appRow(now);
    // What the old rules stored: the same person twice, a lone non-canonical address and phone, and an address
    // the new rules refuse.
    const rows = [
      userRow(app.id, now, { email: 'ada@example.com' }),
      userRow(app.id, now + 1, { email: 'ada@example.com.' }),
      userRow(app.id, now + 2, { phone: '+442079460958' }),
      userRow(app.id, now + 3, { phone: '+4402079460958' }),
      userRow(app.id, now + 4, { email: 'bob@bücher.example' }),
      userRow(app.id, now + 5, { email: 'eve@.example.com' }),
    ];
    const db = first.handle.db;
    await db.insertInto('apps').values(app).execute();
    await db.insertInto('users').values(rows).execute();
    // The fresh database had its review at openRuntime; forget it, as a database from before the rules never had one.
    await db.deleteFrom('latchkey_meta').where('key', '=', 'identifier_rules').execute();
    await first.close();

    const dry = await reviewOf(env);
    expect(dry.users).toBe(6);
    expect(dry.rewritable).toBe(1);
    expect(dry.clashes).toEqual(
      expect.arrayContaining([
        { app_id: app.id, kind: 'email', user_ids: [rows[0]!.id, rows[1]!.id] },
        { app_id: app.id, kind: 'phone', user_ids: [rows[2]!.id, rows[3]!.id] },
      ]),
    );
    expect(dry.invalid).toEqual([{ user_id: rows[5]!.id, kind: 'email' }]);

    // The first start under the new rules does the review, and says so in the log; the next one does not.
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const upgraded = await openRuntime(loadConfig(env), { logger });
    try {
      const users = await upgraded.handle.db
        .selectFrom('users')
        .select(['id', 'email', 'phone'])
        .orderBy('id')
        .execute();
      // Only the lone user was rewritten; the two pairs stay apart, as they were.
      expect(users.map((u) => u.email ?? u.phone)).toEqual([
        'ada@example.com',
        'ada@example.com.',
        '+442079460958',
        '+4402079460958',
        'bob@xn--bcher-kva.example',
        'eve@.example.com',
      ]);
      const warning = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.level === 40);
      expect(warning?.msg).toContain('2 group(s) of users would be one person');
      expect(warning?.msg).toContain(rows[0]!.id);
      // Ids only: no address reaches the log.
      expect(lines.join('')).not.toContain('ada@example.com');
    } finally {
      await upgraded.close();
    }
    const warnings = lines.length;
    await (await openRuntime(loadConfig(env), { logger })).close();
    expect(lines.length).toBe(warnings);
  });
});

async function reviewOf(env: Record<string, string>) {
  const runtime = await openRuntime(loadConfig(env), { migrate: false });
  try {
    return await reviewIdentifiers(runtime.ctx, { apply: false });
  } finally {
    await runtime.close();
  }
}
