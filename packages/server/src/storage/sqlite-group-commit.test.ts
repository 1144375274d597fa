import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TestDb {
  items: { id: number; parent: number | null; name: string };
}

/**
 * The group-commit driver, seen from outside: `observer` is a second connection to the same file, standing in for
 * another process, so "visible to the observer" means "committed".
 */
describe('SQLite group commit', () => {
  let dir: string;
  let db: Kysely<TestDb>;
  let observer: SqliteDatabase.Database;

  const committedNames = () =>
    (observer.prepare('select name from items order by id').pluck().all() as string[]).sort();
  const insert = (id: number, name: string, parent: number | null = null) =>
    db.insertInto('items').values({ id, name, parent }).execute();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-group-commit-'));
    const path = join(dir, 'test.db');
    const sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<TestDb>({ dialect: new GroupCommitSqliteDialect(sqlite) });
    // A deferred foreign key is checked only at COMMIT: the way to make a whole batch's COMMIT fail.
    await sql`create table items (
      id integer primary key,
      parent integer references items (id) deferrable initially deferred,
      name text not null unique
    )`.execute(db);
    observer = new SqliteDatabase(path);
  });

  afterEach(async () => {
    observer.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns from a write only once it is committed', async () => {
    await insert(1, 'a');
    expect(committedNames()).toEqual(['a']);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 2, name: 'b', parent: null }).execute();
      await trx.insertInto('items').values({ id: 3, name: 'c', parent: 2 }).execute();
    });
    expect(committedNames()).toEqual(['a', 'b', 'c']);
  });

  it('commits concurrent writes together, in one transaction', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => insert(i + 1, `n${i}`));
    // When the first returns, all of them are committed: they shared its COMMIT.
    await writes[0];
    expect(committedNames()).toHaveLength(10);
    await Promise.all(writes);
  });

  it('lets a write of the next turn join the open batch', async () => {
    const first = insert(1, 'first');
    // The end of the first write's turn, and into the next.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    // Its batch is still open: it is committed at the end of this turn, with this write in it.
    expect(committedNames()).toEqual([]);
    const second = insert(2, 'second');
    await first;
    expect(committedNames()).toEqual(['first', 'second']);
    await second;
  });

  it('rolls back a failing transaction alone, keeping the others of its batch', async () => {
    const results = await Promise.allSettled([
      db
        .transaction()
        .execute((trx) => trx.insertInto('items').values({ id: 1, name: 'kept-1', parent: null }).execute()),
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'undone', parent: null }).execute();
        throw new Error('plan failed');
      }),
      db
        .transaction()
        .execute((trx) => trx.insertInto('items').values({ id: 3, name: 'kept-3', parent: null }).execute()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedNames()).toEqual(['kept-1', 'kept-3']);
  });

  it('fails only the statement that breaks a constraint, not its batch', async () => {
    await insert(1, 'taken');
    const results = await Promise.allSettled([insert(2, 'fine'), insert(3, 'taken'), insert(4, 'also fine')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedNames()).toEqual(['also fine', 'fine', 'taken']);
  });

  it('fails every write of a batch whose COMMIT fails, and commits the next batch normally', async () => {
    const results = await Promise.allSettled([insert(1, 'innocent'), insert(2, 'orphan', 999)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
    });
    expect(committedNames()).toEqual([]);

    await insert(3, 'later');
    expect(committedNames()).toEqual(['later']);
  });

  it('lets one of many concurrent guarded updates win', async () => {
    await insert(1, 'open');
    const claims = await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (trx) => {
          const won = await trx
            .updateTable('items')
            .set({ name: 'claimed' })
            .where('id', '=', 1)
            .where('name', '=', 'open')
            .returningAll()
            .executeTakeFirst();
          return won !== undefined;
        }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(committedNames()).toEqual(['claimed']);
  });

  it('waits for a transaction that spans several turns before committing its batch', async () => {
    const slow = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, name: 'first half', parent: null }).execute();
      await sleep(20);
      await trx.insertInto('items').values({ id: 2, name: 'second half', parent: 1 }).execute();
    });
    await sleep(5);
    // The batch's turn has passed, but half a transaction is never committed.
    expect(committedNames()).toEqual([]);
    await slow;
    expect(committedNames()).toEqual(['first half', 'second half']);
  });

  it('makes another connection wait for the write lock while a batch is open', async () => {
    const write = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, name: 'ours', parent: null }).execute();
      await sleep(20);
    });
    await sleep(5);
    // The batch holds the write lock (BEGIN IMMEDIATE) until its COMMIT: another writer cannot slip in between.
    observer.pragma('busy_timeout = 0');
    expect(() => observer.prepare("insert into items (id, name) values (2, 'theirs')").run()).toThrow(
      /locked|busy/i,
    );
    await write;
    observer.prepare("insert into items (id, name) values (2, 'theirs')").run();
    expect(committedNames()).toEqual(['ours', 'theirs']);
  });

  it('waits for another connection in the same thread without blocking it', async () => {
    // Two stores on one file in one process (tests do this to stand in for two processes): a blocking busy wait
    // would keep the first from ever committing.
    const sqlite = new SqliteDatabase(join(dir, 'test.db'));
    const second = new Kysely<TestDb>({ dialect: new GroupCommitSqliteDialect(sqlite) });
    try {
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => insert(i + 1, `first-${i}`)),
        ...Array.from({ length: 5 }, (_, i) =>
          second
            .insertInto('items')
            .values({ id: i + 11, name: `second-${i}`, parent: null })
            .execute(),
        ),
      ]);
    } finally {
      await second.destroy();
    }
    expect(committedNames()).toHaveLength(10);
  });

  it('commits a pending batch when the database is closed', async () => {
    const write = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, name: 'last words', parent: null }).execute();
      await sleep(20);
    });
    await sleep(5);
    const closing = db.destroy();
    await write;
    await closing;
    expect(committedNames()).toEqual(['last words']);
    // afterEach destroys again; a second destroy must be harmless.
    db = new Kysely<TestDb>({ dialect: new GroupCommitSqliteDialect(new SqliteDatabase(':memory:')) });
  });
});
