import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test-support/databases.js';
import { appRow, linkRow, userRow } from '../../test-support/store-rows.js';
import { type DatabaseHandle, openDatabase } from '../database.js';
import { migrateTo, migrateToLatest } from '../migrate.js';

describe.each(DIALECTS)('migration 0012 on %s', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  it('leaves existing links in no campaign, finds a campaign’s links by its index, and goes back down', async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.target);
    await migrateTo(handle.db, '0011-operators');
    const now = Date.now();
    const app = appRow(now);
    const user = userRow(app.id, now, { email: 'ada@example.com' });
    const { campaign_id: _none, ...link } = linkRow(user, now);
    // biome-ignore lint/suspicious/noExplicitAny: the schema of version 0011, which the current types no longer describe
    const old = handle.db as any;
    await old.insertInto('apps').values(app).execute();
    await old.insertInto('users').values(user).execute();
    await old.insertInto('magic_links').values(link).execute();

    await migrateToLatest(handle.db);
    const row = await handle.db.selectFrom('magic_links').select(['id', 'campaign_id']).executeTakeFirst();
    expect(row).toEqual({ id: link.id, campaign_id: null });
    expect(await handle.db.selectFrom('campaigns').selectAll().execute()).toEqual([]);
    expect(await campaignQueryPlan(handle, app.id)).toContain('magic_links_campaign');

    await migrateTo(handle.db, '0011-operators');
    const columns = await handle.db.introspection.getTables();
    expect(columns.find((t) => t.name === 'campaigns')).toBeUndefined();
    const links = columns.find((t) => t.name === 'magic_links');
    expect(links?.columns.map((c) => c.name)).not.toContain('campaign_id');
  });
});

/** How the database reads a campaign's links (as GET /v1/magic-links?campaign_id= does), as text. */
async function campaignQueryPlan(handle: DatabaseHandle, appId: string): Promise<string> {
  const query = sql`select * from magic_links where app_id = ${appId} and campaign_id = ${'cmp_x'} order by id desc limit 51`;
  if (handle.dialect === 'sqlite') {
    const plan = await sql<{ detail: string }>`explain query plan ${query}`.execute(handle.db);
    return plan.rows.map((r) => r.detail).join('\n');
  }
  // A table this small is read whole unless scans are ruled out; the question is whether the index can serve.
  return handle.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(trx);
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
