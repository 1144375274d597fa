/**
 * A new installation works end to end with no configuration: a link made without a redirect, or a sign-in on the
 * hosted page, ends on Latchkey's own signed-in page, which exchanges the code itself and shows what a backend gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';

const PUBLIC_URL = 'https://auth.example.com';

describe('the signed-in page of a new installation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { asInstalled: true });
  });
  afterAll(async () => server?.close());

  const press = async (url: string) => {
    const path = new URL(url).pathname;
    const res = await server.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    return res.headers.location as string;
  };

  it('signs a person in from a link made with no redirect, once', async () => {
    const created = await server.api('POST', '/v1/magic-links', { email: 'ada@example.com' });
    expect(created.statusCode, created.body).toBe(201);
    const location = await press(created.json().magic_link.url);
    expect(location).toMatch(new RegExp(`^${PUBLIC_URL}/welcome/${server.appId}\\?lk_code=`));

    const target = new URL(location);
    const page = await server.app.inject({ method: 'GET', url: `${target.pathname}${target.search}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h1>Signed in as ada@example.com</h1>');
    expect(page.body).toContain(`&quot;aud&quot;: &quot;${server.appId}&quot;`);
    expect(page.body).toContain(`${PUBLIC_URL}/.well-known/jwks.json`);
    // No secret on the page: the session token and refresh token stay with the server.
    expect(page.body).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(page.body).not.toContain('lk_rt_');

    const again = await server.app.inject({ method: 'GET', url: `${target.pathname}${target.search}` });
    expect(again.statusCode).toBe(400);
    expect(again.headers['latchkey-error-code']).toBe('code_invalid');
    expect(again.body).toContain('<h1>This sign-in has already finished</h1>');
  });

  it('never spends the code of an app that does not send its sign-ins there', async () => {
    const other = await createOtherApp(server);
    const created = await server.api('POST', '/v1/magic-links', { email: 'bob@example.com' }, other.key);
    const location = new URL(await press(created.json().magic_link.url));
    const code = location.searchParams.get('lk_code')!;
    const refused = await server.app.inject({
      method: 'GET',
      url: `/welcome/${other.appId}?lk_code=${code}`,
    });
    expect(refused.statusCode).toBe(404);
    expect(refused.body).toContain('<h1>Nothing to show here</h1>');
    // Still good for the app's own backend.
    const exchanged = await server.api('POST', '/v1/sessions/exchange', { code }, other.key);
    expect(exchanged.statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/welcome/app_nope' })).statusCode).toBe(404);
  });

  it('stops sending people to the welcome page once the allowlist no longer holds it', async () => {
    const own = await createOtherApp(server);
    // As bootstrap leaves the default app: an allowlist with the welcome page, and the welcome page as default.
    const welcome = `${PUBLIC_URL}/welcome/${own.appId}`;
    const set = await server.api(
      'PATCH',
      `/v1/apps/${own.appId}`,
      { allowed_redirects: [`${PUBLIC_URL}/welcome`], default_redirect_url: welcome },
      own.key,
    );
    expect(set.statusCode, set.body).toBe(200);
    const moved = await server.api(
      'PATCH',
      `/v1/apps/${own.appId}`,
      { allowed_redirects: ['https://portal.example.com/auth'] },
      own.key,
    );
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ default_redirect_url: null });
    const def = await server.api('GET', `/v1/apps/${server.appId}`);
    expect(def.json().default_redirect_url).toBe(`${PUBLIC_URL}/welcome/${server.appId}`);
  });

  it('tells a person in plain words when an app cannot finish a sign-in, with the code in a header', async () => {
    const other = await createOtherApp(server, { default_redirect_url: null });
    const res = await server.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `app=${other.appId}&email=carol%40example.com`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['latchkey-error-code']).toBe('redirect_required');
    expect(res.body).toContain('<h1>Sign-in is not set up yet</h1>');
    expect(res.body).not.toContain('<h1>redirect_required</h1>');
  });
});
