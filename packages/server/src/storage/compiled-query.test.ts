import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { appRow, email, userRow, useStore } from '../test-support/store-rows.js';
import { compiledQuery, firstRow } from './compiled-query.js';
import type { Db } from './database.js';

const byEmail = compiledQuery((db: Db, appId: string, value: string) =>
  db.selectFrom('users').selectAll().where('app_id', '=', appId).where('email', '=', value),
);

/** The same argument twice, beside constants of the query's own. */
const touch = compiledQuery((db: Db, id: string, now: number) =>
  db
    .updateTable('users')
    .set({ email_verified: 1, last_login_at: now, updated_at: now })
    .where('id', '=', id)
    .returningAll(),
);

/** Breaks the rule (it looks at its argument): the placeholder never reaches Kysely, so it must not be cached. */
const branching = compiledQuery((db: Db, appId: string, value: string | null) =>
  value === null
    ? db.selectFrom('users').selectAll().where('app_id', '=', appId).where('email', 'is', null)
    : db.selectFrom('users').selectAll().where('app_id', '=', appId).where('email', '=', 'never@example.com'),
);

describe.each(DIALECTS)('compiled queries on %s', (dialect) => {
  const fixture = useStore(dialect);

  async function seed() {
    const now = Date.now();
    const app = appRow(now);
    await fixture.store().insertApp(app, [], []);
    const users = [userRow(app.id, now, { email: email() }), userRow(app.id, now, { email: email() })];
    for (const user of users) await fixture.store().insertUser(user, []);
    return { app, users };
  }

  it('answers as Kysely does, for each new set of values', async () => {
    const { app, users } = await seed();
    for (const user of users) {
      const compiled = firstRow(await byEmail(fixture.db(), app.id, user.email!));
      const built = await fixture
        .db()
        .selectFrom('users')
        .selectAll()
        .where('app_id', '=', app.id)
        .where('email', '=', user.email!)
        .executeTakeFirst();
      expect(compiled).toEqual(built);
      expect(compiled?.id).toBe(user.id);
    }
    expect(firstRow(await byEmail(fixture.db(), app.id, 'nobody@example.com'))).toBeUndefined();
  });

  it('fills an argument used twice, keeps the constants, and runs inside transactions', async () => {
    const { users } = await seed();
    const user = users[0]!;
    const row = await fixture
      .db()
      .transaction()
      .execute(async (trx) => firstRow(await touch(trx, user.id, 1234)));
    expect(row).toMatchObject({ id: user.id, email_verified: 1, last_login_at: 1234, updated_at: 1234 });
    const again = firstRow(await touch(fixture.db(), user.id, 5678));
    expect(again).toMatchObject({ last_login_at: 5678, updated_at: 5678 });
  });

  it('runs a build that looks at its arguments through Kysely every time, so it stays right', async () => {
    const { app } = await seed();
    await fixture.store().insertUser(userRow(app.id, Date.now(), { phone: '+14155550100' }), []);
    const withNull = await branching(fixture.db(), app.id, null);
    expect(withNull.rows).toHaveLength(1);
    const withValue = await branching(fixture.db(), app.id, 'x@example.com');
    expect(withValue.rows).toHaveLength(0);
  });
});
