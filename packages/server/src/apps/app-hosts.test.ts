/**
 * A host belongs to one app. The host of an app's `public_url` decides which app a kid-less signed link and the
 * hosted `GET /login` are for, so an app that could take another's host could take over its links: every way two
 * apps can meet on one host is refused, on both databases, and only an admin key may move a host on purpose.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { DIALECTS } from '../test-support/databases.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const SERVER_HOST = 'auth.example.com';
const LANDING = 'https://tenant.example.com/callback';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
type Json = Record<string, any>;

interface Tenant {
  id: string;
  key: string;
}

/** A host no other test uses, so the tests of one server never meet by accident. */
const freshHost = () => `h${randomBytes(5).toString('hex')}.tenant.example`;

const errorOf = (res: LightMyRequestResponse) => (res.json() as Json).error as Json;

/** An HS256 token without `kid`, as a billing backend signs it: only the host tells which app it is for. */
function kidlessToken(secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 600;
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: randomInt(1, 1e9), exp })}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

describe.each(DIALECTS)('one host, one app, on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  const create = (body: Json) =>
    server.api(
      'POST',
      '/v1/apps',
      {
        name: `Tenant ${randomBytes(3).toString('hex')}`,
        allowed_redirects: ['https://tenant.example.com'],
        default_redirect_url: LANDING,
        ...body,
      },
      server.adminKey,
    );

  async function tenant(body: Json = {}): Promise<Tenant> {
    const res = await create(body);
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().app.id, key: res.json().api_key.key };
  }

  const patch = (app: Tenant, body: Json, key = app.key) =>
    server.api('PATCH', `/v1/apps/${app.id}`, body, key);

  /** The app as stored, read past every cache. */
  const stored = async (app: Tenant) => {
    const row = await server.ctx.store.getApp(app.id);
    return { name: row?.name, settings: JSON.parse(row?.settings ?? '{}') as Json };
  };

  const appCount = async () => (await server.ctx.store.listApps({ limit: 10_000 })).length;

  function expectHostTaken(res: LightMyRequestResponse) {
    expect(res.statusCode, res.body).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'host_taken', param: 'public_url' });
    expect(errorOf(res).message).toMatch(/\S{10,}/);
  }

  async function appUpdatedEvents(appId: string) {
    const rows = await server.ctx.store.listEvents(appId, { type: 'app.updated' }, { limit: 50 });
    return rows.map((row) => JSON.parse(row.data) as Json);
  }

  describe('claims that collide', () => {
    it('(a) refuses a PATCH to a host another app holds, and changes nothing', async () => {
      const host = freshHost();
      await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const before = await stored(b);
      const eventsBefore = (await appUpdatedEvents(b.id)).length;
      const res = await patch(b, {
        name: 'Must not stick',
        public_url: `https://${host}`,
        default_language: 'de',
      });
      expectHostTaken(res);
      expect(await stored(b)).toEqual(before);
      expect(await appUpdatedEvents(b.id)).toHaveLength(eventsBefore);
    });

    it('(b) refuses to create an app on a host another app holds, and creates none', async () => {
      const host = freshHost();
      await tenant({ public_url: `https://${host}` });
      const count = await appCount();
      expectHostTaken(await create({ public_url: `https://${host}/portal` }));
      expect(await appCount()).toBe(count);
    });

    it('(c) lets exactly one of two concurrent PATCHes claim a host', async () => {
      for (let round = 0; round < 3; round++) {
        const host = freshHost();
        const [a, b] = [await tenant(), await tenant()];
        const answers = await Promise.all([
          patch(a, { public_url: `https://${host}` }),
          patch(b, { public_url: `https://${host}` }),
        ]);
        expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 409]);
        expectHostTaken(answers.find((res) => res.statusCode === 409)!);
        const holders = [await stored(a), await stored(b)].filter(
          (app) => app.settings.public_url === `https://${host}`,
        );
        expect(holders).toHaveLength(1);
      }
    });

    it('(c) lets exactly one of two concurrent creates claim a host', async () => {
      for (let round = 0; round < 3; round++) {
        const host = freshHost();
        const count = await appCount();
        const answers = await Promise.all([
          create({ public_url: `https://${host}` }),
          create({ public_url: `HTTPS://${host.toUpperCase()}:443` }),
        ]);
        expect(answers.map((res) => res.statusCode).sort()).toEqual([201, 409]);
        expectHostTaken(answers.find((res) => res.statusCode === 409)!);
        expect(await appCount()).toBe(count + 1);
      }
    });

    it('(c) lets exactly one of a concurrent create and PATCH claim a host', async () => {
      const host = freshHost();
      const a = await tenant();
      const answers = await Promise.all([
        patch(a, { public_url: `https://${host}` }),
        create({ public_url: `https://${host}` }),
      ]);
      const won = answers.filter((res) => res.statusCode === 200 || res.statusCode === 201);
      expect(won, answers.map((res) => res.body).join('\n')).toHaveLength(1);
      expectHostTaken(answers.find((res) => res.statusCode === 409)!);
    });
  });

  describe('one host, however it is spelled', () => {
    it.each([
      ['upper case and the default port', (host: string) => `HTTPS://${host.toUpperCase()}:443`],
      ['http on its default port', (host: string) => `http://${host}`],
      ['http with port 80 spelled out', (host: string) => `http://${host}:80/`],
      ['a trailing dot', (host: string) => `https://${host}.`],
      ['a path under it', (host: string) => `https://${host}/billing`],
    ])('refuses %s', async (_name, spell) => {
      const host = freshHost();
      await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const before = await stored(b);
      expectHostTaken(await patch(b, { public_url: spell(host) }));
      expect(await stored(b)).toEqual(before);
    });

    it('counts another port as another host', async () => {
      const host = freshHost();
      await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const res = await patch(b, { public_url: `https://${host}:8443` });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('lets an app save its own host again, in any spelling', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const res = await patch(a, { public_url: `HTTPS://${host.toUpperCase()}:443/`, name: 'Still mine' });
      expect(res.statusCode, res.body).toBe(200);
      expect((await patch(a, { default_language: 'fr' })).statusCode).toBe(200);
    });

    it('frees a host when its app sets public_url to null', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      expect((await patch(a, { public_url: null })).statusCode).toBe(200);
      expect((await patch(b, { public_url: `https://${host}` })).statusCode).toBe(200);
    });

    it('frees a host when its app moves to another one', async () => {
      const [host, next] = [freshHost(), freshHost()];
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      expect((await patch(a, { public_url: `https://${next}` })).statusCode).toBe(200);
      expect((await patch(b, { public_url: `https://${host}` })).statusCode).toBe(200);
    });
  });

  describe("the server's own host", () => {
    const spellings = [
      `https://${SERVER_HOST}`,
      `HTTPS://Auth.Example.COM:443/login`,
      `http://${SERVER_HOST}`,
      `https://${SERVER_HOST}.`,
    ];

    it.each(spellings)('refuses %s to an app key', async (url) => {
      const a = await tenant();
      const before = await stored(a);
      expectHostTaken(await patch(a, { public_url: url }));
      expect(await stored(a)).toEqual(before);
    });

    it.each(spellings)('refuses %s to the admin key, even with move_host', async (url) => {
      const a = await tenant();
      const before = await stored(a);
      expectHostTaken(await patch(a, { public_url: url }, server.adminKey));
      expectHostTaken(await patch(a, { public_url: url, move_host: true }, server.adminKey));
      expect(await stored(a)).toEqual(before);
    });

    it.each(spellings)('refuses %s when creating an app', async (url) => {
      const count = await appCount();
      expectHostTaken(await create({ public_url: url }));
      expect(await appCount()).toBe(count);
    });

    it('refuses it to the default app too: it has that host by having no public_url', async () => {
      const res = await server.api('PATCH', `/v1/apps/${server.appId}`, {
        public_url: `https://${SERVER_HOST}`,
      });
      expectHostTaken(res);
      expect(errorOf(res).message).toMatch(/null/);
    });
  });

  describe('what a refusal tells', () => {
    it("does not tell an app key the other app's id", async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const res = await patch(b, { public_url: `https://${host}` });
      expectHostTaken(res);
      expect(res.body).not.toContain(a.id);
      expect(res.body).not.toMatch(/app_[0-9a-z]{26}/);
    });

    it('tells the admin key which app holds the host', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const res = await patch(b, { public_url: `https://${host}` }, server.adminKey);
      expectHostTaken(res);
      expect(errorOf(res).message).toContain(a.id);
      expect(errorOf(res).message).toContain('move_host');
    });
  });

  describe('moving a host with the admin key', () => {
    it('moves the host, releases it from the old app and records both sides', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}/billing` });
      const b = await tenant();
      const res = await patch(b, { public_url: `https://${host}`, move_host: true }, server.adminKey);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().public_url).toBe(`https://${host}`);
      expect(res.json()).not.toHaveProperty('move_host');
      expect((await stored(a)).settings.public_url).toBeNull();
      const shownA = await server.api('GET', `/v1/apps/${a.id}`, undefined, a.key);
      expect(shownA.json().public_url).toBe(`https://${SERVER_HOST}`);

      const [eventA] = await appUpdatedEvents(a.id);
      expect(eventA).toMatchObject({
        changed: ['public_url'],
        host_moved: { host, to: 'another app', previous_public_url: `https://${host}/billing` },
      });
      const [eventB] = await appUpdatedEvents(b.id);
      expect(eventB).toMatchObject({ changed: ['public_url'], host_moved: { host, from: 'another app' } });
      expect(eventA!.actor_key_id).toBe(eventB!.actor_key_id);
      expect(JSON.stringify(eventA)).not.toContain(b.id);
      expect(JSON.stringify(eventB)).not.toContain(a.id);
      // The old app is free again to choose any other host.
      expect((await patch(a, { public_url: `https://${freshHost()}` })).statusCode).toBe(200);
    });

    it('claims a free host like a plain PATCH', async () => {
      const b = await tenant();
      const res = await patch(b, { public_url: `https://${freshHost()}`, move_host: true }, server.adminKey);
      expect(res.statusCode, res.body).toBe(200);
    });

    it('refuses move_host from an app key with 403, and changes nothing', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const [beforeA, beforeB] = [await stored(a), await stored(b)];
      const res = await patch(b, { public_url: `https://${host}`, move_host: true });
      expect(res.statusCode, res.body).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
      expect([await stored(a), await stored(b)]).toEqual([beforeA, beforeB]);
    });

    it.each([
      ['without public_url', {}],
      ['with public_url null', { public_url: null }],
    ])('refuses move_host %s with 400 naming move_host', async (_name, body) => {
      const b = await tenant();
      const before = await stored(b);
      const res = await patch(b, { ...body, move_host: true }, server.adminKey);
      expect(res.statusCode, res.body).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'validation_failed', param: 'move_host' });
      expect(errorOf(res).message).toMatch(/public_url/);
      expect(await stored(b)).toEqual(before);
    });

    it('moves nothing when the rest of the change is invalid', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const [beforeA, beforeB] = [await stored(a), await stored(b)];
      const res = await patch(
        b,
        { public_url: `https://${host}`, move_host: true, default_redirect_url: 'https://evil.example.net/' },
        server.adminKey,
      );
      expect(res.statusCode, res.body).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'validation_failed', param: 'default_redirect_url' });
      expect([await stored(a), await stored(b)]).toEqual([beforeA, beforeB]);
    });

    it('hands kid-less signed links and GET /login on the host to the new owner', async () => {
      const host = freshHost();
      const a = await tenant({ public_url: `https://${host}` });
      const b = await tenant();
      const secretOf = async (app: Tenant) => {
        const res = await server.api('POST', '/v1/signing-keys', {}, app.key);
        expect(res.statusCode, res.body).toBe(201);
        return res.json().secret as string;
      };
      const [secretA, secretB] = [await secretOf(a), await secretOf(b)];
      const press = (secret: string) =>
        server.app.inject({
          method: 'POST',
          url: `/login/${kidlessToken(secret)}`,
          headers: { host, accept: 'application/json' },
        });
      const loginPage = () => server.app.inject({ method: 'GET', url: '/login', headers: { host } });

      expect((await press(secretA)).statusCode).toBe(303);
      expect((await loginPage()).body).toContain(a.id);

      const moved = await patch(b, { public_url: `https://${host}`, move_host: true }, server.adminKey);
      expect(moved.statusCode, moved.body).toBe(200);

      const signedIn = await press(secretB);
      expect(signedIn.statusCode, signedIn.body).toBe(303);
      const code = new URL(String(signedIn.headers.location)).searchParams.get('lk_code');
      const exchanged = await server.api('POST', '/v1/sessions/exchange', { code }, b.key);
      expect(exchanged.statusCode, exchanged.body).toBe(200);
      expect(exchanged.json().session.token).toBeTruthy();
      expect((await press(secretA)).headers['latchkey-error-code']).toBe('token_signature_invalid');
      const page = await loginPage();
      expect(page.body).toContain(b.id);
      expect(page.body).not.toContain(a.id);
    });
  });

  describe('an app that lost a shared host when migration 0010 ran', () => {
    /** What 0010 leaves for the younger of two apps on one host: the public_url in its settings, no host held. */
    async function loser(host: string): Promise<Tenant> {
      const app = await tenant();
      const handle = openDatabase(server.db.target);
      try {
        const row = await handle.db
          .selectFrom('apps')
          .select('settings')
          .where('id', '=', app.id)
          .executeTakeFirstOrThrow();
        const settings = { ...JSON.parse(row.settings), public_url: `https://${host}` };
        await handle.db
          .updateTable('apps')
          .set({ settings: JSON.stringify(settings), public_host: null })
          .where('id', '=', app.id)
          .execute();
      } finally {
        await handle.close();
      }
      return app;
    }

    it('is not served on the host, and is told to change public_url before anything else', async () => {
      const host = freshHost();
      const holder = await tenant({ public_url: `https://${host}` });
      const b = await loser(host);
      const page = await server.app.inject({ method: 'GET', url: '/login', headers: { host } });
      expect(page.body).toContain(holder.id);
      const before = await stored(b);
      const res = await patch(b, { default_language: 'de' });
      expectHostTaken(res);
      expect(errorOf(res).message).toMatch(/until public_url is set/);
      expect(res.body).not.toContain(holder.id);
      expect(await stored(b)).toEqual(before);
      expect((await patch(b, { public_url: null, default_language: 'de' })).statusCode).toBe(200);
    });

    it('can be given the host by an admin move', async () => {
      const host = freshHost();
      const holder = await tenant({ public_url: `https://${host}` });
      const b = await loser(host);
      const res = await patch(b, { public_url: `https://${host}`, move_host: true }, server.adminKey);
      expect(res.statusCode, res.body).toBe(200);
      expect((await stored(holder)).settings.public_url).toBeNull();
      const page = await server.app.inject({ method: 'GET', url: '/login', headers: { host } });
      expect(page.body).toContain(b.id);
    });
  });

  it('follows a host moved by another node at once, without waiting for the index to expire', async () => {
    const host = freshHost();
    const a = await tenant({ public_url: `https://${host}` });
    const b = await tenant();
    const loginPage = () => server.app.inject({ method: 'GET', url: '/login', headers: { host } });
    expect((await loginPage()).body).toContain(a.id);
    // Another node's admin move, as it lands in the database: this process hears nothing of it.
    const handle = openDatabase(server.db.target);
    try {
      await handle.db.transaction().execute(async (trx) => {
        for (const [app, publicUrl] of [
          [a, null],
          [b, `https://${host}`],
        ] as const) {
          const row = await trx
            .selectFrom('apps')
            .select('settings')
            .where('id', '=', app.id)
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('apps')
            .set({
              settings: JSON.stringify({ ...JSON.parse(row.settings), public_url: publicUrl }),
              public_host: publicUrl === null ? null : host,
            })
            .where('id', '=', app.id)
            .execute();
        }
      });
    } finally {
      await handle.close();
    }
    const page = await loginPage();
    expect(page.body).toContain(b.id);
    expect(page.body).not.toContain(a.id);
  });

  it("keeps a victim's host: the attack of an older app fails and the victim's links still work", async () => {
    const attacker = await tenant();
    const host = freshHost();
    const victim = await tenant({ public_url: `https://${host}` });
    const key = await server.api('POST', '/v1/signing-keys', {}, victim.key);
    expectHostTaken(await patch(attacker, { public_url: `https://${host}` }));
    const res = await server.app.inject({
      method: 'POST',
      url: `/login/${kidlessToken(key.json().secret)}`,
      headers: { host },
    });
    expect(res.statusCode, res.body).toBe(303);
    const page = await server.app.inject({ method: 'GET', url: '/login', headers: { host } });
    expect(page.body).toContain(victim.id);
    expect(page.body).not.toContain(attacker.id);
  });
});
