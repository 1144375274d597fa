/**
 * The rate limits of the hosted sign-in: per address (a resend cooldown, sends per window, code attempts) and per
 * network (IPv6 by /64). Over the limit is a 429 with `Retry-After` and `rate_limited`, the same for an address that
 * belongs to nobody, and one `rate_limit.hit` event per window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginMessages } from '../pages/login-messages.js';
import { newBrowser, startFlow } from '../test-support/login-flow.js';
import {
  createOtherApp,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

const OFF = { limit: 0 };

describe('rate limits of the hosted sign-in', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  async function appWith(rateLimits: Record<string, unknown>, settings: Record<string, unknown> = {}) {
    return createOtherApp(server, {
      rate_limits: {
        login_resend_cooldown_seconds: 0,
        login_sends_per_identifier: OFF,
        code_attempts_per_identifier: OFF,
        public_requests_per_ip: OFF,
        ...rateLimits,
      },
      ...settings,
    });
  }

  const hits = async (appId: string) =>
    (await server.ctx.store.listEvents(appId, { type: 'rate_limit.hit' }, { limit: 50 })).map(
      (row) => JSON.parse(row.data) as Record<string, unknown>,
    );

  it('caps the messages per address in a window, the same for a known and an unknown address', async () => {
    const { appId, key } = await appWith(
      { login_sends_per_identifier: { limit: 2, window_seconds: 900 } },
      { auto_create_users: false },
    );
    const known = uniqueEmail();
    await server.api('POST', '/v1/users', { email: known }, key);
    const unknown = uniqueEmail();
    const answers = async (email: string) => {
      const out = [];
      for (let i = 0; i < 3; i++) out.push(await startFlow(server, newBrowser(), { email }, appId));
      return out;
    };
    const [a, b] = [await answers(known), await answers(unknown)];
    expect(a.map((r) => r.statusCode)).toEqual([202, 202, 429]);
    expect(b.map((r) => r.statusCode)).toEqual([202, 202, 429]);
    expect(b[2]!.body).toBe(a[2]!.body);
    expect(a[2]!.json().error.code).toBe('rate_limited');
    expect(Number(a[2]!.headers['retry-after'])).toBeGreaterThan(0);
    const events = await hits(appId);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ scope: 'identifier', bucket: 'login_send', limit: 2 });
    expect(JSON.stringify(events)).not.toContain(known);
  });

  it('keeps a cooldown between two messages to one address, then allows the next', async () => {
    const { appId } = await appWith({ login_resend_cooldown_seconds: 30 });
    const email = uniqueEmail();
    expect((await startFlow(server, newBrowser(), { email }, appId)).statusCode).toBe(202);
    const again = await startFlow(server, newBrowser(), { email }, appId);
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(30);
    // Another address is not held up.
    expect((await startFlow(server, newBrowser(), { email: uniqueEmail() }, appId)).statusCode).toBe(202);
    server.advance(31_000);
    expect((await startFlow(server, newBrowser(), { email }, appId)).statusCode).toBe(202);
  });

  it('caps code attempts per address across flows', async () => {
    const { appId } = await appWith({ code_attempts_per_identifier: { limit: 3, window_seconds: 900 } });
    const email = uniqueEmail();
    await startFlow(server, newBrowser(), { email }, appId);
    const attempt = () =>
      server.app.inject({
        method: 'POST',
        url: '/v1/public/login/verify-code',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ app_id: appId, identifier: email, code: 'ZZZZ-ZZZZ' }),
      });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await attempt()).json().error.code);
    expect(codes).toEqual(['code_invalid', 'code_invalid', 'code_invalid', 'rate_limited']);
  });

  it('limits each network, grouping IPv6 addresses by /64', async () => {
    const { appId } = await appWith({ public_requests_per_ip: { limit: 2, window_seconds: 60 } });
    const from = (remoteAddress: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/public/login/start',
        remoteAddress,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ app_id: appId, email: uniqueEmail() }),
      });
    expect((await from('2001:db8:7:1::1')).statusCode).toBe(202);
    expect((await from('2001:db8:7:1::2')).statusCode).toBe(202);
    expect((await from('2001:db8:7:1:ffff::3')).statusCode).toBe(429);
    expect((await from('2001:db8:7:2::1')).statusCode).toBe(202);
    expect((await from('198.51.100.20')).statusCode).toBe(202);
    const events = await hits(appId);
    expect(events).toEqual([expect.objectContaining({ scope: 'ip', bucket: 'login_start' })]);
  });

  it('shows the login page again with a plain message when over the limit', async () => {
    const { appId } = await appWith({ login_resend_cooldown_seconds: 60 });
    const email = uniqueEmail();
    const post = () =>
      server.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `app=${appId}&email=${encodeURIComponent(email)}`,
      });
    expect((await post()).statusCode).toBe(303);
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toEqual(expect.any(String));
    expect(refused.body).toContain(loginMessages.en.errorRateLimited);
  });
});
