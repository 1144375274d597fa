/**
 * Signing in to the dashboard, its sessions, and what guards a change: the real sign-in flow (message read from
 * the development outbox), the session cookie, Origin and CSRF checks, idle and absolute ends, fresh codes for
 * sensitive changes, the one-time links, and the audit record of every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asOperator,
  ORIGIN,
  operatorEmail,
  type SignedInOperator,
  sessionCookieOf,
  signInOperator,
} from '../test-support/dashboard.js';
import { DIALECTS } from '../test-support/databases.js';
import { deliveredTo, headersOf, newBrowser, remember } from '../test-support/login-flow.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { IDLE_MS, REAUTH_MS } from './dashboard-sessions.js';
import { issueOneTimeLink } from './dashboard-sign-in.js';
import { internalApp } from './internal-app.js';
import { createOperator } from './operator-service.js';

describe.each(DIALECTS)('dashboard sign-in on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server.close());

  it('signs an operator in with the code of their message, and the session endpoint knows them', async () => {
    const operator = await signInOperator(server, 'admin');
    const res = await server.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie: operator.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.operator).toEqual({ id: operator.id, email: operator.email, role: 'admin' });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.apps.map((app: { id: string }) => app.id)).toContain(server.appId);
    // The internal app behind this sign-in is the installation's own, not one of its apps.
    const internal = await internalApp(server.ctx);
    expect(body.apps.map((app: { id: string }) => app.id)).not.toContain(internal.id);
  });

  it('answers an address that is no operator exactly like one that is, and sends it nothing', async () => {
    const known = await createOperator(server.ctx, {
      email: operatorEmail(),
      role: 'viewer',
      invitedBy: 'test',
    });
    const answers = [];
    for (const email of [known.email, operatorEmail()]) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/dashboard/api/auth/start',
        headers: { 'content-type': 'application/json' },
        payload: { email },
      });
      answers.push({ status: res.statusCode, body: res.json() });
      if (email !== known.email) await expect(deliveredTo(server, email)).rejects.toThrow(/no message/);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect((await deliveredTo(server, known.email)).code).toBeDefined();
  });

  it('signs in through the link of the message: the callback sets the session cookie and opens /dashboard/', async () => {
    const operator = await createOperator(server.ctx, {
      email: operatorEmail(),
      role: 'owner',
      invitedBy: 'test',
    });
    const browser = newBrowser();
    remember(
      browser,
      await server.app.inject({
        method: 'POST',
        url: '/dashboard/api/auth/start',
        headers: { ...headersOf(browser), 'content-type': 'application/json' },
        payload: { email: operator.email },
      }),
    );
    const message = await deliveredTo(server, operator.email);
    const clicked = await server.app.inject({
      method: 'POST',
      url: message.path,
      headers: headersOf(browser),
    });
    expect(clicked.statusCode).toBe(303);
    const callback = new URL(clicked.headers.location as string);
    expect(callback.pathname).toBe('/dashboard/auth/callback');
    const landed = await server.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe('/dashboard/');
    const cookie = sessionCookieOf(landed);
    expect(cookie).toMatch(/^__Host-lk_dashboard=/);
    expect(String(landed.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Secure/);
    const session = await server.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie },
    });
    expect(session.json().operator.email).toBe(operator.email);
    // The callback's code works once.
    const again = await server.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
    expect(again.headers.location).toBe('/dashboard/sign-in?error=code_invalid');
  });

  it('refuses a wrong code next to the field, and leaves no session', async () => {
    const operator = await createOperator(server.ctx, {
      email: operatorEmail(),
      role: 'owner',
      invitedBy: 'test',
    });
    const browser = newBrowser();
    remember(
      browser,
      await server.app.inject({
        method: 'POST',
        url: '/dashboard/api/auth/start',
        headers: { ...headersOf(browser), 'content-type': 'application/json' },
        payload: { email: operator.email },
      }),
    );
    const res = await server.app.inject({
      method: 'POST',
      url: '/dashboard/api/auth/verify',
      headers: { ...headersOf(browser), 'content-type': 'application/json' },
      payload: { email: operator.email, code: 'AAAA-AAAA' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'code_invalid', param: 'code' });
    expect(sessionCookieOf(res)).toBeUndefined();
  });
});

describe('dashboard sessions and changes', () => {
  let server: TestServer;
  let owner: SignedInOperator;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    owner = await signInOperator(server, 'owner');
  });
  afterAll(async () => server.close());

  it('refuses a change without the CSRF token, or from another origin, and changes nothing', async () => {
    const body = { name: 'Renamed from elsewhere' };
    const url = `/dashboard/api/v1/apps/${server.appId}`;
    const noToken = await server.app.inject({
      method: 'PATCH',
      url,
      headers: { cookie: owner.cookie, origin: ORIGIN, 'content-type': 'application/json' },
      payload: body,
    });
    const foreign = await server.app.inject({
      method: 'PATCH',
      url,
      headers: {
        cookie: owner.cookie,
        origin: 'https://evil.example',
        'x-csrf-token': owner.csrf,
        'content-type': 'application/json',
      },
      payload: body,
    });
    for (const res of [noToken, foreign]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const read = await asOperator(server, owner, 'GET', url);
    expect(read.json().name).not.toBe(body.name);
  });

  it('changes an app through the same route as the API, and records the change with before and after', async () => {
    const url = `/dashboard/api/v1/apps/${server.appId}`;
    const res = await asOperator(server, owner, 'PATCH', url, { name: 'Renamed in the dashboard' });
    expect(res.statusCode, res.body).toBe(200);
    const events = await server.ctx.store.listEvents(
      server.appId,
      { type: 'dashboard.change' },
      { limit: 10 },
    );
    const data = JSON.parse(events[0]!.data);
    expect(data).toMatchObject({
      operator_id: owner.id,
      method: 'PATCH',
      route: '/dashboard/api/v1/apps/:app_id',
      status: 200,
      after: { name: 'Renamed in the dashboard' },
    });
    expect(data.before.name).not.toBe('Renamed in the dashboard');
  });

  it('lists the change in the audit log, and who made it', async () => {
    const res = await asOperator(
      server,
      owner,
      'GET',
      `/dashboard/api/audit?operator_id=${owner.id}`,
      undefined,
      null,
    );
    expect(res.statusCode).toBe(200);
    const change = res.json().data.find((event: { type: string }) => event.type === 'dashboard.change');
    expect(change.data).toMatchObject({ operator_id: owner.id, method: 'PATCH' });
  });

  it('keeps reads by POST and dry runs out of the audit log, and records the real run', async () => {
    const changes = async () =>
      (await server.ctx.store.listEvents(server.appId, { type: 'dashboard.change' }, { limit: 100 })).map(
        (event) => JSON.parse(event.data) as { route: string; path: string },
      );
    const before = (await changes()).length;
    const checked = await asOperator(server, owner, 'POST', '/dashboard/api/v1/redirect-check', {
      url: 'https://app.example.com/auth/callback',
    });
    expect(checked.statusCode, checked.body).toBe(200);
    const rows = [{ email: 'dry-run@example.com', redirect_url: 'https://app.example.com/auth/callback' }];
    const dry = await asOperator(
      server,
      owner,
      'POST',
      '/dashboard/api/v1/magic-links/bulk?dry_run=true',
      rows,
    );
    expect(dry.statusCode, dry.body).toBe(200);
    expect(await changes()).toHaveLength(before);

    const real = await asOperator(server, owner, 'POST', '/dashboard/api/v1/magic-links/bulk', rows);
    expect(real.statusCode, real.body).toBe(200);
    const after = await changes();
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toMatchObject({ route: '/dashboard/api/v1/magic-links/bulk' });
  });

  it('invites an operator, changes their role, and removes them, keeping the last owner', async () => {
    const invited = await asOperator(server, owner, 'POST', '/dashboard/api/operators', {
      email: operatorEmail(),
      role: 'viewer',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const id = invited.json().id as string;
    const promoted = await asOperator(
      server,
      owner,
      'PATCH',
      `/dashboard/api/operators/${id}`,
      { role: 'admin' },
      null,
    );
    expect(promoted.json().role).toBe('admin');
    const lastOwner = await asOperator(
      server,
      owner,
      'PATCH',
      `/dashboard/api/operators/${owner.id}`,
      { role: 'viewer' },
      null,
    );
    expect(lastOwner.statusCode).toBe(409);
    expect(lastOwner.json().error.param).toBe('role');
    const removed = await asOperator(
      server,
      owner,
      'DELETE',
      `/dashboard/api/operators/${id}`,
      undefined,
      null,
    );
    expect(removed.statusCode).toBe(204);
    const list = await asOperator(server, owner, 'GET', '/dashboard/api/operators', undefined, null);
    expect(list.json().data.map((operator: { id: string }) => operator.id)).not.toContain(id);
    const audit = await asOperator(
      server,
      owner,
      'GET',
      `/dashboard/api/audit?operator_id=${id}`,
      undefined,
      null,
    );
    expect(audit.json().data.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['operator.created', 'operator.updated', 'operator.removed']),
    );
  });

  it('needs a fresh code to show a new API key, and keeps the key out of the audit record', async () => {
    server.advance(REAUTH_MS + 1_000);
    const refused = await asOperator(server, owner, 'POST', '/dashboard/api/v1/api-keys', {
      label: 'from dashboard',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('reauth_required');

    expect((await asOperator(server, owner, 'POST', '/dashboard/api/auth/reauth/start')).statusCode).toBe(
      202,
    );
    const { code } = await deliveredTo(server, owner.email);
    const verified = await asOperator(server, owner, 'POST', '/dashboard/api/auth/reauth/verify', { code });
    expect(verified.statusCode, verified.body).toBe(200);

    const created = await asOperator(server, owner, 'POST', '/dashboard/api/v1/api-keys', {
      label: 'from dashboard',
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json().key as string;
    expect(key).toMatch(/^lk_sk_/);
    const events = await server.ctx.store.listEvents(
      server.appId,
      { type: 'dashboard.change' },
      { limit: 50 },
    );
    expect(JSON.stringify(events)).not.toContain(key);
    expect(JSON.stringify(events)).toContain('[redacted]');
  });

  it('ends a session after 30 idle minutes', async () => {
    const operator = await signInOperator(server, 'viewer');
    server.advance(IDLE_MS + 1_000);
    const res = await server.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie: operator.cookie },
    });
    expect(res.statusCode).toBe(401);
  });

  it('ends a busy session 8 hours after sign-in', async () => {
    const operator = await signInOperator(server, 'viewer');
    // Seen every 29 minutes, so never idle; it still ends at 8 hours.
    for (let step = 1; step <= 20; step++) {
      server.advance(29 * 60_000);
      const res = await server.app.inject({
        method: 'GET',
        url: '/dashboard/api/session',
        headers: { cookie: operator.cookie },
      });
      if (res.statusCode === 401) {
        expect(step * 29).toBeGreaterThanOrEqual(8 * 60);
        expect((step - 1) * 29).toBeLessThan(8 * 60);
        return;
      }
    }
    throw new Error('the session outlived 8 hours');
  });

  it('signs out: the cookie no longer opens a session', async () => {
    const operator = await signInOperator(server, 'viewer');
    const out = await asOperator(server, operator, 'POST', '/dashboard/api/auth/sign-out', undefined, null);
    expect(out.statusCode).toBe(204);
    const res = await server.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie: operator.cookie },
    });
    expect(res.statusCode).toBe(401);
  });

  it('keeps the internal app out of reach of keys: an admin key naming it is told there is no such app', async () => {
    const internal = await internalApp(server.ctx);
    const res = await server.api('GET', `/v1/apps/${internal.id}`, undefined, server.adminKey);
    expect(res.statusCode).toBe(404);
    const list = await server.api('GET', '/v1/apps', undefined, server.adminKey);
    expect(list.json().data.map((app: { id: string }) => app.id)).not.toContain(internal.id);
  });
});

describe('one-time dashboard links', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server.close());

  it('signs in once: the page never spends it, the button does, and a second use finds it gone', async () => {
    const operator = await createOperator(server.ctx, {
      email: operatorEmail(),
      role: 'admin',
      invitedBy: 'test',
    });
    const { url } = await issueOneTimeLink(server.ctx, operator);
    const path = new URL(url).pathname;
    const page = await server.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sign in');
    expect((await server.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const used = await server.app.inject({ method: 'POST', url: path });
    expect(used.statusCode).toBe(303);
    expect(sessionCookieOf(used)).toBeDefined();
    const again = await server.app.inject({ method: 'POST', url: path });
    expect(again.statusCode).toBe(410);
    expect(again.headers['latchkey-error-code']).toBe('link_used');
    expect(again.body).toContain('This sign-in link was already used');
    expect(sessionCookieOf(again)).toBeUndefined();
  });

  it("makes the first owner from the first start's link, and keeps the link when the address is wrong", async () => {
    const { url } = await issueOneTimeLink(server.ctx, null);
    const path = new URL(url).pathname;
    const bad = await server.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=not-an-address',
    });
    expect(bad.statusCode).toBe(400);
    const email = operatorEmail();
    const good = await server.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(email)}`,
    });
    expect(good.statusCode).toBe(303);
    const cookie = sessionCookieOf(good)!;
    const session = await server.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      headers: { cookie },
    });
    expect(session.json().operator).toMatchObject({ email, role: 'owner' });
  });

  it('lets exactly one of many simultaneous uses of a link sign in', async () => {
    const operator = await createOperator(server.ctx, {
      email: operatorEmail(),
      role: 'viewer',
      invitedBy: 'test',
    });
    const path = new URL((await issueOneTimeLink(server.ctx, operator)).url).pathname;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => server.app.inject({ method: 'POST', url: path })),
    );
    expect(answers.filter((res) => res.statusCode === 303)).toHaveLength(1);
  });
});
