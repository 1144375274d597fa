import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test-support/databases.js';
import { appRow, linkRow, userRow } from '../../test-support/store-rows.js';
import { type DatabaseHandle, openDatabase } from '../database.js';
import { migrateTo, migrateToLatest } from '../migrate.js';

describe.each(DIALECTS)('migration 0009 on %s', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  it('moves the failure times that delivered_at held into delivery_failed_at, and leaves sent links sent', async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.target);
    await migrateTo(handle.db, '0008-drop-unused-link-index');
    const now = Date.now();
    // `internal` came with 0011: the row as 0008 knew it.
    const { internal: _internal, ...app } = appRow(now);
    const user = userRow(app.id, now, { email: 'ada@example.com' });
    // Rows as version 0008 wrote them: a given-up message stamped delivered_at with the failure time. (`campaign_id`
    // came with 0012.)
    const {
      delivery_failed_at: _failed,
      campaign_id: _inNoCampaign,
      ...failed
    } = linkRow(user, now, {
      status: 'delivery_failed',
      sent_at: null,
      delivered_at: now + 5_000,
    });
    const {
      delivery_failed_at: _sent,
      campaign_id: _alsoInNoCampaign,
      ...sent
    } = linkRow(user, now + 1, {
      status: 'sent',
      sent_at: now + 2_000,
    });
    // biome-ignore lint/suspicious/noExplicitAny: the schema of version 0008, which the current types no longer describe
    const old = handle.db as any;
    await old.insertInto('apps').values(app).execute();
    await old.insertInto('users').values(user).execute();
    await old.insertInto('magic_links').values([failed, sent]).execute();

    await migrateToLatest(handle.db);

    const rows = await handle.db
      .selectFrom('magic_links')
      .select(['id', 'status', 'sent_at', 'delivered_at', 'delivery_failed_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      {
        id: failed.id,
        status: 'delivery_failed',
        sent_at: null,
        delivered_at: null,
        delivery_failed_at: now + 5_000,
      },
      { id: sent.id, status: 'sent', sent_at: now + 2_000, delivered_at: null, delivery_failed_at: null },
    ]);
  });
});
