import { CompiledQuery, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../test-support/databases.js';
import { type DatabaseHandle, openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';
import {
  describeQuery,
  type ObservedQuery,
  type QueryObserver,
  type QueryOutcome,
} from './query-observer.js';

/** An observer that counts: the kind a later per-request statement count can be. */
function recorder(): QueryObserver & { seen: Array<ObservedQuery & { outcome?: QueryOutcome }> } {
  const seen: Array<ObservedQuery & { outcome?: QueryOutcome }> = [];
  return {
    seen,
    onQuery(query) {
      const entry: ObservedQuery & { outcome?: QueryOutcome } = { ...query };
      seen.push(entry);
      return (outcome) => {
        expect(entry.outcome, 'ended twice').toBeUndefined();
        entry.outcome = outcome;
      };
    },
  };
}

describe.each(DIALECTS)('the statement observer on %s', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  it('sees every statement, those of transactions too, with its outcome and without its values', async () => {
    database = await createTestDatabase(dialect);
    const observer = recorder();
    handle = openDatabase(database.target, { observer });
    await migrateToLatest(handle.db);
    observer.seen.length = 0;
    await handle.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('latchkey_meta')
        .values({ key: 'observed', value: 'secret-value', created_at: 1 })
        .execute();
      await trx
        .updateTable('latchkey_meta')
        .set({ value: 'other-secret' })
        .where('key', '=', 'observed')
        .execute();
    });
    const rows = await handle.db
      .selectFrom('latchkey_meta')
      .selectAll()
      .where('key', '=', 'observed')
      .execute();
    expect(rows).toHaveLength(1);
    await expect(sql`select * from no_such_table`.execute(handle.db)).rejects.toThrow();
    const ours = observer.seen.filter((q) => q.table !== undefined);
    expect(ours.map((q) => [q.dialect, q.operation, q.table, q.outcome?.rows])).toEqual([
      [dialect, 'INSERT', 'latchkey_meta', 1],
      [dialect, 'UPDATE', 'latchkey_meta', 1],
      [dialect, 'SELECT', 'latchkey_meta', 1],
      [dialect, 'SELECT', 'no_such_table', undefined],
    ]);
    expect(ours.at(-1)!.outcome!.error).toBeInstanceOf(Error);
    // The driver's own BEGIN and COMMIT are round trips too, and a count of statements must see them.
    expect(observer.seen.map((q) => q.operation)).toEqual(expect.arrayContaining(['BEGIN', 'COMMIT']));
    expect(observer.seen.every((q) => q.outcome !== undefined)).toBe(true);
    expect(JSON.stringify(observer.seen.map(({ outcome: _o, ...q }) => q))).not.toMatch(/secret/);
  });
});

describe('what is told of a statement', () => {
  const compiled = (text: string) => CompiledQuery.raw(text, []);
  it.each([
    ["update outbox set status = 'sending' where id in (select id from outbox)", 'UPDATE', 'outbox'],
    ['insert into "events" ("id") values ($1)', 'INSERT', 'events'],
    ['delete from used_tokens where expires_at < ?', 'DELETE', 'used_tokens'],
    ['begin immediate', 'BEGIN', undefined],
    [
      'with "w0" as (insert into "magic_links" ("id") values ($1)) select 1 as "done"',
      'INSERT',
      'magic_links',
    ],
    ['savepoint lk_batch', 'SAVEPOINT', undefined],
    ['create table if not exists "kysely_migration" ("name" varchar)', 'CREATE', 'kysely_migration'],
  ])('%s: %s %s', (text, operation, table) => {
    expect(describeQuery(compiled(text), 'sqlite')).toEqual({ dialect: 'sqlite', operation, table });
  });
});
