import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import { messages } from '../pages/messages.js';
import { DIALECTS } from '../test-support/databases.js';
import { expectDocumented } from '../test-support/documented-answer.js';
import {
  createOtherApp,
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { CreatedMagicLinkAnswer } from './link-present.js';

const MINUTE = 60_000;

async function create(server: TestServer, body: Record<string, unknown>, key?: string) {
  return server.api('POST', '/v1/magic-links', body, key);
}

async function createOk(server: TestServer, body: Record<string, unknown>, key?: string) {
  const res = await create(server, body, key);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().magic_link as Record<string, unknown> & { id: string; secret: string; url: string };
}

async function listAll(
  server: TestServer,
  query = '',
  key?: string,
): Promise<Array<Record<string, unknown>>> {
  const res = await server.api('GET', `/v1/magic-links?limit=500${query}`, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}

function expectError(
  res: { statusCode: number; json(): unknown; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; param?: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

describe('link creation: validation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  it('refuses a body with no user_id, email or phone', async () => {
    const error = expectError(await create(server, {}), 400, 'validation_failed');
    expect(error.param).toBe('user_id');
  });

  it('refuses a body with two identifiers', async () => {
    const both = expectError(
      await create(server, { email: uniqueEmail(), phone: '+14155550123' }),
      400,
      'validation_failed',
    );
    expect(both.param).toBe('user_id');
    const user = await server.api('POST', '/v1/users', { email: uniqueEmail() });
    const mixed = expectError(
      await create(server, { user_id: user.json().id, email: uniqueEmail() }),
      400,
      'validation_failed',
    );
    expect(mixed.param).toBe('user_id');
  });

  it('refuses a malformed phone number', async () => {
    // A national number needs the app's default_phone_region, which this app has not set.
    for (const phone of [
      '020 7946 0958',
      '+44abc',
      '12345',
      '+0123456789',
      '',
      '+10000000000',
      '+999123456789',
    ]) {
      const error = expectError(await create(server, { phone }), 400, 'invalid_phone');
      expect(error.param).toBe('phone');
    }
  });

  it('refuses a malformed email address', async () => {
    for (const email of [
      'jane',
      'jane@',
      '@example.com',
      'jane doe@example.com',
      'a@.example.com',
      'a@example..com',
    ]) {
      const error = expectError(await create(server, { email }), 400, 'invalid_email');
      expect(error.param).toBe('email');
    }
  });

  it('answers user_not_found for a user_id that names no user', async () => {
    const error = expectError(
      await create(server, { user_id: `usr_${'0'.repeat(26)}` }),
      404,
      'user_not_found',
    );
    expect(error.param).toBe('user_id');
  });

  it('answers channel_unavailable for channel phone when the user has no phone', async () => {
    const user = await server.api('POST', '/v1/users', { email: uniqueEmail() });
    expect(user.statusCode).toBe(201);
    const error = expectError(
      await create(server, { user_id: user.json().id, channel: 'phone' }),
      400,
      'channel_unavailable',
    );
    expect(error.param).toBe('channel');
  });

  it('refuses a redirect_url that is not on the allowlist', async () => {
    for (const redirect_url of [
      'https://evil.example.com/',
      'https://app.example.com.evil.com/',
      'javascript:alert(1)',
      '//evil.com',
    ]) {
      const error = expectError(
        await create(server, { email: uniqueEmail(), redirect_url }),
        400,
        'redirect_not_allowed',
      );
      expect(error.param).toBe('redirect_url');
    }
  });

  it('refuses a redirect_to that names no page shortcut', async () => {
    const error = expectError(
      await create(server, { email: uniqueEmail(), redirect_to: 'nowhere' }),
      400,
      'validation_failed',
    );
    expect(error.param).toBe('redirect_to');
  });

  it('refuses a magic_link_path that leaves the site', async () => {
    for (const magic_link_path of ['//evil.com', 'https://evil', '/\\evil.com', 'auth/magic', '/a b']) {
      const error = expectError(
        await create(server, { email: uniqueEmail(), magic_link_path }),
        400,
        'validation_failed',
      );
      expect(error.param).toBe('magic_link_path');
    }
  });

  it('refuses code_challenge_method plain', async () => {
    const error = expectError(
      await create(server, {
        email: uniqueEmail(),
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'plain',
      }),
      400,
      'validation_failed',
    );
    expect(error.param).toBe('code_challenge_method');
  });

  it('refuses a language outside the eight supported ones', async () => {
    for (const language of ['ja', 'xx', 'english']) {
      const error = expectError(
        await create(server, { email: uniqueEmail(), language }),
        400,
        'validation_failed',
      );
      expect(error.param).toBe('language');
    }
  });

  it('refuses a ttl below one minute', async () => {
    for (const ttl of [0, -5, 1.5]) {
      const error = expectError(
        await create(server, { email: uniqueEmail(), ttl }),
        400,
        'validation_failed',
      );
      expect(error.param).toBe('ttl');
    }
  });

  it('refuses an unknown body field', async () => {
    const error = expectError(
      await create(server, { email: uniqueEmail(), colour: 'blue' }),
      400,
      'validation_failed',
    );
    expect(error.param).toBe('colour');
  });

  it('stores nothing when a request is refused', async () => {
    const before = await listAll(server);
    const email = uniqueEmail();
    await create(server, { email, redirect_url: 'https://evil.example.com/' });
    await create(server, { email, language: 'ja' });
    await create(server, { email, ttl: 43_201 });
    expect(await listAll(server)).toHaveLength(before.length);
    const users = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    expect(users.json().data).toEqual([]);
  });
});

describe.each(DIALECTS)('magic links API on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('creates a link at POST /v1/magic-links with the Passage response shape', async () => {
    const email = uniqueEmail();
    const res = await create(server, { email });
    expect(res.statusCode, res.body).toBe(201);
    const link = res.json().magic_link;
    expect(Object.keys(link).sort()).toEqual(
      [
        'activated',
        'app_id',
        'expires_at',
        'id',
        'identifier',
        'redirect_url',
        'secret',
        'ttl',
        'type',
        'url',
        'user_id',
      ].sort(),
    );
    expect(link.id).toMatch(/^ml_[0-9a-z]{26}$/);
    expect(link.app_id).toBe(server.appId);
    expect(link.user_id).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(link.identifier).toBe(email);
    expect(link.type).toBe('login');
    expect(link.redirect_url).toBe(TEST_REDIRECT);
    expect(link.ttl).toBe(15);
    expect(new Date(link.expires_at).toISOString()).toBe(link.expires_at);
    expect(link.activated).toBe(false);
    expect(link.secret).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(link.url).toBe(`https://auth.example.com/l/${link.secret}`);
    expect(link.url.length).toBeLessThanOrEqual(100);
    expectDocumented(CreatedMagicLinkAnswer(''), res.json());
  });

  it('creates a link at POST /v1/apps/{app_id}/magic-links', async () => {
    const res = await server.api('POST', `/v1/apps/${server.appId}/magic-links`, { email: uniqueEmail() });
    expect(res.statusCode, res.body).toBe(201);
    expectDocumented(CreatedMagicLinkAnswer(''), res.json());
    expect(res.json().magic_link.app_id).toBe(server.appId);
    expect(res.json().magic_link.url).toMatch(/^https:\/\/auth\.example\.com\/l\/[A-Za-z0-9_-]{43,}$/);
  });

  it('keeps link URLs at most 100 characters for a 30-character public_url', async () => {
    const publicUrl = 'https://login.example-corp.com';
    expect(publicUrl).toHaveLength(30);
    const other = await createOtherApp(server, { public_url: publicUrl });
    const link = await createOk(server, { email: uniqueEmail() }, other.key);
    expect(link.url).toBe(`${publicUrl}/l/${link.secret}`);
    expect(link.url.length).toBeLessThanOrEqual(100);
  });

  it("answers forbidden for another app's id in the path", async () => {
    const other = await createOtherApp(server);
    const res = await server.api('POST', `/v1/apps/${other.appId}/magic-links`, { email: uniqueEmail() });
    expectError(res, 403, 'forbidden');
    expect(await listAll(server, '', other.key)).toEqual([]);
  });

  it('creates the user for an unknown email and reuses it for the next link', async () => {
    const email = uniqueEmail();
    const first = await createOk(server, { email });
    const events = await server.ctx.store.listEvents(
      server.appId,
      { type: 'user.created', subject_id: first.user_id as string },
      { limit: 10 },
    );
    expect(events).toHaveLength(1);
    const second = await createOk(server, { email });
    expect(second.user_id).toBe(first.user_id);
    const users = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    expect(users.json().data.map((u: { id: string }) => u.id)).toEqual([first.user_id]);
  });

  it('normalises the email address', async () => {
    const link = await createOk(server, { email: 'Jane@Example.COM' });
    expect(link.identifier).toBe('jane@example.com');
    const again = await createOk(server, { email: ' jane@example.com ' });
    expect(again.user_id).toBe(link.user_id);
    const users = await server.api('GET', `/v1/users/${link.user_id}`);
    expect(users.json().email).toBe('jane@example.com');
  });

  it('creates one user when many first links for a new address race', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(Array.from({ length: 10 }, () => create(server, { email })));
    expect(results.map((res) => res.statusCode)).toEqual(Array(10).fill(201));
    const userIds = new Set(results.map((res) => res.json().magic_link.user_id));
    expect(userIds.size).toBe(1);
    const users = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    expect(users.json().data).toHaveLength(1);
  });

  it('normalises a phone number to E.164', async () => {
    const link = await createOk(server, { phone: '+44 20 7946 0958' });
    expect(link.identifier).toBe('+442079460958');
    const again = await createOk(server, { phone: '+44 (20) 7946-0958' });
    expect(again.user_id).toBe(link.user_id);
    const user = await server.api('GET', `/v1/users/${link.user_id}`);
    expect(user.json().phone).toBe('+442079460958');
  });

  it('refuses with user_creation_disabled and stores nothing when auto_create_users is false', async () => {
    const other = await createOtherApp(server);
    const patched = await server.api(
      'PATCH',
      `/v1/apps/${other.appId}`,
      { auto_create_users: false },
      other.key,
    );
    expect(patched.statusCode, patched.body).toBe(200);
    const email = uniqueEmail();
    expectError(await create(server, { email }, other.key), 404, 'user_creation_disabled');
    expect(await listAll(server, '', other.key)).toEqual([]);
    const users = await server.api(
      'GET',
      `/v1/users?email=${encodeURIComponent(email)}`,
      undefined,
      other.key,
    );
    expect(users.json().data).toEqual([]);
    const known = await server.api('POST', '/v1/users', { email }, other.key);
    expect(known.statusCode).toBe(201);
    await createOk(server, { email }, other.key);
  });

  it("takes the ttl of each link type from the app's defaults", async () => {
    const expected = { login: 15, verify_identifier: 1440, invite: 10080 } as const;
    for (const [type, ttl] of Object.entries(expected)) {
      const link = await createOk(server, { email: uniqueEmail(), type });
      expect(link.type).toBe(type);
      expect(link.ttl).toBe(ttl);
      const read = (await server.api('GET', `/v1/magic-links/${link.id}`)).json();
      expect(Date.parse(read.expires_at) - Date.parse(read.created_at)).toBe(ttl * MINUTE);
    }
  });

  it('uses an explicit ttl up to the maximum', async () => {
    const link = await createOk(server, { email: uniqueEmail(), ttl: 43_200 });
    expect(link.ttl).toBe(43_200);
  });

  it('refuses a ttl above max_ttl_minutes with ttl_too_long and stores nothing', async () => {
    const before = await listAll(server);
    const email = uniqueEmail();
    const error = expectError(await create(server, { email, ttl: 43_201 }), 400, 'ttl_too_long');
    expect(error.param).toBe('ttl');
    expect(await listAll(server)).toHaveLength(before.length);

    const other = await createOtherApp(server, {
      max_ttl_minutes: 120,
      ttl_minutes: { login: 10, verify_identifier: 60, invite: 120 },
    });
    const small = expectError(await create(server, { email, ttl: 121 }, other.key), 400, 'ttl_too_long');
    expect(small.param).toBe('ttl');
    expect(await listAll(server, '', other.key)).toEqual([]);
    const users = await server.api(
      'GET',
      `/v1/users?email=${encodeURIComponent(email)}`,
      undefined,
      other.key,
    );
    expect(users.json().data).toEqual([]);
  });

  it('accepts a redirect_url on the allowlist and stores it', async () => {
    const link = await createOk(server, {
      email: uniqueEmail(),
      redirect_url: 'https://app.example.com/welcome?from=mail',
    });
    expect(link.redirect_url).toBe('https://app.example.com/welcome?from=mail');
  });

  it('resolves redirect_to through the page shortcuts', async () => {
    const patched = await server.api('PATCH', `/v1/apps/${server.appId}`, {
      page_shortcuts: { invoices: 'https://app.example.com/invoices' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const link = await createOk(server, { email: uniqueEmail(), redirect_to: 'invoices' });
    expect(link.redirect_url).toBe('https://app.example.com/invoices');
    const error = expectError(
      await create(server, { email: uniqueEmail(), redirect_to: 'reports' }),
      400,
      'validation_failed',
    );
    expect(error.param).toBe('redirect_to');
  });

  it('answers redirect_required when the app has no default redirect', async () => {
    const other = await createOtherApp(server, { default_redirect_url: undefined });
    expectError(await create(server, { email: uniqueEmail() }, other.key), 400, 'redirect_required');
    expect(await listAll(server, '', other.key)).toEqual([]);
  });

  it('answers redirect_required once PATCH clears default_redirect_url', async () => {
    const other = await createOtherApp(server);
    const patched = await server.api(
      'PATCH',
      `/v1/apps/${other.appId}`,
      { default_redirect_url: null },
      other.key,
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expectError(await create(server, { email: uniqueEmail() }, other.key), 400, 'redirect_required');
    expect(await listAll(server, '', other.key)).toEqual([]);
  });

  it('builds {site_url}{magic_link_path}?lk_token=… for an embedded link', async () => {
    const link = await createOk(server, { email: uniqueEmail(), magic_link_path: '/auth/magic' });
    expect(link.url).toBe(`https://app.example.com/auth/magic?lk_token=${link.secret}`);
  });

  it('never shows the secret or its hash when a link is read', async () => {
    const link = await createOk(server, { email: uniqueEmail() });
    const res = await server.api('GET', `/v1/magic-links/${link.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(link.secret);
    expect(res.body).not.toContain(hashSecret(link.secret));
    expect(res.body).not.toContain('token_hash');
    expect(res.body).not.toContain('"secret"');
    const listed = await server.api('GET', '/v1/magic-links?limit=500');
    expect(listed.body).not.toContain(link.secret);
    expect(listed.body).not.toContain(hashSecret(link.secret));
  });

  it('shows the status and timeline of a link as it moves', async () => {
    const link = await createOk(server, { email: uniqueEmail() });
    const read = async () => (await server.api('GET', `/v1/magic-links/${link.id}`)).json();
    const created = await read();
    expect(created.status).toBe('created');
    expect(created.activated).toBe(false);
    expect(created.timeline.map((t: { status: string }) => t.status)).toEqual(['created']);

    server.advance(1_000);
    await server.app.inject({ method: 'GET', url: `/l/${link.secret}` });
    const opened = await read();
    expect(opened.status).toBe('opened');
    // The open, and the visit that made it (the page's visits are summarised in runs of one verdict).
    expect(opened.timeline.map((t: { status: string }) => t.status)).toEqual([
      'created',
      'opened',
      'visited',
    ]);

    server.advance(1_000);
    await redeemHostedForCode(server, link.secret);
    const redeemed = await read();
    expect(redeemed.status).toBe('redeemed');
    expect(redeemed.activated).toBe(true);
    expect(redeemed.timeline.map((t: { status: string }) => t.status)).toEqual([
      'created',
      'opened',
      'visited',
      'redeemed',
    ]);
    expect(redeemed.timeline[2]).toMatchObject({ verdict: 'person', count: 2 });
  });

  it('filters the list by user, type and status', async () => {
    const other = await createOtherApp(server);
    const alice = uniqueEmail();
    const bob = uniqueEmail();
    const a1 = await createOk(server, { email: alice }, other.key);
    const a2 = await createOk(server, { email: alice, type: 'invite' }, other.key);
    const b1 = await createOk(server, { email: bob }, other.key);
    const b2 = await createOk(server, { email: bob, type: 'verify_identifier' }, other.key);
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((row) => row.id).sort();

    expect(ids(await listAll(server, `&user_id=${a1.user_id}`, other.key))).toEqual([a1.id, a2.id].sort());
    expect(ids(await listAll(server, '&type=invite', other.key))).toEqual([a2.id]);
    expect(ids(await listAll(server, '&type=login', other.key))).toEqual([a1.id, b1.id].sort());

    const revoked = await server.api('POST', `/v1/magic-links/${b2.id}/revoke`, undefined, other.key);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(ids(await listAll(server, '&status=revoked', other.key))).toEqual([b2.id]);

    server.advance(16 * MINUTE);
    const fresh = await createOk(server, { email: bob }, other.key);
    expect(ids(await listAll(server, '&status=expired', other.key))).toEqual([a1.id, b1.id].sort());
    expect(ids(await listAll(server, '&status=created', other.key))).toEqual([a2.id, fresh.id].sort());
    const expired = (await listAll(server, '&status=expired', other.key))[0]!;
    expect(expired.status).toBe('expired');
    expect(ids(await listAll(server, `&user_id=${b1.user_id}&status=expired`, other.key))).toEqual([b1.id]);
  });

  it('pages through the list with next_cursor without repeats or gaps', async () => {
    const other = await createOtherApp(server);
    const created = new Set<string>();
    for (let i = 0; i < 7; i++) created.add((await createOk(server, { email: uniqueEmail() }, other.key)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const res = await server.api('GET', `/v1/magic-links?limit=2${query}`, undefined, other.key);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { data: Array<{ id: string }>; next_cursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((row) => row.id));
      cursor = body.next_cursor;
      pages++;
      expect(pages).toBeLessThan(10);
    } while (cursor !== null);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(created);
  });

  it('revokes a link, after which its page says it was revoked', async () => {
    const link = await createTestLink(server, { email: uniqueEmail() });
    const res = await server.api('POST', `/v1/magic-links/${link.id}/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('revoked');
    expect(res.json().timeline.map((t: { status: string }) => t.status)).toContain('revoked');
    const page = await server.app.inject({ method: 'GET', url: link.path });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain(messages.en.revokedTitle);
    const post = await server.app.inject({ method: 'POST', url: link.path });
    expect(post.statusCode).toBe(410);
  });

  it('answers link_used when revoking a redeemed link', async () => {
    const link = await createTestLink(server, { email: uniqueEmail() });
    await redeemHostedForCode(server, link.token);
    expectError(await server.api('POST', `/v1/magic-links/${link.id}/revoke`), 410, 'link_used');
    const read = (await server.api('GET', `/v1/magic-links/${link.id}`)).json();
    expect(read.status).toBe('redeemed');
  });

  it("revokes all of a user's outstanding links and returns the count", async () => {
    const email = uniqueEmail();
    const used = await createTestLink(server, { email });
    const open1 = await createOk(server, { email });
    const open2 = await createOk(server, { email, type: 'invite' });
    await redeemHostedForCode(server, used.token);
    const res = await server.api('POST', `/v1/users/${used.user_id}/magic-links/revoke`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ revoked: 2 });
    for (const id of [open1.id, open2.id]) {
      expect((await server.api('GET', `/v1/magic-links/${id}`)).json().status).toBe('revoked');
    }
    expect((await server.api('GET', `/v1/magic-links/${used.id}`)).json().status).toBe('redeemed');
    const again = await server.api('POST', `/v1/users/${used.user_id}/magic-links/revoke`);
    expect(again.json()).toEqual({ revoked: 0 });
  });

  it("never lets an app key read or revoke another app's link", async () => {
    const other = await createOtherApp(server);
    const link = await createTestLink(server, { email: uniqueEmail() });
    expectError(
      await server.api('GET', `/v1/magic-links/${link.id}`, undefined, other.key),
      404,
      'not_found',
    );
    expectError(
      await server.api('POST', `/v1/magic-links/${link.id}/revoke`, undefined, other.key),
      404,
      'not_found',
    );
    const listed = await listAll(server, `&user_id=${link.user_id}`, other.key);
    expect(listed).toEqual([]);
    const bulk = await server.api(
      'POST',
      `/v1/users/${link.user_id}/magic-links/revoke`,
      undefined,
      other.key,
    );
    expect(bulk.statusCode).toBe(404);
    expect((await server.api('GET', `/v1/magic-links/${link.id}`)).json().status).toBe('created');
  });
});
