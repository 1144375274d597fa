/** The events API (list with type, since and cursor; read one), the audit trail, and the link-expiry sweep. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import { sweepExpiredLinks } from '../links/link-expiry.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

interface Ev {
  id: string;
  type: string;
  subject_id: string | null;
  created_at: string;
  data: Record<string, unknown>;
}

describe.each(DIALECTS)('events on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(() => server.close());

  const list = async (query: string) => {
    const res = await server.api('GET', `/v1/events${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { data: Ev[]; next_cursor: string | null };
  };

  it('lists events newest first, filtered by type and time, page by page', async () => {
    const start = new Date(server.ctx.clock()).toISOString();
    const users: string[] = [];
    for (let i = 0; i < 5; i++) {
      users.push((await server.api('POST', '/v1/users', { email: uniqueEmail() })).json().id);
      server.advance(1000);
    }
    const page1 = await list(`?type=user.created&since=${start}&limit=2`);
    expect(page1.data.map((e) => e.data.user_id)).toEqual([users[4], users[3]]);
    expect(page1.next_cursor).toBe(page1.data[1]!.id);
    const page2 = await list(`?type=user.created&since=${start}&limit=2&cursor=${page1.next_cursor}`);
    expect(page2.data.map((e) => e.data.user_id)).toEqual([users[2], users[1]]);
    const page3 = await list(`?type=user.created&since=${start}&limit=2&cursor=${page2.next_cursor}`);
    expect(page3.data.map((e) => e.data.user_id)).toEqual([users[0]]);
    expect(page3.next_cursor).toBeNull();
    const later = new Date(server.ctx.clock() - 2500).toISOString();
    expect((await list(`?type=user.created&since=${later}`)).data.map((e) => e.data.user_id)).toEqual([
      users[4],
      users[3],
    ]);

    const one = await server.api('GET', `/v1/events/${page1.data[0]!.id}`);
    expect(one.json()).toEqual(page1.data[0]);
  });

  it('narrows the list to a time range and to the id an event is about', async () => {
    const start = server.ctx.clock();
    const users: string[] = [];
    for (let i = 0; i < 3; i++) {
      users.push((await server.api('POST', '/v1/users', { email: uniqueEmail() })).json().id);
      server.advance(1000);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    // [since, until): the middle user only.
    const middle = await list(`?type=user.created&since=${iso(start + 500)}&until=${iso(start + 1500)}`);
    expect(middle.data.map((e) => e.data.user_id)).toEqual([users[1]]);
    const about = await list(`?subject_id=${users[2]}`);
    expect(about.data.length).toBeGreaterThan(0);
    expect(about.data.every((e) => e.subject_id === users[2])).toBe(true);

    const backwards = await server.api('GET', `/v1/events?since=${iso(start)}&until=${iso(start - 1000)}`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error).toMatchObject({ code: 'validation_failed', param: 'until' });
    expect((await server.api('GET', '/v1/events?subject_id=nope')).statusCode).toBe(400);
  });

  it('refuses bad filters with a 400 and hides other apps’ events', async () => {
    for (const query of ['?since=yesterday', '?limit=0', '?cursor=nope', '?type=DROP%20TABLE']) {
      const res = await server.api('GET', `/v1/events${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const mine = (await list('?limit=1')).data[0]!;
    const other = await createOtherApp(server);
    expect((await server.api('GET', `/v1/events/${mine.id}`, undefined, other.key)).statusCode).toBe(404);
    const theirs = (await server.api('GET', '/v1/events', undefined, other.key)).json().data as Ev[];
    expect(theirs.some((e) => e.id === mine.id)).toBe(false);
    expect((await server.api('GET', '/v1/events/evt_01aaaaaaaaaaaaaaaaaaaaaaaa')).statusCode).toBe(404);
  });

  it('records admin actions with the acting key: keys, signing keys, settings', async () => {
    const keyId = (await server.ctx.store.findApiKeyByHash(hashSecret(server.apiKey)))!.id;
    const key = (await server.api('POST', '/v1/api-keys', { label: 'ci' })).json();
    await server.api('DELETE', `/v1/api-keys/${key.id}`);
    const signing = (await server.api('POST', '/v1/signing-keys', { label: 'web' })).json();
    await server.api('DELETE', `/v1/signing-keys/${signing.kid}`);
    await server.api('PATCH', `/v1/apps/${server.appId}`, { name: 'Renamed' });
    for (const [type, subject] of [
      ['api_key.created', key.id],
      ['api_key.revoked', key.id],
      ['signing_key.created', signing.kid],
      ['signing_key.revoked', signing.kid],
      ['app.updated', server.appId],
    ]) {
      const [event] = (await list(`?type=${type}&limit=1`)).data;
      expect(event, type).toMatchObject({ subject_id: subject, data: { actor_key_id: keyId } });
      expect(JSON.stringify(event)).not.toMatch(/lk_sk_|lk_hs_/);
    }
  });

  it('records magic_link.expired once per link that expired unused', async () => {
    const unused = await createTestLink(server, { email: uniqueEmail(), ttl: 5 });
    const used = await createTestLink(server, { email: uniqueEmail(), ttl: 5 });
    await redeemHostedForCode(server, used.token);
    await sweepExpiredLinks(server.ctx);
    expect((await list('?type=magic_link.expired')).data).toEqual([]);
    server.advance(6 * 60_000);
    expect(await sweepExpiredLinks(server.ctx)).toBeGreaterThanOrEqual(2);
    await sweepExpiredLinks(server.ctx);
    const expired = (await list('?type=magic_link.expired')).data;
    expect(expired.map((e) => e.subject_id)).toEqual([unused.id]);
    expect(expired[0]!.data).toMatchObject({
      magic_link_id: unused.id,
      user_id: unused.user_id,
      type: 'login',
    });
  });

  it('lists the events of one user: about the user, its links and its sessions', async () => {
    const email = uniqueEmail();
    const link = await createTestLink(server, { email });
    await redeemHostedForCode(server, link.token);
    const other = await createTestLink(server, { email: uniqueEmail() });
    const events = (await list(`?user_id=${link.user_id}`)).data;
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['user.created', 'magic_link.created', 'magic_link.redeemed']),
    );
    expect(types.some((type) => type.startsWith('session.'))).toBe(true);
    expect(events.every((e) => e.subject_id !== other.id && e.subject_id !== other.user_id)).toBe(true);
    const bad = await server.api('GET', '/v1/events?user_id=nope');
    expect(bad.statusCode).toBe(400);
  });
});
