import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FillableDisk, mountTmpfs, tmpfsUnavailable } from '../test-support/small-disks.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';

interface TestDb {
  items: { id: number; name: string };
}

const unavailable = tmpfsUnavailable();

/**
 * The group-commit driver on a disk that fills up: a real tmpfs of 1 MiB, filled to the last byte by another file.
 * `observer` is a second connection, so "visible to the observer" means "committed".
 */
describe.skipIf(unavailable !== undefined)('SQLite group commit on a full disk', () => {
  let disk: FillableDisk;
  let sqlite: SqliteDatabase.Database;
  let db: Kysely<TestDb>;
  let observer: SqliteDatabase.Database;
  let nextId = 1;

  const committedIds = () => observer.prepare('select id from items order by id').pluck().all() as number[];
  const insert = (into: Kysely<TestDb> = db) => {
    const id = nextId++;
    return into
      .insertInto('items')
      .values({ id, name: 'small' })
      .execute()
      .then(() => id);
  };

  beforeAll(() => {
    disk = mountTmpfs(1 << 20);
  });

  afterAll(() => {
    disk?.unmount();
  });

  beforeEach(async () => {
    const path = join(disk.dir, `test-${nextId}.db`);
    sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('temp_store = MEMORY');
    db = new Kysely<TestDb>({ dialect: new GroupCommitSqliteDialect(sqlite) });
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
    observer = new SqliteDatabase(path);
  });

  afterEach(async () => {
    try {
      disk.free();
    } catch {}
    observer.close();
    await db.destroy();
  });

  it('fails every write of a batch whose COMMIT meets the full disk, then commits again once there is space', async () => {
    const before = await insert();
    disk.fill();
    // Ten callers in one turn share one batch and so one COMMIT.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => db.transaction().execute((trx) => insert(trx))),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    }
    expect(committedIds()).toEqual([before]);
    // No transaction is left open on the connection.
    expect(sqlite.inTransaction).toBe(false);
    // Reads still work while the disk is full.
    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: before }]);

    disk.free();
    const after = await Promise.all([insert(), insert()]);
    expect(committedIds()).toEqual([before, ...after]);
  });

  it('acknowledges a write only if it was committed when a statement meets the full disk mid-batch', async () => {
    disk.fill();
    const big = 'x'.repeat(100_000);
    let wentOn = false;
    const outcomes = await Promise.allSettled([
      insert(),
      // Far more than the page cache holds: SQLite must write pages out mid-transaction, meets the full disk and
      // rolls back the whole batch.
      db.transaction().execute(async (trx) => {
        for (let i = 0; i < 300; i++) {
          try {
            await trx
              .insertInto('items')
              .values({ id: 1000 + i, name: big })
              .execute();
          } catch {
            // A caller that swallows the error and writes on, after space came back, must not get half a
            // transaction committed.
            disk.free();
            wentOn = true;
            await trx.insertInto('items').values({ id: 999, name: 'second half' }).execute();
            return;
          }
        }
      }),
      insert(),
    ]);
    expect(wentOn).toBe(true);
    expect(outcomes[1]!.status).toBe('rejected');
    expect(committedIds()).not.toContain(999);
    const committed = new Set(committedIds());
    for (const outcome of [outcomes[0]!, outcomes[2]!]) {
      if (outcome.status === 'fulfilled') expect(committed.has(outcome.value as number)).toBe(true);
    }
    expect(sqlite.inTransaction).toBe(false);
    await insert();
  });
});

if (unavailable) describe('SQLite group commit on a full disk', () => it.skip(unavailable));
