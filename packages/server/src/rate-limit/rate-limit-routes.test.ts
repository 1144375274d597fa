/**
 * Rate limits as callers meet them: per API key on the API, per IP on the public endpoints that take no key, the
 * 429 with `Retry-After` and `rate_limited`, the `rate_limit.hit` event, and what happens when Redis is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, readSettings } from '../apps/app-settings.js';
import {
  createOtherApp,
  createTestLink,
  startTestServer,
  type TestServer,
} from '../test-support/test-server.js';
import { identifierRules, ipRateLimitKey } from './enforce.js';

const rateLimitEvents = async (server: TestServer, appId: string) =>
  server.ctx.store.listEvents(appId, { type: 'rate_limit.hit' }, { limit: 100 });

describe('ipRateLimitKey', () => {
  it('keeps IPv4 as is and unwraps IPv4-mapped IPv6', () => {
    expect(ipRateLimitKey('198.51.100.7')).toBe('198.51.100.7');
    expect(ipRateLimitKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(ipRateLimitKey('::FFFF:c633:6407')).toBe('198.51.100.7');
  });

  it('groups IPv6 by its /64 in one spelling, whatever the spelling in', () => {
    const key = '2001:db8:1:2::/64';
    expect(ipRateLimitKey('2001:db8:1:2::1')).toBe(key);
    expect(ipRateLimitKey('2001:0DB8:0001:0002:ffff:eeee:dddd:cccc')).toBe(key);
    expect(ipRateLimitKey('2001:db8:1:2:0:0:0:9')).toBe(key);
    expect(ipRateLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(ipRateLimitKey('2001:db8:1:3::1')).not.toBe(key);
    expect(ipRateLimitKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('rate limit settings', () => {
  it('turns the identifier settings into rules, the cooldown into one send per window (0: off)', () => {
    const limits = defaultSettings().rate_limits;
    expect(identifierRules(limits)).toEqual({
      sends: { limit: 5, windowSeconds: 900 },
      resendCooldown: { limit: 1, windowSeconds: 30 },
      codeAttempts: { limit: 10, windowSeconds: 900 },
    });
    expect(identifierRules({ ...limits, login_resend_cooldown_seconds: 0 }).resendCooldown.limit).toBe(0);
  });

  it('reads settings stored before the block existed as the defaults', () => {
    const { rate_limits: _, ...old } = defaultSettings();
    expect(readSettings(JSON.stringify(old)).rate_limits).toEqual(defaultSettings().rate_limits);
    const partial = readSettings(
      JSON.stringify({ ...old, rate_limits: { public_requests_per_ip: { limit: 9 } } }),
    );
    expect(partial.rate_limits.public_requests_per_ip).toEqual({ limit: 9, window_seconds: 60 });
  });
});

describe('rate limits over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows the defaults and patches one field of one rule, refusing bad values without storing them', async () => {
    const { appId, key } = await createOtherApp(server);
    const get = await server.api('GET', `/v1/apps/${appId}`, undefined, key);
    expect(get.json().rate_limits).toEqual(defaultSettings().rate_limits);
    const patched = await server.api(
      'PATCH',
      `/v1/apps/${appId}`,
      { rate_limits: { api_requests_per_key: { limit: 500 }, login_resend_cooldown_seconds: 0 } },
      key,
    );
    expect(patched.statusCode).toBe(200);
    expect(patched.json().rate_limits.api_requests_per_key).toEqual({ limit: 500, window_seconds: 60 });
    expect(patched.json().rate_limits.login_resend_cooldown_seconds).toBe(0);
    for (const bad of [
      { public_requests_per_ip: { limit: -1 } },
      { public_requests_per_ip: { window_seconds: 0 } },
      { public_requests_per_ip: { window_seconds: 86_401 } },
      { api_requests_per_key: { limit: 1.5 } },
      { unknown_rule: { limit: 1 } },
    ]) {
      const res = await server.api('PATCH', `/v1/apps/${appId}`, { rate_limits: bad }, key);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(res.json().error.param).toMatch(/^rate_limits\./);
    }
    const after = await server.api('GET', `/v1/apps/${appId}`, undefined, key);
    expect(after.json().rate_limits.api_requests_per_key).toEqual({ limit: 500, window_seconds: 60 });
  });

  it('limits an app key to api_requests_per_key, answers 429 with Retry-After, and records one event', async () => {
    const { appId, key } = await createOtherApp(server, {
      rate_limits: { api_requests_per_key: { limit: 3, window_seconds: 60 } },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await server.api('GET', '/v1/users', undefined, key)).statusCode);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await server.api('GET', '/v1/users', undefined, key);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A refused request changes nothing.
    const create = await server.api('POST', '/v1/magic-links', { email: 'x@example.com' }, key);
    expect(create.statusCode).toBe(429);
    expect((await server.ctx.store.listUsers(appId, {}, { limit: 10 })).length).toBe(0);

    const events = await rateLimitEvents(server, appId);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toEqual({
      scope: 'api_key',
      bucket: 'api',
      limit: 3,
      window_seconds: 60,
    });
    // Admin keys are not limited, and the other app's key has its own count.
    expect((await server.api('GET', `/v1/apps/${appId}`, undefined, server.adminKey)).statusCode).toBe(200);
    expect((await server.api('GET', '/v1/users')).statusCode).toBe(200);

    server.advance(61_000);
    expect((await server.api('GET', '/v1/users', undefined, key)).statusCode).toBe(200);
  });

  it('applies a changed API-key limit at once in the process that changed it', async () => {
    const { appId, key } = await createOtherApp(server);
    expect((await server.api('GET', '/v1/users', undefined, key)).statusCode).toBe(200);
    const patched = await server.api(
      'PATCH',
      `/v1/apps/${appId}`,
      { rate_limits: { api_requests_per_key: { limit: 1, window_seconds: 3600 } } },
      key,
    );
    expect(patched.statusCode).toBe(200);
    expect((await server.api('GET', '/v1/users', undefined, key)).statusCode).toBe(200);
    expect((await server.api('GET', '/v1/users', undefined, key)).statusCode).toBe(429);
  });

  it('switches a rule off with a limit of 0', async () => {
    const { key } = await createOtherApp(server, {
      rate_limits: { api_requests_per_key: { limit: 0, window_seconds: 1 } },
    });
    for (let i = 0; i < 20; i++)
      expect((await server.api('GET', '/v1/users', undefined, key)).statusCode).toBe(200);
  });
});

describe('per-IP limits on public endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const res = await server.api('PATCH', `/v1/apps/${server.appId}`, {
      rate_limits: { public_requests_per_ip: { limit: 2, window_seconds: 60 } },
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (url: string, remoteAddress: string, payload?: unknown) =>
    server.app.inject({
      method: url.includes('magic-link/activate') ? 'PATCH' : 'POST',
      url,
      remoteAddress,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  it('refuses the hosted link POST from one address past the limit, the same for real and made-up tokens', async () => {
    const ip = '198.51.100.20';
    const link = await createTestLink(server);
    const made = `/l/${'x'.repeat(43)}`;
    expect((await post(made, ip)).statusCode).toBe(404);
    expect((await post(made, ip)).statusCode).toBe(404);
    const refusedMade = await post(made, ip);
    const refusedReal = await post(link.path, ip);
    for (const refused of [refusedMade, refusedReal]) {
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toContain('rate_limited');
    }
    const same = (body: string) => body.replace(/nonce="[^"]+"/g, 'nonce').replace(/in \d+ s/, 'in N s');
    expect(same(refusedReal.body)).toBe(same(refusedMade.body));
    // The same address as IPv4-mapped IPv6 shares the count; another address does not.
    expect((await post(made, `::ffff:${ip}`)).statusCode).toBe(429);
    expect((await post(link.path, '198.51.100.21')).statusCode).toBe(303);
  });

  it('groups IPv6 clients by /64', async () => {
    const made = `/l/${'y'.repeat(43)}`;
    expect((await post(made, '2001:db8:aa:1::1')).statusCode).toBe(404);
    expect((await post(made, '2001:db8:aa:1:ffff::2')).statusCode).toBe(404);
    expect((await post(made, '2001:0db8:00aa:0001::3')).statusCode).toBe(429);
    expect((await post(made, '2001:db8:aa:2::1')).statusCode).toBe(404);
  });

  it('limits stateless /login/{token} POSTs before looking at the token', async () => {
    const ip = '198.51.100.30';
    const json = (url: string) =>
      server.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { accept: 'application/json' } });
    expect((await json('/login/not-a-token')).statusCode).toBe(400);
    expect((await json(`/apps/${server.appId}/login/not-a-token`)).statusCode).toBe(400);
    const refused = await json('/login/not-a-token');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(refused.headers['retry-after']).toBeDefined();
    const page = await server.app.inject({ method: 'POST', url: '/login/not-a-token', remoteAddress: ip });
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['retry-after']).toBeDefined();
  });

  it("limits Passage's activate route, and an unknown app is limited like the default app", async () => {
    const ip = '198.51.100.40';
    const unknownApp = `/v1/apps/app_01jzzzzzzzzzzzzzzzzzzzzzzz/magic-link/activate`;
    const known = `/v1/apps/${server.appId}/magic-link/activate`;
    const body = { magic_link: 'nope' };
    const first = await post(unknownApp, ip, body);
    const second = await post(known, ip, body);
    expect(first.statusCode).toBe(second.statusCode);
    const refusedUnknown = await post(unknownApp, ip, body);
    const refusedKnown = await post(known, ip, body);
    expect(refusedUnknown.statusCode).toBe(429);
    expect(refusedUnknown.json()).toEqual(refusedKnown.json());
    expect(refusedUnknown.json().error.code).toBe('rate_limited');
  });

  it('writes one rate_limit.hit per address and window, without the address', async () => {
    const events = await rateLimitEvents(server, server.appId);
    const buckets = events.map((e) => JSON.parse(e.data).bucket).sort();
    expect(buckets).toEqual([
      'public_hosted_link',
      'public_hosted_link',
      'public_passage_activate',
      'public_signed_link',
    ]);
    for (const event of events) {
      expect(event.data).not.toMatch(/198\.51|2001:db8/);
      expect(JSON.parse(event.data)).toMatchObject({ scope: 'ip', limit: 2, window_seconds: 60 });
    }
  });
});

describe('when Redis is unreachable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    await server.api('PATCH', `/v1/apps/${server.appId}`, {
      rate_limits: { public_requests_per_ip: { limit: 10 } },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets API-key requests through and refuses public ones with 503 rate_limit_unavailable', async () => {
    expect((await server.api('GET', '/v1/users')).statusCode).toBe(200);
    const refused = await server.app.inject({
      method: 'POST',
      url: '/login/not-a-token',
      headers: { accept: 'application/json' },
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('rate_limit_unavailable');
    expect(refused.headers['retry-after']).toBe('5');
  });
});

describe('behind a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { LATCHKEY_TRUST_PROXY: 'true' } });
    await server.api('PATCH', `/v1/apps/${server.appId}`, {
      rate_limits: { public_requests_per_ip: { limit: 1 } },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('counts the client address from X-Forwarded-For, not the proxy', async () => {
    const from = (client: string) =>
      server.app.inject({
        method: 'POST',
        url: '/login/not-a-token',
        remoteAddress: '10.0.0.1',
        headers: { accept: 'application/json', 'x-forwarded-for': client },
      });
    expect((await from('203.0.113.1')).statusCode).toBe(400);
    expect((await from('203.0.113.1')).statusCode).toBe(429);
    expect((await from('203.0.113.2')).statusCode).toBe(400);
    expect((await from('2001:db8:5:6::1')).statusCode).toBe(400);
    expect((await from('2001:db8:5:6::2')).statusCode).toBe(429);
  });
});
