/**
 * Apps and API keys are cached in every process (storage/config-cache.ts). What another process changes, or an
 * operator by hand in SQL, takes effect in this one within a second: a revoked key stops working, a narrowed
 * redirect allowlist refuses what it no longer holds.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';

/** Runs one statement through a connection of its own, as another process would. */
async function elsewhere(server: TestServer, text: string, params: unknown[]): Promise<void> {
  if (server.db.target.kind === 'sqlite') {
    const sqlite = new SqliteDatabase(server.db.target.path);
    try {
      sqlite.prepare(text.replace(/\$\d+/g, '?')).run(...params);
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: server.db.url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

const withinASecond = (what: string, probe: () => Promise<boolean>) =>
  eventually(what, async () => ((await probe()) ? true : undefined), 1000);

describe.each(DIALECTS)('config changed by another process on %s', (dialect) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(dialect);
  });
  afterEach(async () => server?.close());

  const create = (body: Record<string, unknown> = {}) =>
    server.api('POST', '/v1/magic-links', { email: uniqueEmail(), ...body });

  it('stops taking a key revoked elsewhere within a second', async () => {
    for (let i = 0; i < 3; i++) expect((await create()).statusCode).toBe(201);
    await elsewhere(server, 'update api_keys set revoked_at = $1 where app_id = $2 and revoked_at is null', [
      Date.now(),
      server.appId,
    ]);
    await withinASecond('the key to be refused', async () => (await create()).statusCode === 401);
  });

  it('refuses a redirect taken off the allowlist elsewhere within a second', async () => {
    const redirect_url = 'https://app.example.com/after';
    for (let i = 0; i < 3; i++) expect((await create({ redirect_url })).statusCode).toBe(201);
    const settings = JSON.parse((await server.ctx.store.getApp(server.appId))?.settings ?? '{}') as Record<
      string,
      unknown
    >;
    settings.allowed_redirects = ['https://other.example.com'];
    await elsewhere(server, 'update apps set settings = $1 where id = $2', [
      JSON.stringify(settings),
      server.appId,
    ]);
    await withinASecond('the redirect to be refused', async () => {
      const res = await create({ redirect_url });
      return res.statusCode === 400 || res.statusCode === 422;
    });
  });
});

describe('config changed by another process on SQLite', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer('sqlite');
  });
  afterEach(async () => server?.close());

  // SQLite needs no notification: `PRAGMA data_version` tells the cache, read once per turn of the event loop
  // (storage/once-per-turn.ts). A request arriving over a socket after the commit is in a later turn, so it is refused.
  it('refuses a key revoked elsewhere on the very next request over HTTP', async () => {
    const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const create = () =>
      fetch(`${base}/v1/magic-links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail() }),
      });
    for (let i = 0; i < 3; i++) expect((await create()).status).toBe(201);
    await elsewhere(server, 'update api_keys set revoked_at = $1 where app_id = $2 and revoked_at is null', [
      Date.now(),
      server.appId,
    ]);
    expect((await create()).status).toBe(401);
  });
});
