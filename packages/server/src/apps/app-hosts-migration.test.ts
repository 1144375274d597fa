/**
 * Migration 0010 gives every app with a public_url of its own its host in `apps.public_host`, under a unique index.
 * Databases from before it may already have two apps on one host: the migration must not fail on them, must keep
 * the host with the app that was already served on it (the oldest), and must leave a note for the operator.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import { migrateTo, migrateToLatest } from '../storage/migrate.js';
import { COLLISIONS_NOTE_KEY, hostOfPublicUrl } from '../storage/migrations/0010-app-public-host.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../test-support/databases.js';
import { publicHostOf } from './app-settings.js';

// biome-ignore lint/suspicious/noExplicitAny: the schema as it was before 0010, not the current types
type AnyDb = Kysely<any>;

describe.each(DIALECTS)('migration 0010 (apps.public_host) on %s', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let db: AnyDb;
  let warn: ReturnType<typeof vi.spyOn>;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.target);
    db = handle.db as AnyDb;
    await migrateTo(handle.db, '0009-delivery-failed-at');
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(async () => {
    warn.mockRestore();
    await handle.close();
    await database.drop();
  });

  let seq = 0;
  async function seedApp(publicUrl: string | null | undefined, createdAt: number): Promise<string> {
    const id = `app_${String(seq++).padStart(26, '0')}`;
    const settings = publicUrl === undefined ? '{}' : JSON.stringify({ public_url: publicUrl });
    await db
      .insertInto('apps')
      .values({ id, name: id, settings, created_at: createdAt, updated_at: createdAt })
      .execute();
    return id;
  }

  const hosts = async () =>
    Object.fromEntries(
      (await db.selectFrom('apps').select(['id', 'public_host']).execute()).map((r) => [r.id, r.public_host]),
    );

  it('fills public_host from each public_url, spelled one way', async () => {
    const a = await seedApp('HTTPS://Billing.Example.COM:443/portal', 1);
    const b = await seedApp('https://billing.example.com:8443', 2);
    const c = await seedApp(null, 3);
    const d = await seedApp(undefined, 4);
    expect((await migrateToLatest(handle.db)).applied).toContain('0010-app-public-host');
    expect(await hosts()).toEqual({
      [a]: 'billing.example.com',
      [b]: 'billing.example.com:8443',
      [c]: null,
      [d]: null,
    });
    expect(warn).not.toHaveBeenCalled();
    expect(
      await db.selectFrom('latchkey_meta').selectAll().where('key', '=', COLLISIONS_NOTE_KEY).execute(),
    ).toEqual([]);
  });

  it('keeps a shared host with the oldest app, leaves the others without it and leaves a note', async () => {
    // Created out of id order: age is created_at, as the host index has always counted it.
    const younger = await seedApp('https://shared.example.com', 20);
    const oldest = await seedApp('https://SHARED.example.com.', 10);
    const youngest = await seedApp('http://shared.example.com/other', 30);
    const alone = await seedApp('https://alone.example.com', 40);
    await migrateToLatest(handle.db);
    expect(await hosts()).toEqual({
      [younger]: null,
      [oldest]: 'shared.example.com',
      [youngest]: null,
      [alone]: 'alone.example.com',
    });
    const note = await db
      .selectFrom('latchkey_meta')
      .select('value')
      .where('key', '=', COLLISIONS_NOTE_KEY)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(note.value)).toEqual([
      { host: 'shared.example.com', kept_by: oldest, not_held_by: [younger, youngest] },
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('shared.example.com');
    // Settings are left as they were: nothing a person configured is rewritten behind their back.
    const settings = await db
      .selectFrom('apps')
      .select('settings')
      .where('id', '=', younger)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(settings.settings).public_url).toBe('https://shared.example.com');
  });

  it('leaves a unique index: a second app on a held host is refused by the database', async () => {
    const held = await seedApp('https://held.example.com', 1);
    const other = await seedApp(null, 2);
    await migrateToLatest(handle.db);
    await expect(
      db.updateTable('apps').set({ public_host: 'held.example.com' }).where('id', '=', other).execute(),
    ).rejects.toThrow();
    expect((await hosts())[held]).toBe('held.example.com');
    expect((await hosts())[other]).toBeNull();
  });
});

describe("the migration's host rule", () => {
  it.each([
    'https://auth.example.com',
    'HTTPS://Auth.Example.COM:443/login',
    'http://auth.example.com:80/',
    'http://auth.example.com:443',
    'https://auth.example.com:80',
    'https://auth.example.com.',
    'https://auth.example.com:8443/x',
    'https://[::1]:8080',
    'https://127.0.0.1',
    'https://xn--bcher-kva.example',
  ])('agrees with the app code on %s', (url) => {
    expect(hostOfPublicUrl(url)).toBe(publicHostOf(url));
  });
});
