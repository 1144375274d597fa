import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkceChallenge } from '../crypto/tokens.js';
import { loginMessages } from '../pages/login-messages.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  amrOf,
  type Browser,
  deliveredTo,
  exchangeFor,
  headersOf,
  newBrowser,
  remember,
  startFlow,
} from '../test-support/login-flow.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

const en = loginMessages.en;
const NO_LIMITS = {
  login_resend_cooldown_seconds: 0,
  login_sends_per_identifier: { limit: 0 },
  code_attempts_per_identifier: { limit: 0 },
  public_requests_per_ip: { limit: 0 },
};
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

function visit(
  server: TestServer,
  browser: Browser,
  method: 'GET' | 'HEAD' | 'POST',
  url: string,
  form?: string,
) {
  return server.app.inject({
    method,
    url,
    headers: {
      ...headersOf(browser),
      ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(form === undefined ? {} : { payload: form }),
  });
}

function publicCall(
  server: TestServer,
  browser: Browser,
  method: 'GET' | 'POST',
  url: string,
  body?: object,
) {
  return server.app.inject({
    method,
    url,
    headers: { ...headersOf(browser), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
}

async function statusOf(server: TestServer, browser: Browser, appId = server.appId): Promise<string> {
  const res = await publicCall(server, browser, 'GET', `/v1/public/login/status?app_id=${appId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().status;
}

async function eventsOf(server: TestServer, type: string, subject: string) {
  const rows = await server.ctx.store.listEvents(server.appId, { type, subject_id: subject }, { limit: 500 });
  return rows.map((row) => ({ type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
}

describe.each(DIALECTS)('hosted sign-in flows on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    // These tests start many flows from one address; the limits have tests of their own (login-limits.test.ts).
    const patched = await server.api('PATCH', `/v1/apps/${server.appId}`, { rate_limits: NO_LIMITS });
    expect(patched.statusCode, patched.body).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function begin(email = uniqueEmail(), body: Record<string, unknown> = {}, userAgent?: string) {
    const browser = newBrowser(userAgent);
    const res = await startFlow(server, browser, { email, ...body });
    expect(res.statusCode, res.body).toBe(202);
    const message = await deliveredTo(server, email);
    return { browser, email, message };
  }

  describe('start', () => {
    it('answers 202, sets an HttpOnly SameSite=Lax cookie, and sends one message with a link and a code', async () => {
      const email = uniqueEmail();
      const browser = newBrowser();
      const res = await startFlow(server, browser, { email });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({
        status: 'pending',
        channel: 'email',
        expires_in_seconds: 900,
        code_length: 8,
      });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^lk_browser=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
      expect(res.headers['cache-control']).toBe('no-store');
      const message = await deliveredTo(server, email);
      expect(message.path).toMatch(/^\/login\/link\/[A-Za-z0-9_-]{43}$/);
      expect(message.code).toMatch(/^[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$/);
      // No user until the sign-in succeeds.
      const users = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
      expect(users.json().data).toEqual([]);
    });

    it('keeps the link URL short', async () => {
      const { message } = await begin();
      const url = `https://auth.example.com${message.path}`;
      expect(url.length).toBeLessThanOrEqual(100);
    });

    it('refuses a redirect that is not on the allowlist, without sending anything', async () => {
      const email = uniqueEmail();
      const res = await startFlow(server, newBrowser(), {
        email,
        redirect_url: 'https://evil.example/steal',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('redirect_not_allowed');
      await expect(deliveredTo(server, email)).rejects.toThrow(/no message/);
    });

    it('refuses malformed input with validation_failed, invalid_email or invalid_phone', async () => {
      for (const [body, code] of [
        [{}, 'validation_failed'],
        [{ email: uniqueEmail(), phone: '+447911123489' }, 'validation_failed'],
        [{ email: 'not-an-email' }, 'invalid_email'],
        [{ phone: '+10000000000' }, 'invalid_phone'],
      ] as const) {
        const res = await startFlow(server, newBrowser(), body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.code).toBe(code);
      }
    });
  });

  describe('the link in the browser that started the flow', () => {
    it('shows a confirm button on GET (never consuming), and signs in on POST', async () => {
      const { browser, email, message } = await begin();
      for (let i = 0; i < 2; i++) {
        const page = await visit(server, browser, 'GET', message.path);
        expect(page.statusCode).toBe(200);
        expect(page.body).not.toContain(en.approveTitle);
        expect(page.body).toContain(`action="${message.path}"`);
      }
      expect((await visit(server, browser, 'HEAD', message.path)).statusCode).toBe(200);
      const post = await visit(server, browser, 'POST', message.path);
      expect(post.statusCode).toBe(303);
      expect(post.headers.location).toMatch(new RegExp(`^${TEST_REDIRECT}\\?lk_code=`));
      const exchanged = await exchangeFor(server, String(post.headers.location));
      expect(exchanged.statusCode, exchanged.body).toBe(200);
      expect(exchanged.json().user).toMatchObject({ email, email_verified: true });
      expect(amrOf(exchanged.json().session.token)).toEqual(['magic_link']);
      expect(await statusOf(server, browser)).toBe('completed');

      const again = await visit(server, browser, 'POST', message.path);
      expect(again.statusCode).toBe(410);
      expect(again.headers.location).toBeUndefined();
    });
  });

  describe('the link clicked on another device', () => {
    it('asks for approval, naming the requesting browser; approving signs the first browser in, not this one', async () => {
      const { browser, email, message } = await begin(uniqueEmail(), {}, CHROME_MAC);
      const phone = newBrowser();
      const page = await visit(server, phone, 'GET', message.path);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(en.approveTitle);
      expect(page.body).toContain('Chrome on macOS');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.body).toContain('<meta name="referrer" content="no-referrer">');
      expect(page.body).toMatch(/seconds? ago|now/);
      expect(page.body).not.toContain(email);

      // A POST without a decision (a scanner following the form) decides nothing.
      const blind = await visit(server, phone, 'POST', message.path);
      expect(blind.statusCode).toBe(400);
      expect(await statusOf(server, browser)).toBe('pending');

      const approved = await visit(server, phone, 'POST', message.path, 'decision=approve');
      expect(approved.statusCode).toBe(200);
      expect(approved.body).toContain(en.approvedTitle);
      expect(approved.headers.location).toBeUndefined();
      expect(approved.body).not.toContain('lk_code');
      expect(await statusOf(server, browser)).toBe('approved');
      // The approving device has no flow of its own: nothing to finish there.
      const stolen = await publicCall(server, phone, 'POST', '/v1/public/login/complete', {
        app_id: server.appId,
      });
      expect(stolen.statusCode).toBe(404);
      expect(stolen.json().error.code).toBe('login_flow_not_found');

      const done = await publicCall(server, browser, 'POST', '/v1/public/login/complete', {
        app_id: server.appId,
      });
      expect(done.statusCode, done.body).toBe(200);
      const exchanged = await exchangeFor(server, done.json().redirect_url);
      expect(exchanged.json().user.email).toBe(email);
      expect(amrOf(exchanged.json().session.token)).toEqual(['magic_link']);

      const twice = await publicCall(server, browser, 'POST', '/v1/public/login/complete', {
        app_id: server.appId,
      });
      expect(twice.statusCode).toBe(409);
      expect(twice.json().error.code).toBe('login_not_approved');
      expect((await visit(server, phone, 'POST', message.path, 'decision=approve')).statusCode).toBe(410);
    });

    it('lets the other device refuse: nobody is signed in', async () => {
      const { browser, message } = await begin();
      const denied = await visit(server, newBrowser(), 'POST', message.path, 'decision=deny');
      expect(denied.body).toContain(en.deniedTitle);
      expect(await statusOf(server, browser)).toBe('denied');
      const done = await publicCall(server, browser, 'POST', '/v1/public/login/complete', {
        app_id: server.appId,
      });
      expect(done.json().error.code).toBe('login_not_approved');
    });

    it('never signs a browser into the account of someone who mailed it their link (login CSRF)', async () => {
      // The attacker starts a flow for their own address and sends the link to the victim.
      const attacker = await begin();
      const victim = newBrowser(CHROME_MAC);
      // The victim's browser has a flow of its own too: still not the one that started the attacker's.
      await startFlow(server, victim, { email: uniqueEmail() });
      const page = await visit(server, victim, 'GET', attacker.message.path);
      expect(page.body).toContain(en.approveTitle);
      for (const form of [undefined, 'decision=approve']) {
        const post = await visit(server, victim, 'POST', attacker.message.path, form);
        expect(post.headers.location).toBeUndefined();
        expect(post.headers['set-cookie']).toBeUndefined();
      }
      expect(await statusOf(server, victim)).toBe('pending');
    });
  });

  describe('the code', () => {
    it('signs in, typed in any case and with or without the dash', async () => {
      const { browser, email, message } = await begin();
      const typed = ` ${message.code.replace('-', '').toLowerCase()} `;
      const res = await publicCall(server, newBrowser(), 'POST', '/v1/public/login/verify-code', {
        app_id: server.appId,
        identifier: email.toUpperCase(),
        code: typed,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('completed');
      const exchanged = await exchangeFor(server, res.json().redirect_url);
      expect(exchanged.json().user.email).toBe(email);
      expect(amrOf(exchanged.json().session.token)).toEqual(['otp']);
      expect(await statusOf(server, browser)).toBe('completed');
      // The flow is over, and its link with it.
      expect((await visit(server, browser, 'POST', message.path)).statusCode).toBe(410);
    });

    it('counts at most five of 50 concurrent wrong codes; then even the right code is refused', async () => {
      const { browser, email, message } = await begin();
      const wrong = message.code === '2222-2222' ? '3333-3333' : '2222-2222';
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          publicCall(server, newBrowser(), 'POST', '/v1/public/login/verify-code', {
            app_id: server.appId,
            identifier: email,
            code: wrong,
          }),
        ),
      );
      const codes = results.map((r) => r.json().error?.code);
      expect(codes.every((c) => c === 'code_invalid' || c === 'code_exhausted' || c === 'rate_limited')).toBe(
        true,
      );
      expect(codes.filter((c) => c === 'code_invalid').length).toBeLessThanOrEqual(4);
      const flowId = (await server.ctx.store.latestOpenLoginFlow(server.appId, email, server.ctx.clock()))!
        .id;
      const failures = await eventsOf(server, 'login.code_failed', flowId);
      expect(failures.length).toBeLessThanOrEqual(5);
      const row = await server.ctx.store.latestLoginFlowForBrowser(
        server.appId,
        (await server.ctx.store.findLoginFlowByLinkHash(
          (await import('../crypto/tokens.js')).hashSecret(message.token),
        ))!.browser_hash,
      );
      expect(row!.code_attempts).toBe(5);

      const right = await publicCall(server, browser, 'POST', '/v1/public/login/verify-code', {
        app_id: server.appId,
        identifier: email,
        code: message.code,
      });
      expect(right.statusCode).toBe(400);
      expect(right.json().error.code).toBe('code_exhausted');
      // Only the code is dead: the link still works.
      const post = await visit(server, browser, 'POST', message.path);
      expect(post.statusCode).toBe(303);
    });

    it('records login.code_failed for a wrong code', async () => {
      const { email } = await begin();
      const res = await publicCall(server, newBrowser(), 'POST', '/v1/public/login/verify-code', {
        app_id: server.appId,
        identifier: email,
        code: 'ZZZZ-ZZZZ',
      });
      expect(res.json().error.code).toBe('code_invalid');
      const flow = await server.ctx.store.latestOpenLoginFlow(server.appId, email, server.ctx.clock());
      const failures = await eventsOf(server, 'login.code_failed', flow!.id);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.data).toMatchObject({ attempt: 1, attempts_left: 4 });
    });

    it('works with PKCE: the exchange needs the verifier', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const { email, message } = await begin(uniqueEmail(), { code_challenge: pkceChallenge(verifier) });
      const res = await publicCall(server, newBrowser(), 'POST', '/v1/public/login/verify-code', {
        app_id: server.appId,
        identifier: email,
        code: message.code,
      });
      const location = res.json().redirect_url as string;
      const without = await exchangeFor(server, location);
      expect(without.json().error.code).toBe('pkce_required');
      const withVerifier = await exchangeFor(server, location, verifier);
      expect(withVerifier.statusCode, withVerifier.body).toBe(200);
    });
  });

  describe('expiry', () => {
    it('ends link, code and approval together when the flow expires', async () => {
      const { browser, email, message } = await begin();
      server.advance(16 * 60_000);
      expect((await visit(server, browser, 'GET', message.path)).statusCode).toBe(410);
      const code = await publicCall(server, browser, 'POST', '/v1/public/login/verify-code', {
        app_id: server.appId,
        identifier: email,
        code: message.code,
      });
      expect(code.json().error.code).toBe('code_invalid');
      expect(await statusOf(server, browser)).toBe('expired');
    });
  });

  describe('enumeration', () => {
    it('answers a known and an unknown address identically, and sends only to the known one', async () => {
      const closed = await createOtherApp(server, { auto_create_users: false, rate_limits: NO_LIMITS });
      const known = uniqueEmail();
      const unknown = uniqueEmail();
      const created = await server.api('POST', '/v1/users', { email: known }, closed.key);
      expect(created.statusCode, created.body).toBe(201);
      const a = await startFlow(server, newBrowser(), { email: known }, closed.appId);
      const b = await startFlow(server, newBrowser(), { email: unknown }, closed.appId);
      expect(b.statusCode).toBe(a.statusCode);
      expect(b.body).toBe(a.body);
      const varying = new Set(['set-cookie', 'date', 'x-request-id', 'content-length']);
      const shape = (res: typeof a) =>
        Object.entries(res.headers)
          .filter(([name]) => !varying.has(name))
          .sort();
      expect(shape(b)).toEqual(shape(a));
      expect(String(b.headers['set-cookie']).replace(/=[^;]+/, '')).toBe(
        String(a.headers['set-cookie']).replace(/=[^;]+/, ''),
      );
      await deliveredTo(server, known);
      await expect(deliveredTo(server, unknown)).rejects.toThrow(/no message/);
      // A guessed code fails the same way for both.
      const guess = (email: string) =>
        publicCall(server, newBrowser(), 'POST', '/v1/public/login/verify-code', {
          app_id: closed.appId,
          identifier: email,
          code: 'ZZZZ-ZZZZ',
        });
      const [ga, gb] = [await guess(known), await guess(unknown)];
      expect(gb.statusCode).toBe(ga.statusCode);
      expect(gb.json()).toEqual(ga.json());
    });
  });

  describe('enumeration timing', () => {
    // Not a speed assertion: a ratio of medians with a wide margin, to catch a path that does much more work (a
    // lookup that returns early for unknown addresses, a send that runs inline for known ones).
    it.runIf(dialect === 'sqlite')('takes about as long for a known as for an unknown address', async () => {
      const closed = await createOtherApp(server, { auto_create_users: false, rate_limits: NO_LIMITS });
      const known = uniqueEmail();
      await server.api('POST', '/v1/users', { email: known }, closed.key);
      const time = async (email: string) => {
        const started = process.hrtime.bigint();
        const res = await startFlow(server, newBrowser(), { email }, closed.appId);
        expect(res.statusCode).toBe(202);
        return Number(process.hrtime.bigint() - started);
      };
      const knownTimes: number[] = [];
      const unknownTimes: number[] = [];
      for (let i = 0; i < 40; i++) {
        knownTimes.push(await time(known));
        unknownTimes.push(await time(uniqueEmail()));
      }
      const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
      const ratio = median(knownTimes) / median(unknownTimes);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });
  });

  describe('the login page', () => {
    it('works without JavaScript: form, check page, code, redirect', async () => {
      const browser = newBrowser();
      const email = uniqueEmail();
      const form = await visit(server, browser, 'GET', `/login?app=${server.appId}`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('<form method="post" action="/login">');
      expect(form.body).toContain('type="email"');
      expect(form.body).not.toMatch(/(src|href)="https?:/);
      expect(String(form.headers['content-security-policy'])).toContain("connect-src 'self'");
      // No secret in this URL, and its form needs an Origin header; pages of links keep no-referrer.
      expect(form.headers['referrer-policy']).toBe('same-origin');

      const posted = await visit(
        server,
        browser,
        'POST',
        '/login',
        new URLSearchParams({ app: server.appId, email }).toString(),
      );
      expect(posted.statusCode, posted.body).toBe(303);
      expect(posted.headers.location).toBe(`/login/check?app=${server.appId}`);
      remember(browser, posted);

      const check = await visit(server, browser, 'GET', String(posted.headers.location));
      expect(check.statusCode).toBe(200);
      expect(check.body).toContain(en.checkEmailTitle);
      expect(check.body).not.toContain(email);
      expect(check.body).toContain('action="/login/code"');

      const message = await deliveredTo(server, email);
      const bad = await visit(server, browser, 'POST', '/login/code', `app=${server.appId}&code=ZZZZZZZZ`);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain(en.errorCodeInvalid);
      const good = await visit(
        server,
        browser,
        'POST',
        '/login/code',
        `app=${server.appId}&code=${message.code}`,
      );
      expect(good.statusCode).toBe(303);
      expect(String(good.headers.location)).toMatch(/\?lk_code=/);
    });

    it('finishes an approval through the "I approved it" button', async () => {
      const browser = newBrowser();
      const email = uniqueEmail();
      const posted = await visit(server, browser, 'POST', '/login', `app=${server.appId}&email=${email}`);
      remember(browser, posted);
      const message = await deliveredTo(server, email);
      const early = await visit(server, browser, 'POST', '/login/finish', `app=${server.appId}`);
      expect(early.statusCode).toBe(409);
      expect(early.body).toContain(en.errorNotApproved);
      await visit(server, newBrowser(), 'POST', message.path, 'decision=approve');
      const finish = await visit(server, browser, 'POST', '/login/finish', `app=${server.appId}`);
      expect(finish.statusCode).toBe(303);
      expect(String(finish.headers.location)).toMatch(/\?lk_code=/);
    });

    it('speaks the browser’s language', async () => {
      const res = await server.app.inject({
        method: 'GET',
        url: `/login?app=${server.appId}`,
        headers: { 'accept-language': 'de-DE,de;q=0.9' },
      });
      expect(res.body).toContain('<html lang="de">');
      expect(res.body).toContain(loginMessages.de.sendButton);
    });

    it('shows a bad address again with an error, and sends nothing', async () => {
      const res = await visit(server, newBrowser(), 'POST', '/login', `app=${server.appId}&email=nope`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(en.errorIdentifier);
      expect(res.body).toContain('value="nope"');
    });

    it('refuses forms posted from another site', async () => {
      const email = uniqueEmail();
      for (const headers of [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'null' },
      ]) {
        const res = await server.app.inject({
          method: 'POST',
          url: '/login',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `app=${server.appId}&email=${email}`,
        });
        expect(res.statusCode).toBe(403);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      await expect(deliveredTo(server, email)).rejects.toThrow(/no message/);
    });

    it('ignores a redirect_to that is neither a shortcut nor allowed', async () => {
      const browser = newBrowser();
      const email = uniqueEmail();
      const posted = await visit(
        server,
        browser,
        'POST',
        '/login',
        new URLSearchParams({ app: server.appId, email, redirect_to: 'https://evil.example/' }).toString(),
      );
      expect(posted.statusCode).toBe(303);
      remember(browser, posted);
      const message = await deliveredTo(server, email);
      const done = await visit(server, browser, 'POST', message.path);
      expect(String(done.headers.location).startsWith(`${TEST_REDIRECT}?`)).toBe(true);
    });
  });
});
