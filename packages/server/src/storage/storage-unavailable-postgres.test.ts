import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../test-support/databases.js';
import { brokenLinkInvariants } from '../test-support/link-invariants.js';
import { startTcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';
import {
  createTestLink,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { type DatabaseHandle, openDatabase } from './database.js';
import { storageOutage } from './storage-errors.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest any answer may take: the pool's connect timeout in these tests (2 s) and some slack. */
const ANSWER_WITHIN_MS = 4500;

interface Answer {
  what: 'create' | 'hosted redeem' | 'embedded redeem' | 'readyz';
  token?: string;
  res: LightMyRequestResponse;
  ms: number;
}

/** A URL that goes through the proxy, names its connections `appName`, and gives up connecting after 2 s. */
function throughProxy(proxy: TcpProxy, appName: string) {
  return (url: string) => {
    const routed = new URL(proxy.route(url));
    routed.searchParams.set('application_name', appName);
    routed.searchParams.set('connect_timeout', '2');
    return routed.toString();
  };
}

/** Ends every backend this test's server holds, as a PostgreSQL restart does (57P01 admin_shutdown to each). */
async function terminateBackends(admin: pg.Client, appName: string): Promise<number> {
  const { rowCount } = await admin.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
    [appName],
  );
  return rowCount ?? 0;
}

/** Runs `request`, failing the test if it takes longer than ANSWER_WITHIN_MS (a hang). */
async function timed(
  what: Answer['what'],
  request: () => Promise<LightMyRequestResponse>,
  token?: string,
): Promise<Answer> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([
    request(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} hung for ${ANSWER_WITHIN_MS} ms`)),
        ANSWER_WITHIN_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return { what, res, ms: Date.now() - started, ...(token ? { token } : {}) };
}

function isStorageUnavailable(res: LightMyRequestResponse): boolean {
  if (res.statusCode !== 503) return false;
  const code = (res.json() as { error?: { code?: string } }).error?.code;
  return code === 'storage_unavailable' && res.headers['retry-after'] === '5';
}

/** Success, the losing side of a race for one link, or a 503 storage_unavailable with Retry-After; nothing else. */
function expectAcceptable(answer: Answer): void {
  const { res, what } = answer;
  const label = `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (what === 'readyz') {
    expect([200, 503], label).toContain(res.statusCode);
    if (res.statusCode === 503) expect(res.json().error.code, label).toBe('not_ready');
    return;
  }
  if (isStorageUnavailable(res)) return;
  const ok = { create: [201], 'hosted redeem': [303, 410], 'embedded redeem': [200, 410] }[what];
  expect(ok, label).toContain(res.statusCode);
  if (res.statusCode === 410 && what === 'embedded redeem') expect(res.json().error.code).toBe('link_used');
}

const won = (answer: Answer) =>
  (answer.what === 'hosted redeem' && answer.res.statusCode === 303) ||
  (answer.what === 'embedded redeem' && answer.res.statusCode === 200);

describe('PostgreSQL restarted under load', () => {
  const appName = `lk_outage_${randomBytes(5).toString('hex')}`;
  let proxy: TcpProxy;
  let server: TestServer;
  let admin: pg.Client;
  const answers: Answer[] = [];

  const create = () =>
    timed('create', () => server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true }));
  const hosted = (token: string) =>
    timed('hosted redeem', () => server.app.inject({ method: 'POST', url: `/l/${token}` }), token);
  const embedded = (token: string) =>
    timed('embedded redeem', () => server.api('POST', '/v1/magic-links/redeem', { token }), token);
  const readyz = () => timed('readyz', () => server.app.inject({ method: 'GET', url: '/readyz' }));
  const record = async (pending: Array<Promise<Answer>>) => {
    const settled = await Promise.all(pending);
    answers.push(...settled);
    return settled;
  };

  beforeAll(async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(TEST_POSTGRES_URL).port || 5432));
    server = await startTestServer('postgres', { databaseUrl: throughProxy(proxy, appName) });
    admin = new pg.Client({ connectionString: server.db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await proxy?.listen('forward');
    await server?.close();
    await proxy?.close();
  });

  it('answers 503 storage_unavailable with Retry-After during the outage, recovers by itself, and loses or repeats nothing', async () => {
    const links = await Promise.all(
      Array.from({ length: 6 }, () => createTestLink(server, { email: uniqueEmail(), send: true })),
    );

    // A burst of creates, redemption races and readiness probes while the server's backends are killed, again and
    // again, as a restart does.
    let terminated = 0;
    for (const [round, link] of links.entries()) {
      const burst = record([
        ...Array.from({ length: 4 }, create),
        ...Array.from({ length: 6 }, () => hosted(link.token)),
        ...Array.from({ length: 3 }, () => embedded(link.token)),
        readyz(),
      ]);
      await sleep(2 + round * 3);
      terminated += await terminateBackends(admin, appName);
      await burst;
    }
    // The fault was real: the server's own connections were killed under it, not a no-op on an idle pool.
    expect(terminated).toBeGreaterThan(0);

    // Down: connections dropped and the port closed, as while PostgreSQL restarts. /readyz says so, and every
    // request is refused at once with a 503, never a 500 and never a hang.
    await proxy.refuse();
    proxy.dropConnections();
    await terminateBackends(admin, appName);
    const down = await record([readyz(), ...Array.from({ length: 4 }, create), hosted(links[0]!.token)]);
    expect(down[0]!.res.statusCode).toBe(503);
    expect(down[0]!.res.json().error.code).toBe('not_ready');
    for (const answer of down.slice(1)) expect(isStorageUnavailable(answer.res), answer.res.body).toBe(true);

    // Hanging: connections are accepted but never answered. The pool gives up after its connect timeout (2 s).
    await proxy.listen('hang');
    const hung = await record([readyz(), create()]);
    expect(hung[0]!.res.statusCode).toBe(503);
    expect(isStorageUnavailable(hung[1]!.res), hung[1]!.res.body).toBe(true);
    for (const answer of hung) expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);

    // Back: the pool reconnects on its own.
    await proxy.listen('forward');
    proxy.dropConnections();
    let ready = await readyz();
    for (let tries = 0; ready.res.statusCode !== 200 && tries < 50; tries++) {
      await sleep(100);
      ready = await readyz();
    }
    expect(ready.res.statusCode, ready.res.body).toBe(200);
    const fresh = await createTestLink(server, { email: uniqueEmail(), send: true });
    expect((await hosted(fresh.token)).res.statusCode).toBe(303);

    // Every answer was a success, a lost race, or a 503 storage_unavailable; the outage was actually met.
    for (const answer of answers) expectAcceptable(answer);
    expect(answers.filter((a) => isStorageUnavailable(a.res)).length).toBeGreaterThan(0);

    // Exactly once: at most one redemption of each link succeeded, and the database agrees.
    for (const link of links) {
      expect(answers.filter((a) => a.token === link.token && won(a)).length).toBeLessThanOrEqual(1);
    }
    // Nothing lost: each link a create answered 201 for is stored, with its outbox message.
    const createdIds = answers
      .filter((a) => a.what === 'create' && a.res.statusCode === 201)
      .map((a) => a.res.json().magic_link.id as string);
    const { rows } = await admin.query<{ link_id: string }>(
      'select link_id from outbox where link_id = any($1)',
      [createdIds],
    );
    expect(rows.map((r) => r.link_id).sort()).toEqual([...createdIds].sort());
    expect(await brokenLinkInvariants(async (text) => (await admin.query(text)).rows)).toEqual({});
  }, 120_000);
});

describe('a PostgreSQL connection lost while a request holds it', () => {
  const appName = `lk_held_${randomBytes(5).toString('hex')}`;
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const url = new URL(database.url);
    url.searchParams.set('application_name', appName);
    handle = openDatabase({ kind: 'postgres', url: url.toString() });
    admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await database?.drop();
  });

  it('fails the next query with an outage error instead of ending the process, and the pool goes on', async () => {
    const failure = await handle.db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // Between two queries of a transaction the connection is lost: pg reports it as an 'error' event of the
        // client, which nobody but the pool's idle listener would hear.
        await terminateBackends(admin, appName);
        await sleep(200);
        await sql`select 1`.execute(trx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(storageOutage(failure)?.kind).toMatch(/^(unreachable|shutting_down)$/);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
