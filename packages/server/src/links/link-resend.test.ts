/**
 * Sending a link again (POST /v1/magic-links/{id}/resend), and the list's filters by identifier, channel and
 * language, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Link {
  id: string;
  user_id: string;
  status: string;
  type: string;
  channel: string | null;
  language: string | null;
  ttl: number;
  redirect_url: string | null;
  campaign_id: string | null;
  deliveries: Array<{ channel: string; recipient: string }>;
}

function expectError(
  res: { statusCode: number; body: string; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { error: { code: string; param?: string; message: string } };
  expect(body.error.code).toBe(code);
  return body.error;
}

describe.each(DIALECTS)('resending a link on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  const read = async (id: string) => {
    const res = await server.api('GET', `/v1/magic-links/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Link;
  };

  it('issues and sends a new link like the old one, and revokes the old one with reason resent', async () => {
    const email = uniqueEmail();
    const old = await createTestLink(server, {
      email,
      type: 'invite',
      language: 'de',
      ttl: 120,
      send: true,
      redirect_url: TEST_REDIRECT,
      metadata: { plan: 'pro' },
    });
    server.advance(30 * MINUTE);
    const res = await server.api('POST', `/v1/magic-links/${old.id}/resend`);
    expect(res.statusCode, res.body).toBe(201);
    expectDocumented(CreatedMagicLinkAnswer(''), res.json());
    const created = res.json().magic_link as { id: string; url: string; secret: string; ttl: number };
    expect(created.id).not.toBe(old.id);
    expect(created.url).toContain(created.secret);
    // The original length, from now: the person gets the window the app meant them to have.
    expect(created.ttl).toBe(120);

    const fresh = await read(created.id);
    expect(fresh).toMatchObject({
      user_id: old.user_id,
      type: 'invite',
      language: 'de',
      channel: 'email',
      redirect_url: TEST_REDIRECT,
      status: 'created',
      metadata: { plan: 'pro' },
    });
    expect(fresh.deliveries).toHaveLength(1);
    expect(fresh.deliveries[0]).toMatchObject({ channel: 'email', recipient: email });

    expect((await read(old.id)).status).toBe('revoked');
    const events = await server.api('GET', '/v1/events?type=magic_link.revoked&limit=5');
    const revoked = (events.json().data as Array<{ subject_id: string; data: Record<string, unknown> }>).find(
      (event) => event.subject_id === old.id,
    );
    expect(revoked?.data).toMatchObject({ magic_link_id: old.id, user_id: old.user_id, reason: 'resent' });
    // The old token no longer signs anyone in; the new one does.
    const page = await server.app.inject({ method: 'POST', url: old.path });
    expect(page.statusCode).toBe(410);
    await redeemHostedForCode(server, created.secret);
  });

  it('sends a link that was never sent on the channel of its address', async () => {
    const phone = '+14155550177';
    const old = await createTestLink(server, { email: undefined, phone });
    const res = await server.api('POST', `/v1/magic-links/${old.id}/resend`);
    expect(res.statusCode, res.body).toBe(201);
    const fresh = await read(res.json().magic_link.id);
    expect(fresh.channel).toBe('phone');
    expect(fresh.deliveries[0]).toMatchObject({ channel: 'phone', recipient: phone });
  });

  it('refuses a used, a revoked and an expired link with a code that says which, changing nothing', async () => {
    const used = await createTestLink(server, { email: uniqueEmail() });
    await redeemHostedForCode(server, used.token);
    const usedError = expectError(
      await server.api('POST', `/v1/magic-links/${used.id}/resend`),
      410,
      'link_used',
    );
    expect(usedError.message).toContain('Create a new link');

    const revoked = await createTestLink(server, { email: uniqueEmail() });
    await server.api('POST', `/v1/magic-links/${revoked.id}/revoke`);
    expectError(await server.api('POST', `/v1/magic-links/${revoked.id}/resend`), 410, 'link_revoked');

    const expired = await createTestLink(server, { email: uniqueEmail(), ttl: 5 });
    server.advance(6 * MINUTE);
    expectError(await server.api('POST', `/v1/magic-links/${expired.id}/resend`), 410, 'link_expired');
    expect((await read(expired.id)).status).toBe('expired');

    const links = await server.api('GET', `/v1/magic-links?user_id=${expired.user_id}`);
    expect(links.json().data).toHaveLength(1);
  });

  it('leaves the old link alone when the new one cannot be made (its redirect is no longer allowed)', async () => {
    const other = await createOtherApp(server);
    const made = await server.api('POST', '/v1/magic-links', { email: uniqueEmail() }, other.key);
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().magic_link.id as string;
    const patched = await server.api(
      'PATCH',
      `/v1/apps/${other.appId}`,
      { allowed_redirects: ['https://elsewhere.example.com'], default_redirect_url: null },
      other.key,
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expectError(
      await server.api('POST', `/v1/magic-links/${id}/resend`, undefined, other.key),
      400,
      'redirect_not_allowed',
    );
    const still = await server.api('GET', `/v1/magic-links/${id}`, undefined, other.key);
    expect(still.json().status).toBe('created');
  });

  it("answers not_found for another app's link", async () => {
    const other = await createOtherApp(server);
    const link = await createTestLink(server, { email: uniqueEmail() });
    expectError(
      await server.api('POST', `/v1/magic-links/${link.id}/resend`, undefined, other.key),
      404,
      'not_found',
    );
    expect((await read(link.id)).status).toBe('created');
  });
});

describe.each(DIALECTS)('filtering links by identifier, channel and language on %s', (dialect) => {
  let server: TestServer;
  let key = '';
  beforeAll(async () => {
    server = await startTestServer(dialect);
    key = (await createOtherApp(server)).key;
  });
  afterAll(async () => server?.close());

  const ids = async (query: string) => {
    const res = await server.api('GET', `/v1/magic-links?limit=500${query}`, undefined, key);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as Array<{ id: string }>).map((row) => row.id).sort();
  };
  const make = async (body: Record<string, unknown>) => {
    const res = await server.api('POST', '/v1/magic-links', body, key);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().magic_link.id as string;
  };

  it('finds links by a part of their address or number, wildcards taken literally', async () => {
    const ada = await make({ email: 'ada_lovelace@example.com' });
    const adam = await make({ email: 'adam@example.org' });
    const phone = await make({ phone: '+14155550100' });
    expect(await ids('&identifier=ada')).toEqual([ada, adam].sort());
    expect(await ids('&identifier=ADA_')).toEqual([ada]);
    expect(await ids('&identifier=%25')).toEqual([]);
    expect(await ids('&identifier=example.org')).toEqual([adam]);
    expect(await ids(`&identifier=${encodeURIComponent('+1415')}`)).toEqual([phone]);
  });

  it('filters by channel (the kind of address for a link never sent) and by language', async () => {
    const email = await make({ email: uniqueEmail(), language: 'fr' });
    const sent = await make({ email: uniqueEmail(), send: true });
    const sms = await make({ phone: '+14155550111', language: 'fr-CA' });
    const phones = await ids('&channel=phone');
    expect(phones).toContain(sms);
    expect(phones).not.toContain(email);
    const emails = await ids('&channel=email');
    expect(emails).toEqual(expect.arrayContaining([email, sent]));
    expect(emails).not.toContain(sms);
    expect(await ids('&language=fr')).toEqual([email, sms].sort());
    expect(await ids('&language=fr&channel=phone')).toEqual([sms]);
  });

  it('refuses an unknown language, channel or an empty identifier', async () => {
    const language = expectError(
      await server.api('GET', '/v1/magic-links?language=xx', undefined, key),
      400,
      'validation_failed',
    );
    expect(language.param).toBe('language');
    expectError(
      await server.api('GET', '/v1/magic-links?channel=fax', undefined, key),
      400,
      'validation_failed',
    );
    expectError(
      await server.api('GET', '/v1/magic-links?identifier=', undefined, key),
      400,
      'validation_failed',
    );
  });
});
