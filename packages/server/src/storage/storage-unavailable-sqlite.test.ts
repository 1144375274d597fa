import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenLinkInvariants } from '../test-support/link-invariants.js';
import {
  type BreakableDisk,
  type FillableDisk,
  loopExt4Unavailable,
  mountExt4,
  mountTmpfs,
  tmpfsUnavailable,
} from '../test-support/small-disks.js';
import {
  createTestLink,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

interface LogLine {
  level: number;
  msg?: string;
  storage?: string;
}

function expectStorageUnavailable(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(503);
  const { error } = res.json() as { error: { code: string; message: string } };
  expect(error.code).toBe('storage_unavailable');
  expect(error.message).toMatch(/Retry/);
  expect(res.headers['retry-after']).toBe('5');
}

/** Starts a test server whose data directory is `dir`, logging into `lines`. */
function serverIn(dir: string, lines: string[]): Promise<TestServer> {
  return startTestServer('sqlite', {
    env: { LATCHKEY_DATA_DIR: dir },
    logDestination: { write: (line: string) => lines.push(line) },
  });
}

/** Every rule of link-invariants.ts, checked on the database file through a connection of its own. */
async function expectInvariants(path: string): Promise<void> {
  const observer = new SqliteDatabase(path, { readonly: true });
  try {
    expect(await brokenLinkInvariants((sql) => observer.prepare(sql).all())).toEqual({});
  } finally {
    observer.close();
  }
}

/** The per-IP limit of public endpoints on, so the hosted POST counts its hit in the database first. */
async function countPublicRequests(server: TestServer): Promise<void> {
  const res = await server.api('PATCH', `/v1/apps/${server.appId}`, {
    rate_limits: { public_requests_per_ip: { limit: 1000, window_seconds: 60 } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

const noTmpfs = tmpfsUnavailable();

describe.skipIf(noTmpfs !== undefined)('embedded SQLite on a full disk', () => {
  const lines: string[] = [];
  let disk: FillableDisk;
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    disk = mountTmpfs(8 << 20);
    dataDir = join(disk.dir, 'data');
    server = await serverIn(dataDir, lines);
    await countPublicRequests(server);
  });

  afterAll(async () => {
    try {
      disk?.free();
    } catch {}
    await server?.close();
    disk?.unmount();
  });

  it('answers writes with 503 storage_unavailable, keeps reading, and writes again with nothing half-written once space returns', async () => {
    const created = await Promise.all(
      Array.from({ length: 3 }, () => createTestLink(server, { email: uniqueEmail(), send: true })),
    );
    const [spare, embedded, other] = created as [
      (typeof created)[number],
      (typeof created)[number],
      (typeof created)[number],
    ];

    disk.fill();

    // Creates in parallel share one batch and so one COMMIT: every one of them hears that it failed.
    const creates = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true }),
      ),
    );
    for (const res of creates) expectStorageUnavailable(res);
    expectStorageUnavailable(await server.app.inject({ method: 'POST', url: `/l/${spare.token}` }));
    expectStorageUnavailable(await server.api('POST', '/v1/magic-links/redeem', { token: embedded.token }));
    expectStorageUnavailable(await server.api('POST', `/v1/magic-links/${other.id}/revoke`));

    // The process is up and reads that need no write still answer; so does /readyz, which only reads.
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const read = await server.api('GET', `/v1/magic-links/${spare.id}`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().status).not.toBe('redeemed');
    expect((await server.api('GET', '/v1/magic-links')).json().data).toHaveLength(3);

    // The operator's log names the cause at error level.
    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    const outage = logged.find((line) => line.storage === 'disk_full');
    expect(outage?.level).toBe(50);
    expect(outage?.msg).toMatch(/disk is full/);

    disk.free();

    const after = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true });
    expect(after.statusCode, after.body).toBe(201);
    // The links whose redemption failed were not spent.
    expect((await server.app.inject({ method: 'POST', url: `/l/${spare.token}` })).statusCode).toBe(303);
    const redeemed = await server.api('POST', '/v1/magic-links/redeem', { token: embedded.token });
    expect(redeemed.statusCode, redeemed.body).toBe(200);

    const links = (await server.api('GET', '/v1/magic-links')).json().data as Array<{ id: string }>;
    expect(links.map((l) => l.id).sort()).toEqual(
      [...created.map((l) => l.id), after.json().magic_link.id].sort(),
    );
    await expectInvariants(join(dataDir, 'latchkey.db'));
  });
});

if (noTmpfs) describe('embedded SQLite on a full disk', () => it.skip(noTmpfs));

const noLoop = noTmpfs ?? loopExt4Unavailable();

/**
 * A read-only volume under a running server. A tmpfs cannot be remounted read-only while files on it are open for
 * writing (the kernel answers EBUSY), which is always the case with a database open; ext4 mounted with
 * `errors=remount-ro` turns read-only at once on a file-system error, open files included, as a failing disk does.
 */
describe.skipIf(noLoop !== undefined)('embedded SQLite on a volume that turns read-only', () => {
  const lines: string[] = [];
  let disk: BreakableDisk;
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    disk = mountExt4(32 << 20);
    dataDir = join(disk.dir, 'data');
    server = await serverIn(dataDir, lines);
    await countPublicRequests(server);
  });

  afterAll(async () => {
    await server?.close();
    disk?.unmount();
  });

  it('answers writes with 503 storage_unavailable, keeps reading, and stays up', async () => {
    const link = await createTestLink(server, { email: uniqueEmail(), send: true });

    disk.turnReadOnly();

    const creates = await Promise.all(
      Array.from({ length: 4 }, () =>
        server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true }),
      ),
    );
    for (const res of creates) expectStorageUnavailable(res);
    expectStorageUnavailable(await server.app.inject({ method: 'POST', url: `/l/${link.token}` }));

    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const read = await server.api('GET', `/v1/magic-links/${link.id}`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().status).not.toBe('redeemed');

    const logged = lines.map((line) => JSON.parse(line) as LogLine);
    expect(logged.some((line) => line.level === 50 && line.storage === 'io_error')).toBe(true);
    await expectInvariants(join(dataDir, 'latchkey.db'));
  });
});

if (noLoop) describe('embedded SQLite on a volume that turns read-only', () => it.skip(noLoop));
