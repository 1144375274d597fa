/**
 * The caches of apps, API keys and webhook endpoints on PostgreSQL, kept true across processes by LISTEN/NOTIFY
 * (config-listener.ts): a change made through any other connection is seen within a second, and without a listening
 * connection nothing is cached at all.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../store.js';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { appRow, id, secretHash } from '../test-support/store-rows.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/event-types.js';
import { type DatabaseHandle, openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';
import type { ObservedQuery } from './query-observer.js';
import type { ApiKeyRow } from './rows.js';

const withinASecond = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, 1000);

describe('the config caches on PostgreSQL', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let store: Store;
  let other: pg.Client;
  const seen: ObservedQuery[] = [];
  const reads = (table: string) => seen.filter((q) => q.operation === 'SELECT' && q.table === table).length;

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    handle = openDatabase(database.target, {
      observer: {
        onQuery(query) {
          seen.push(query);
          return () => {};
        },
      },
    });
    await migrateToLatest(handle.db);
    store = createStore(handle, { webhookEventTypes: WEBHOOK_EVENT_TYPES });
    // Another process, as far as this one can tell: a connection of its own, writing plain SQL.
    other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await eventually('the listener', async () => (handle.configListener?.listening ? true : undefined));
  });
  afterEach(async () => {
    await other.end();
    await handle.close();
    await database.drop();
  });

  async function seedKey(): Promise<{ appId: string; key: ApiKeyRow }> {
    const now = Date.now();
    const app = appRow(now);
    const key: ApiKeyRow = {
      id: id('key', now),
      app_id: app.id,
      kind: 'app',
      label: 'test key',
      key_hash: secretHash(),
      key_hint: 'lk_sk_ab',
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await store.insertApp(app, [key], []);
    return { appId: app.id, key };
  }

  it('reads a key and an app once, then answers from memory', async () => {
    const { appId, key } = await seedKey();
    // The seed's own notification arrives a moment after its commit and clears the cache once: let it pass.
    await new Promise((resolve) => setTimeout(resolve, 300));
    seen.length = 0;
    for (let i = 0; i < 3; i++) {
      await store.findApiKeyByHash(key.key_hash);
      await store.getApp(appId);
    }
    expect([reads('api_keys'), reads('apps')]).toEqual([1, 1]);
  });

  it('sees a key revoked and an app renamed by another connection within a second', async () => {
    const { appId, key } = await seedKey();
    expect((await store.findApiKeyByHash(key.key_hash))?.revoked_at).toBeNull();
    expect((await store.getApp(appId))?.name).toBe('Acme');

    await other.query('update api_keys set revoked_at = $1 where id = $2', [Date.now(), key.id]);
    await withinASecond('the revocation', async () =>
      (await store.findApiKeyByHash(key.key_hash))?.revoked_at ? true : undefined,
    );
    await other.query(`update apps set name = 'Renamed' where id = $1`, [appId]);
    await withinASecond('the new name', async () =>
      (await store.getApp(appId))?.name === 'Renamed' ? true : undefined,
    );
  });

  it('caches nothing while its listening connection is down, and again once it is back', async () => {
    const { key } = await seedKey();
    const pid = handle.configListener?.backendPid;
    expect(pid).toEqual(expect.any(Number));
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await eventually('the listener to notice', async () =>
      handle.configListener?.listening ? undefined : true,
    );

    // A change nobody is told of is seen by the next read: there is no cache to be stale.
    seen.length = 0;
    await store.findApiKeyByHash(key.key_hash);
    await other.query('update api_keys set label = $1 where id = $2', ['changed unheard', key.id]);
    expect((await store.findApiKeyByHash(key.key_hash))?.label).toBe('changed unheard');
    expect(reads('api_keys')).toBe(2);

    await eventually('the listener to reconnect', async () =>
      handle.configListener?.listening ? true : undefined,
    );
    seen.length = 0;
    for (let i = 0; i < 3; i++) await store.findApiKeyByHash(key.key_hash);
    expect(reads('api_keys')).toBe(1);
  });
});
