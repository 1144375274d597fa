import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/databases.js';
import { preparedStatementsOption } from './database.js';
import { preparingPool, type QueryClass } from './prepared-statements.js';

describe('named statements on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<Record<string, Record<string, unknown>>>;
  const open = (limit?: number) => {
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    db = new Kysely({
      dialect: new PostgresDialect({
        pool: preparingPool(pool, pg.Query as unknown as QueryClass, { limit }),
      }),
    });
  };
  /** The statements the pool's one connection has prepared, by text. */
  const prepared = async () =>
    (
      await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements order by statement`.execute(db)
    ).rows.map((r) => r.statement);

  beforeEach(async () => {
    database = await createTestDatabase('postgres');
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    await setup.query('create table notes (id int primary key, body text)');
    await setup.end();
  });
  afterEach(async () => {
    await db?.destroy();
    await database.drop();
  });

  it('prepares a text once per connection and runs it again by name, with the new values', async () => {
    open();
    for (const id of [1, 2, 3])
      await db
        .insertInto('notes')
        .values({ id, body: `n${id}` })
        .execute();
    const rows = await db
      .selectFrom('notes')
      .select(['id', 'body'])
      .where('id', '>', 1)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 2, body: 'n2' },
      { id: 3, body: 'n3' },
    ]);
    const texts = await prepared();
    // One insert text for the three rows, the select, and the query that lists them.
    expect(texts.filter((t) => t.startsWith('insert into "notes"'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('select "id", "body" from "notes"'))).toHaveLength(1);
  });

  it('names no more texts than its limit, and runs the rest unnamed', async () => {
    open(2);
    for (let n = 1; n <= 5; n++) {
      const values = Array.from({ length: n }, (_, i) => ({ id: n * 10 + i, body: 'x' }));
      await db.insertInto('notes').values(values).execute();
    }
    expect(await db.selectFrom('notes').select('id').execute()).toHaveLength(15);
    expect(await prepared()).toHaveLength(2);
  });

  it('leaves transactions and savepoints to PostgreSQL, and rolls a transaction back whole', async () => {
    open();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 1, body: 'kept?' }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.selectFrom('notes').select('id').execute()).toEqual([]);
    const texts = await prepared();
    expect(texts.some((t) => /^(begin|commit|rollback|savepoint)/i.test(t))).toBe(false);
  });

  it('runs a statement again when a migration elsewhere changed its table, outside a transaction', async () => {
    open();
    await db.insertInto('notes').values({ id: 1, body: 'a' }).execute();
    const read = () => sql`select * from notes where id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, body: 'a' }]);
    await alterElsewhere('alter table notes add column tag text');
    // PostgreSQL refuses the named statement (its result columns changed); the pool runs it again unnamed.
    expect((await read()).rows).toEqual([{ id: 1, body: 'a', tag: null }]);
    expect((await read()).rows).toEqual([{ id: 1, body: 'a', tag: null }]);
  });

  it('fails the transaction a changed table aborted, and names the statement afresh for the next request', async () => {
    open();
    await db.insertInto('notes').values({ id: 1, body: 'a' }).execute();
    const read = (q: Kysely<Record<string, Record<string, unknown>>>) =>
      sql`select * from notes where id = ${1}`.execute(q);
    await read(db);
    await alterElsewhere('alter table notes add column tag text');
    await expect(db.transaction().execute((trx) => read(trx))).rejects.toThrow(/cached plan/);
    const again = await db.transaction().execute((trx) => read(trx));
    expect(again.rows).toEqual([{ id: 1, body: 'a', tag: null }]);
  });

  async function alterElsewhere(statement: string) {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query(statement);
    await other.end();
  }
});

describe('the prepared_statements URL parameter', () => {
  it('is on by default, off with prepared_statements=false, and taken out of the URL pg sees', () => {
    expect(preparedStatementsOption('postgres://u@db/latchkey')).toEqual({
      url: 'postgres://u@db/latchkey',
      prepare: true,
    });
    expect(
      preparedStatementsOption('postgres://u@db/latchkey?prepared_statements=false&sslmode=require'),
    ).toEqual({ url: 'postgres://u@db/latchkey?sslmode=require', prepare: false });
    expect(preparedStatementsOption('postgres://u@db/latchkey?prepared_statements=true').prepare).toBe(true);
    // A URL the WHATWG parser refuses (pg reads socket paths it cannot) keeps the default.
    expect(preparedStatementsOption('socket:/var/run/postgresql?db=latchkey').prepare).toBe(true);
  });
});
