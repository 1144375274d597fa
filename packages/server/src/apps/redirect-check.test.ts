/**
 * The redirect tester: its verdict is the one link creation reaches for the same target (checked side by side on
 * tricky targets), it names the entry that matched and says why in words, takes page shortcuts, and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOperator, signInOperator } from '../test-support/dashboard.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  createOtherApp,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';

interface Answer {
  allowed: boolean;
  matched: string | null;
  url: string | null;
  reason: string;
}

const ALLOWLIST = ['https://app.example.com', 'https://portal.example.com/invoices', 'http://localhost:3000'];

describe.each(DIALECTS)('the redirect tester on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    const patched = await server.api('PATCH', `/v1/apps/${server.appId}`, {
      allowed_redirects: ALLOWLIST,
      page_shortcuts: {
        invoices: 'https://portal.example.com/invoices/latest',
        home: 'https://app.example.com/',
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
  });
  afterAll(() => server.close());

  const check = async (body: Record<string, unknown>, path = '/v1/redirect-check') => {
    const res = await server.api('POST', path, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Answer;
  };

  it('allows a target on the list, names the entry and says why', async () => {
    const answer = await check({ url: 'https://portal.example.com/invoices/2024/7?x=1' });
    expect(answer).toEqual({
      allowed: true,
      matched: 'https://portal.example.com/invoices',
      url: 'https://portal.example.com/invoices/2024/7?x=1',
      reason: expect.stringContaining('the path /invoices or below it'),
    });
    const normalised = await check({ url: 'HTTPS://APP.example.com/a/../b' });
    expect(normalised).toMatchObject({
      allowed: true,
      matched: 'https://app.example.com',
      url: 'https://app.example.com/b',
    });
    expect(normalised.reason).toContain('any path');
  });

  it('refuses look-alikes and tricks with the reason link creation gives', async () => {
    for (const [url, words] of [
      ['https://app.example.com.evil.test/', 'not on the allowed_redirects list'],
      ['https://app.example.com@evil.test/', 'user name or password'],
      ['javascript:alert(1)', 'absolute http or https URL'],
      ['//app.example.com/', 'absolute http or https URL'],
      ['https://app.example.com\\@evil.test', 'backslashes'],
      ['', '1 to 2048 characters'],
    ] as const) {
      const answer = await check({ url });
      expect(answer, url).toMatchObject({ allowed: false, matched: null, url: null });
      expect(answer.reason, url).toContain(words);
      expect(answer.reason, url).toContain('redirect_not_allowed');
    }
  });

  it('explains a near miss on a host that is on the list', async () => {
    expect((await check({ url: 'http://app.example.com/x' })).reason).toContain(
      'https://app.example.com is on the list, but for https only, and this URL is http',
    );
    expect((await check({ url: 'http://localhost:4000/' })).reason).toContain('port 3000 only');
    expect((await check({ url: 'https://portal.example.com/invoices-old' })).reason).toContain(
      'only for the path /invoices and below it',
    );
    expect((await check({ url: 'https://portal.example.com/invoices/..%2Fadmin' })).reason).toContain(
      'encoded slashes',
    );
  });

  it('gives the verdict link creation gives, target by target', async () => {
    const targets = [
      'https://app.example.com/auth/callback',
      'https://app.example.com:443/x',
      'https://app.example.com:8443/x',
      'https://APP.EXAMPLE.COM/',
      'https://app.example.com./',
      'https://portal.example.com/invoices',
      'https://portal.example.com/Invoices/1',
      'https://portal.example.com/invoices%2F..%2Fadmin',
      'https://portal.example.com/invoices/../admin',
      'http://localhost:3000/cb',
      'http://127.0.0.1:3000/cb',
      'https://xn--pp-7ka.example.com/',
      'https://app.example.com%2eevil.test/',
      'https:/app.example.com/',
      'https://app.example.com#@evil.test',
      'data:text/html,hi',
    ];
    for (const url of targets) {
      const answer = await check({ url });
      const created = await server.api('POST', '/v1/magic-links', {
        email: uniqueEmail(),
        redirect_url: url,
      });
      expect(created.statusCode === 201, `${url}: ${created.body}`).toBe(answer.allowed);
      if (created.statusCode === 201) expect(created.json().magic_link.redirect_url).toBe(answer.url);
      else expect(created.json().error.code).toBe('redirect_not_allowed');
    }
  });

  it('tests a page shortcut by name, as links take it in redirect_to', async () => {
    expect(await check({ redirect_to: 'invoices' })).toMatchObject({
      allowed: true,
      matched: 'https://portal.example.com/invoices',
      url: 'https://portal.example.com/invoices/latest',
    });
    const unknown = await check({ redirect_to: 'billing' });
    expect(unknown).toMatchObject({ allowed: false, matched: null, url: null });
    expect(unknown.reason).toContain('no page shortcut named "billing"');
    expect(unknown.reason).toContain('Its shortcuts: invoices, home.');
  });

  it('takes the app from the path for admin keys, and refuses what it should', async () => {
    const viaPath = await server.api(
      'POST',
      `/v1/apps/${server.appId}/redirect-check`,
      { url: 'https://app.example.com/' },
      server.adminKey,
    );
    expect(viaPath.statusCode).toBe(200);
    expect(viaPath.json().allowed).toBe(true);

    const unnamed = await server.api(
      'POST',
      '/v1/redirect-check',
      { url: 'https://app.example.com/' },
      server.adminKey,
    );
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().error.param).toBe('Latchkey-App');

    const other = await createOtherApp(server);
    const foreign = await server.api('POST', `/v1/apps/${other.appId}/redirect-check`, {
      url: 'https://other.example.com/',
    });
    expect(foreign.statusCode).toBe(403);
    // The other app's own key gets its own allowlist.
    const theirs = await server.api(
      'POST',
      '/v1/redirect-check',
      { url: 'https://app.example.com/' },
      other.key,
    );
    expect(theirs.json().allowed).toBe(false);

    for (const body of [{}, { url: 'https://app.example.com/', redirect_to: 'home' }]) {
      const res = await server.api('POST', '/v1/redirect-check', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', param: 'url' });
    }
    const bad = await server.api('POST', '/v1/redirect-check', { url: 42 });
    expect(bad.statusCode).toBe(400);
  });

  it('changes nothing: no event, the same settings', async () => {
    const before = (await server.api('GET', `/v1/apps/${server.appId}`)).body;
    const events = (await server.ctx.store.listEvents(server.appId, {}, { limit: 1 }))[0]?.id;
    await check({ url: 'https://evil.test/' });
    await check({ redirect_to: 'home' });
    expect((await server.api('GET', `/v1/apps/${server.appId}`)).body).toBe(before);
    expect((await server.ctx.store.listEvents(server.appId, {}, { limit: 1 }))[0]?.id).toBe(events);
  });

  it.runIf(dialect === 'sqlite')('is a read for the dashboard: a viewer may test', async () => {
    const viewer = await signInOperator(server, 'viewer');
    const res = await asOperator(
      server,
      viewer,
      'POST',
      `/dashboard/api/v1/apps/${server.appId}/redirect-check`,
      {
        url: 'https://app.example.com/',
      },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().allowed).toBe(true);
  });
});
