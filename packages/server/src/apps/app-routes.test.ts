import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLink, startTestServer, type TestServer } from '../test-support/test-server.js';

interface ApiKeyBody {
  id: string;
  app_id: string | null;
  kind: string;
  label: string;
  key: string;
  revoked_at: string | null;
}

const errorOf = (res: { json(): unknown }) =>
  (res.json() as { error: { code: string; param?: string } }).error;

const uniqueName = (prefix: string) => `${prefix} ${randomBytes(3).toString('hex')}`;

async function createApp(server: TestServer, body: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v1/apps', { name: uniqueName('Tenant'), ...body }, server.adminKey);
  if (res.statusCode !== 201) throw new Error(`app creation failed: ${res.statusCode} ${res.body}`);
  const created = res.json() as { app: { id: string }; api_key: ApiKeyBody };
  return { id: created.app.id, key: created.api_key.key };
}

async function createKey(server: TestServer, key: string, label = 'ci'): Promise<ApiKeyBody> {
  const res = await server.api('POST', '/v1/api-keys', { label }, key);
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`);
  return res.json() as ApiKeyBody;
}

function rawRequest(
  server: TestServer,
  method: InjectOptions['method'],
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  return server.app.inject({
    method,
    url,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

async function readApp(server: TestServer, appId: string, key?: string) {
  const res = await server.api('GET', `/v1/apps/${appId}`, undefined, key);
  expect(res.statusCode).toBe(200);
  return res.json() as Record<string, unknown>;
}

async function eventsOf(server: TestServer, appId: string, type: string) {
  const rows = await server.ctx.store.listEvents(appId, { type }, { limit: 10 });
  return rows.map((row) => ({
    subject_id: row.subject_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
  }));
}

describe('app settings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server.close());

  it('shows the default settings of an app', async () => {
    const app = await readApp(server, server.appId);
    expect(app).toMatchObject({
      id: server.appId,
      ttl_minutes: { login: 15, verify_identifier: 1440, invite: 10080 },
      max_ttl_minutes: 43200,
      scanner_protection: 'confirm',
      auto_create_users: true,
      public_url: 'https://auth.example.com',
    });
  });

  describe('valid changes are stored and read back', () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['name', { name: 'Renamed' }, { name: 'Renamed' }],
      [
        'public_url',
        { public_url: 'https://login.example.org' },
        { public_url: 'https://login.example.org' },
      ],
      ['site_url', { site_url: 'https://portal.example.org' }, { site_url: 'https://portal.example.org' }],
      [
        'allowed_redirects',
        { allowed_redirects: ['https://portal.example.org', 'https://app.example.org/auth'] },
        { allowed_redirects: ['https://portal.example.org', 'https://app.example.org/auth'] },
      ],
      [
        'default_redirect_url',
        {
          allowed_redirects: ['https://portal.example.org'],
          default_redirect_url: 'https://portal.example.org/home',
        },
        { default_redirect_url: 'https://portal.example.org/home' },
      ],
      [
        'page_shortcuts and default_shortcut',
        {
          allowed_redirects: ['https://portal.example.org'],
          page_shortcuts: { invoices: 'https://portal.example.org/invoices' },
          default_shortcut: 'invoices',
        },
        { page_shortcuts: { invoices: 'https://portal.example.org/invoices' }, default_shortcut: 'invoices' },
      ],
      [
        'one ttl_minutes type, keeping the others',
        { ttl_minutes: { login: 30 } },
        { ttl_minutes: { login: 30, verify_identifier: 1440, invite: 10080 } },
      ],
      [
        'max_ttl_minutes',
        { max_ttl_minutes: 20160, ttl_minutes: { invite: 20160 } },
        { max_ttl_minutes: 20160, ttl_minutes: { login: 15, verify_identifier: 1440, invite: 20160 } },
      ],
      ['session_duration_minutes', { session_duration_minutes: 60 }, { session_duration_minutes: 60 }],
      ['access_token_minutes', { access_token_minutes: 5 }, { access_token_minutes: 5 }],
      ['default_language', { default_language: 'de' }, { default_language: 'de' }],
      ['scanner_protection', { scanner_protection: 'auto' }, { scanner_protection: 'auto' }],
      ['auto_create_users', { auto_create_users: false }, { auto_create_users: false }],
      [
        'sender',
        { sender: { name: 'Acme Login', email: 'login@acme.example' } },
        { sender: { name: 'Acme Login', email: 'login@acme.example' } },
      ],
    ];

    it.each(cases)('%s', async (_field, patch, expected) => {
      const tenant = await createApp(server);
      const res = await server.api('PATCH', `/v1/apps/${tenant.id}`, patch, tenant.key);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject(expected);
      expect(await readApp(server, tenant.id, tenant.key)).toMatchObject(expected);
    });

    it('public_url null falls back to the server public URL', async () => {
      // A host of its own: the public_url case above holds login.example.org, and a host belongs to one app.
      const tenant = await createApp(server, { public_url: 'https://fallback.example.org' });
      const res = await server.api('PATCH', `/v1/apps/${tenant.id}`, { public_url: null }, tenant.key);
      expect(res.statusCode).toBe(200);
      expect((await readApp(server, tenant.id, tenant.key)).public_url).toBe('https://auth.example.com');
    });

    const clearable: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['site_url', { site_url: null }, { site_url: null }],
      ['default_redirect_url', { default_redirect_url: null }, { default_redirect_url: null }],
      ['default_shortcut', { default_shortcut: null }, { default_shortcut: null }],
      ['sender.email', { sender: { email: null } }, { sender: { name: 'Acme', email: null } }],
    ];

    it.each(clearable)('null clears %s', async (_field, patch, expected) => {
      const tenant = await createApp(server, {
        site_url: 'https://portal.example.org',
        allowed_redirects: ['https://portal.example.org'],
        default_redirect_url: 'https://portal.example.org/home',
        page_shortcuts: { home: 'https://portal.example.org/home' },
        default_shortcut: 'home',
        sender: { name: 'Acme', email: 'login@acme.example' },
      });
      const res = await server.api('PATCH', `/v1/apps/${tenant.id}`, patch, tenant.key);
      expect(res.statusCode).toBe(200);
      expect(await readApp(server, tenant.id, tenant.key)).toMatchObject(expected);
    });
  });

  describe('invalid changes are refused with the field named, and nothing changes', () => {
    const cases: Array<[string, Record<string, unknown>, string | RegExp]> = [
      ['an unknown field', { colour: 'blue' }, 'colour'],
      [
        'ttl_minutes.login above the absolute maximum',
        { ttl_minutes: { login: 50000 } },
        'ttl_minutes.login',
      ],
      [
        'ttl_minutes.login above max_ttl_minutes',
        { max_ttl_minutes: 60, ttl_minutes: { login: 120, verify_identifier: 60, invite: 60 } },
        'ttl_minutes.login',
      ],
      ['max_ttl_minutes 50000', { max_ttl_minutes: 50000 }, 'max_ttl_minutes'],
      [
        'a javascript: allowed redirect',
        { allowed_redirects: ['javascript:alert(1)'] },
        /^allowed_redirects/,
      ],
      [
        'an allowed redirect with a query',
        { allowed_redirects: ['https://app.example.com/cb?next=1'] },
        /^allowed_redirects/,
      ],
      [
        'a default_redirect_url off the allowlist',
        { default_redirect_url: 'https://evil.example.net/' },
        'default_redirect_url',
      ],
      [
        'a page shortcut off the allowlist',
        { page_shortcuts: { invoices: 'https://evil.example.net/invoices' } },
        'page_shortcuts.invoices',
      ],
      ['a default_shortcut naming no shortcut', { default_shortcut: 'nowhere' }, 'default_shortcut'],
      ['a bad sender.email', { sender: { email: 'not-an-email' } }, 'sender.email'],
      ['scanner_protection maybe', { scanner_protection: 'maybe' }, 'scanner_protection'],
      ['a default_language that is not offered', { default_language: 'xx' }, 'default_language'],
      ['a string for auto_create_users', { auto_create_users: 'yes' }, 'auto_create_users'],
      ['a word for a ttl', { ttl_minutes: { login: 'soon' } }, 'ttl_minutes.login'],
      ['a number for ttl_minutes', { ttl_minutes: 15 }, 'ttl_minutes'],
      ['a fraction for max_ttl_minutes', { max_ttl_minutes: 1.5 }, 'max_ttl_minutes'],
      ['a string for sender', { sender: 'me' }, 'sender'],
      ['an empty name', { name: '' }, 'name'],
      ['a numeric string for a ttl', { ttl_minutes: { login: '30' } }, 'ttl_minutes.login'],
      ['the string "false" for auto_create_users', { auto_create_users: 'false' }, 'auto_create_users'],
      ['a number for name', { name: 42 }, 'name'],
      [
        'a single string for allowed_redirects',
        { allowed_redirects: 'https://app.example.com' },
        'allowed_redirects',
      ],
      ['an array for scanner_protection', { scanner_protection: ['auto'] }, 'scanner_protection'],
    ];

    it.each(cases)('%s', async (_label, patch, param) => {
      const before = await readApp(server, server.appId);
      const res = await server.api('PATCH', `/v1/apps/${server.appId}`, { name: 'Must not stick', ...patch });
      expect(res.statusCode).toBe(400);
      const error = errorOf(res);
      expect(error.code).toBe('validation_failed');
      if (typeof param === 'string') expect(error.param).toBe(param);
      else expect(error.param).toMatch(param);
      expect(await readApp(server, server.appId)).toEqual(before);
    });
  });
});

describe('apps and keys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server.close());

  describe('POST /v1/apps', () => {
    it('creates an app with the admin key and shows its API key once', async () => {
      const res = await server.api(
        'POST',
        '/v1/apps',
        { name: 'Portal', scanner_protection: 'auto' },
        server.adminKey,
      );
      expect(res.statusCode).toBe(201);
      const body = res.json() as { app: Record<string, unknown> & { id: string }; api_key: ApiKeyBody };
      expect(body.app).toMatchObject({
        id: expect.stringMatching(/^app_[0-9a-z]{26}$/),
        name: 'Portal',
        scanner_protection: 'auto',
        public_url: 'https://auth.example.com',
      });
      expect(body.api_key).toMatchObject({
        app_id: body.app.id,
        kind: 'app',
        key: expect.stringMatching(/^lk_sk_/),
      });
      expect(await readApp(server, body.app.id, body.api_key.key)).toMatchObject({ id: body.app.id });
      const keys = await server.api('GET', '/v1/api-keys', undefined, body.api_key.key);
      expect(keys.body).not.toContain(body.api_key.key);
    });

    it('refuses an app key with 403 forbidden', async () => {
      const res = await server.api('POST', '/v1/apps', { name: 'Nope' });
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
    });

    it('refuses a request without a key with 401 unauthorized', async () => {
      const res = await rawRequest(server, 'POST', '/v1/apps', {}, { name: 'Nope' });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
    });

    it.each([
      ['an unknown key of the right shape', `lk_admin_${randomBytes(32).toString('base64url')}`],
      ['garbage', 'not-a-key'],
    ])('refuses %s with 401 unauthorized', async (_label, key) => {
      const res = await server.api('POST', '/v1/apps', { name: 'Nope' }, key);
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
    });

    it('refuses invalid settings and creates no app', async () => {
      const before = (await server.api('GET', '/v1/apps?limit=500', undefined, server.adminKey)).json();
      const res = await server.api(
        'POST',
        '/v1/apps',
        { name: 'Broken', allowed_redirects: ['javascript:alert(1)'] },
        server.adminKey,
      );
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
      expect((await server.api('GET', '/v1/apps?limit=500', undefined, server.adminKey)).json()).toEqual(
        before,
      );
    });
  });

  describe('GET /v1/apps', () => {
    it('lists every app for the admin key', async () => {
      const tenant = await createApp(server);
      const res = await server.api('GET', '/v1/apps', undefined, server.adminKey);
      expect(res.statusCode).toBe(200);
      const ids = (res.json() as { data: Array<{ id: string }> }).data.map((a) => a.id);
      expect(ids).toEqual(expect.arrayContaining([server.appId, tenant.id]));
    });

    it('refuses an app key with 403 forbidden', async () => {
      const res = await server.api('GET', '/v1/apps');
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
    });
  });

  describe('isolation between apps', () => {
    let tenant: { id: string; key: string };
    let userId: string;
    let linkId: string;
    beforeAll(async () => {
      tenant = await createApp(server);
      const link = await createTestLink(server, {
        email: `iso-${randomBytes(4).toString('hex')}@example.com`,
      });
      userId = link.user_id;
      linkId = link.id;
    });

    it("refuses another app's key on GET /v1/apps/{id} with 403", async () => {
      const res = await server.api('GET', `/v1/apps/${server.appId}`, undefined, tenant.key);
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
    });

    it("refuses another app's key on PATCH /v1/apps/{id} with 403 and changes nothing", async () => {
      const before = await readApp(server, server.appId);
      const res = await server.api('PATCH', `/v1/apps/${server.appId}`, { name: 'Hijacked' }, tenant.key);
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
      expect(await readApp(server, server.appId)).toEqual(before);
    });

    it("answers 404 for another app's user and link", async () => {
      const user = await server.api('GET', `/v1/users/${userId}`, undefined, tenant.key);
      expect(user.statusCode).toBe(404);
      const link = await server.api('GET', `/v1/magic-links/${linkId}`, undefined, tenant.key);
      expect(link.statusCode).toBe(404);
    });

    it("lists none of another app's users or links", async () => {
      const users = await server.api('GET', '/v1/users', undefined, tenant.key);
      expect(users.json()).toEqual({ data: [], next_cursor: null });
      const links = await server.api('GET', '/v1/magic-links', undefined, tenant.key);
      expect(links.json()).toEqual({ data: [], next_cursor: null });
    });

    it("cannot revoke another app's API key", async () => {
      const victim = await createKey(server, server.apiKey, 'victim');
      const res = await server.api('DELETE', `/v1/api-keys/${victim.id}`, undefined, tenant.key);
      expect(res.statusCode).toBe(404);
      expect((await server.api('GET', `/v1/apps/${server.appId}`, undefined, victim.key)).statusCode).toBe(
        200,
      );
    });
  });

  describe('admin key on app routes', () => {
    it('acts on the app named by the Latchkey-App header', async () => {
      const tenant = await createApp(server);
      const email = `admin-${randomBytes(4).toString('hex')}@example.com`;
      const created = await rawRequest(
        server,
        'POST',
        '/v1/users',
        { authorization: `Bearer ${server.adminKey}`, 'latchkey-app': tenant.id },
        { email },
      );
      expect(created.statusCode).toBe(201);
      const inTenant = await server.api(
        'GET',
        `/v1/users?email=${encodeURIComponent(email)}`,
        undefined,
        tenant.key,
      );
      expect((inTenant.json() as { data: unknown[] }).data).toHaveLength(1);
      const inDefault = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
      expect((inDefault.json() as { data: unknown[] }).data).toHaveLength(0);
    });

    it('acts on the app named in the path', async () => {
      const tenant = await createApp(server);
      const res = await server.api('PATCH', `/v1/apps/${tenant.id}`, { name: 'By admin' }, server.adminKey);
      expect(res.statusCode).toBe(200);
      expect((await readApp(server, tenant.id, tenant.key)).name).toBe('By admin');
    });

    it('answers 400 validation_failed when no app is named', async () => {
      const res = await server.api('GET', '/v1/users', undefined, server.adminKey);
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
    });

    it('answers 404 when the header names an unknown app', async () => {
      const res = await rawRequest(server, 'GET', '/v1/users', {
        authorization: `Bearer ${server.adminKey}`,
        'latchkey-app': 'app_00000000000000000000000000',
      });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('API keys', () => {
    it('returns the new key once, as lk_sk_…', async () => {
      const res = await server.api('POST', '/v1/api-keys', { label: 'deploy' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        id: expect.stringMatching(/^key_/),
        app_id: server.appId,
        kind: 'app',
        label: 'deploy',
        key: expect.stringMatching(/^lk_sk_[A-Za-z0-9_-]{20,}$/),
      });
    });

    it('lets the new key act on its app', async () => {
      const key = await createKey(server, server.apiKey);
      expect((await server.api('GET', `/v1/apps/${server.appId}`, undefined, key.key)).statusCode).toBe(200);
    });

    it('never lists a key secret or hash', async () => {
      const key = await createKey(server, server.apiKey);
      const rows = await server.ctx.store.listApiKeys(server.appId, { limit: 500 });
      const res = await server.api('GET', '/v1/api-keys?limit=500');
      expect(res.statusCode).toBe(200);
      const listed = (res.json() as { data: Array<Record<string, unknown>> }).data;
      expect(listed.map((k) => k.id)).toContain(key.id);
      expect(res.body).not.toContain(key.key);
      expect(res.body).not.toContain(server.apiKey);
      for (const row of rows) expect(res.body).not.toContain(row.key_hash);
      for (const item of listed) expect(Object.keys(item)).not.toContain('key');
    });

    it('stores keys only as a hash', async () => {
      const key = await createKey(server, server.apiKey);
      const rows = await server.ctx.store.listApiKeys(server.appId, { limit: 500 });
      const row = rows.find((r) => r.id === key.id)!;
      expect(row.key_hash).not.toBe(key.key);
      expect(JSON.stringify(rows)).not.toContain(key.key);
      expect(await server.ctx.store.findApiKeyByHash(key.key)).toBeUndefined();
      expect((await server.ctx.store.findApiKeyByHash(row.key_hash))?.id).toBe(key.id);
    });

    it('revokes a key with DELETE, after which it gets 401 unauthorized', async () => {
      const key = await createKey(server, server.apiKey);
      const res = await server.api('DELETE', `/v1/api-keys/${key.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: key.id, revoked_at: expect.any(String) });
      const after = await server.api('GET', `/v1/apps/${server.appId}`, undefined, key.key);
      expect(after.statusCode).toBe(401);
      expect(errorOf(after).code).toBe('unauthorized');
    });

    it('refuses an app key asking for an admin key', async () => {
      const res = await server.api('POST', '/v1/api-keys', { kind: 'admin' });
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).code).toBe('forbidden');
    });
  });

  describe('audit events', () => {
    it('records app.updated with the acting key', async () => {
      const actor = await createKey(server, server.apiKey, 'actor');
      await server.api('PATCH', `/v1/apps/${server.appId}`, { default_language: 'fr' }, actor.key);
      const events = await eventsOf(server, server.appId, 'app.updated');
      expect(events).toContainEqual(
        expect.objectContaining({
          subject_id: server.appId,
          data: expect.objectContaining({ actor_key_id: actor.id }),
        }),
      );
    });

    it('records api_key.created with the acting key', async () => {
      const actor = await createKey(server, server.apiKey, 'actor');
      const created = await createKey(server, actor.key, 'made by actor');
      const events = await eventsOf(server, server.appId, 'api_key.created');
      expect(events).toContainEqual(
        expect.objectContaining({
          subject_id: created.id,
          data: expect.objectContaining({ actor_key_id: actor.id }),
        }),
      );
    });

    it('records api_key.revoked with the acting key', async () => {
      const actor = await createKey(server, server.apiKey, 'actor');
      const victim = await createKey(server, server.apiKey, 'victim');
      await server.api('DELETE', `/v1/api-keys/${victim.id}`, undefined, actor.key);
      const events = await eventsOf(server, server.appId, 'api_key.revoked');
      expect(events).toContainEqual(
        expect.objectContaining({
          subject_id: victim.id,
          data: expect.objectContaining({ actor_key_id: actor.id }),
        }),
      );
    });
  });
});
