import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { storageOutage } from './storage-errors.js';

/** A loopback port nothing listens on (taken and released again). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The error `attempt` throws or rejects with. */
async function errorOf(attempt: () => unknown): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** Real errors from real parts, each classified: an outage of the database, or not. */
describe('storageOutage', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-storage-errors-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a refused connection of the database pool for an unreachable database', async () => {
    const handle = openDatabase({
      kind: 'postgres',
      url: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    });
    try {
      const error = await errorOf(() => sql`select 1`.execute(handle.db));
      expect(storageOutage(error)?.kind).toBe('unreachable');
    } finally {
      await handle.close();
    }
  });

  it('does not take the same network error from anything else (mail, Redis, webhooks) for the database', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: await closedPort() });
    const [error] = (await once(socket, 'error').catch((e: unknown) => [e])) as [unknown];
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(storageOutage(error)).toBeUndefined();
  });

  it('takes a write to a read-only SQLite database for read_only, and a damaged file for no outage', async () => {
    const path = join(dir, 'readonly.db');
    new SqliteDatabase(path).exec('create table t (x)').close();
    const readonly = new SqliteDatabase(path, { readonly: true });
    try {
      const error = await errorOf(() => readonly.exec('insert into t values (1)'));
      expect(storageOutage(error)?.kind).toBe('read_only');
    } finally {
      readonly.close();
    }
    // Not a database at all: retrying does not help, so it stays an internal error for an operator to look at.
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    const damaged = new SqliteDatabase(garbage);
    try {
      const error = await errorOf(() => damaged.prepare('select * from sqlite_master').all());
      expect((error as { code?: string }).code).toBe('SQLITE_NOTADB');
      expect(storageOutage(error)).toBeUndefined();
    } finally {
      damaged.close();
    }
  });

  it('follows a cause to the database error it wraps', async () => {
    const handle = openDatabase({
      kind: 'postgres',
      url: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    });
    try {
      const cause = await errorOf(() => sql`select 1`.execute(handle.db));
      expect(storageOutage(new Error('could not list links', { cause }))?.kind).toBe('unreachable');
    } finally {
      await handle.close();
    }
  });
});
