import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../signed-links/signed-token.js';
import { deliveredTo, newBrowser, startFlow } from '../test-support/login-flow.js';
import {
  createTestLink,
  redeemHostedForCode,
  startTestServer,
  type TestServer,
} from '../test-support/test-server.js';
import { createLogger, redactUrl } from './logger.js';

interface LogLine {
  msg?: string;
  req?: { url?: string; method?: string };
  res?: { statusCode?: number };
}

describe('logs of a full flow on SQLite', () => {
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const statuses = new Map<string, number>();
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      logDestination: { write: (line: string) => lines.push(line) },
    });
    secrets.set('api key', server.apiKey);
    secrets.set('admin key', server.adminKey);
    const masterKey = server.ctx.config.masterKey!;
    secrets.set('master key (base64)', masterKey.toString('base64'));
    secrets.set('master key (hex)', masterKey.toString('hex'));

    const link = await createTestLink(server);
    secrets.set('link token', link.token);
    statuses.set('create link', 201);
    statuses.set('GET page', (await server.app.inject({ method: 'GET', url: link.path })).statusCode);
    statuses.set('HEAD page', (await server.app.inject({ method: 'HEAD', url: link.path })).statusCode);
    const code = await redeemHostedForCode(server, link.token);
    secrets.set('lk_code', code);
    statuses.set(
      'callback with lk_code',
      (await server.app.inject({ method: 'GET', url: `/auth/callback?lk_code=${code}&state=x` })).statusCode,
    );

    const exchanged = await server.api('POST', '/v1/sessions/exchange', { code });
    statuses.set('exchange', exchanged.statusCode);
    const session = exchanged.json().session as { token: string; refresh_token: string };
    secrets.set('session JWT', session.token);
    secrets.set('refresh token', session.refresh_token);

    const refreshed = await server.api('POST', '/v1/sessions/refresh', {
      refresh_token: session.refresh_token,
    });
    statuses.set('refresh', refreshed.statusCode);
    const rotated = refreshed.json().session as { token: string; refresh_token: string };
    secrets.set('refreshed session JWT', rotated.token);
    secrets.set('rotated refresh token', rotated.refresh_token);

    const wrongKey = `lk_sk_${'W'.repeat(20)}wrongkeywrongkey`;
    secrets.set('wrong API key', wrongKey);
    statuses.set('wrong key', (await server.api('GET', '/v1/users', undefined, wrongKey)).statusCode);
    statuses.set('admin list', (await server.api('GET', '/v1/apps', undefined, server.adminKey)).statusCode);
    statuses.set(
      'bad request',
      (await server.api('POST', '/v1/users', { email: 42, extra: true })).statusCode,
    );

    const embedded = await createTestLink(server, { email: 'joe@example.com', magic_link_path: '/welcome' });
    secrets.set('second link token', embedded.token);
    statuses.set(
      'GET embedded URL path',
      (await server.app.inject({ method: 'GET', url: `/welcome?lk_token=${embedded.token}` })).statusCode,
    );
    const redeemed = await server.api('POST', '/v1/magic-links/redeem', { token: embedded.token });
    statuses.set('redeem', redeemed.statusCode);
    const embeddedSession = redeemed.json().session as { token: string; refresh_token: string };
    secrets.set('embedded session JWT', embeddedSession.token);
    secrets.set('embedded refresh token', embeddedSession.refresh_token);

    // Stateless links: the key's secret and the tokens, at both URL forms.
    const key = (await server.api('POST', '/v1/signing-keys', { label: 'logs' })).json() as {
      kid: string;
      secret: string;
    };
    secrets.set('signing key secret', key.secret);
    const exp = Math.floor(Date.now() / 1000) + 600;
    for (const [name, path] of [
      ['signed link', (t: string) => `/login/${t}`],
      ['signed link (app path)', (t: string) => `/apps/${server.appId}/login/${t}`],
    ] as const) {
      const token = signToken(
        { sub: `cus_${name.length}`, iss: 'billing', exp, jti: name },
        key.secret,
        key.kid,
      );
      secrets.set(name, token);
      statuses.set(`GET ${name}`, (await server.app.inject({ method: 'GET', url: path(token) })).statusCode);
      statuses.set(
        `POST ${name}`,
        (await server.app.inject({ method: 'POST', url: path(token) })).statusCode,
      );
    }

    // The hosted sign-in: the link of the message, its code, and the browser cookie.
    const browser = newBrowser();
    const email = 'logs@example.com';
    await startFlow(server, browser, { email });
    secrets.set('browser cookie', browser.cookie!);
    const message = await deliveredTo(server, email);
    secrets.set('sign-in link token', message.token);
    secrets.set('sign-in code', message.code);
    secrets.set('sign-in code (typed)', message.code.replace('-', ''));
    statuses.set(
      'GET sign-in link',
      (await server.app.inject({ method: 'GET', url: message.path })).statusCode,
    );
    const verified = await server.app.inject({
      method: 'POST',
      url: '/v1/public/login/verify-code',
      headers: { 'content-type': 'application/json', cookie: `lk_browser=${browser.cookie}` },
      payload: JSON.stringify({
        app_id: server.appId,
        identifier: email,
        code: message.code.replace('-', ''),
      }),
    });
    statuses.set('verify code', verified.statusCode);
    secrets.set('sign-in lk_code', new URL(verified.json().redirect_url).searchParams.get('lk_code')!);
  });
  afterAll(async () => server?.close());

  it('completes the flow it checks', () => {
    expect(Object.fromEntries(statuses)).toEqual({
      'create link': 201,
      'GET page': 200,
      'HEAD page': 200,
      'callback with lk_code': 404,
      exchange: 200,
      refresh: 200,
      'wrong key': 401,
      'admin list': 200,
      'bad request': 400,
      'GET embedded URL path': 404,
      redeem: 200,
      'GET signed link': 200,
      'POST signed link': 303,
      'GET signed link (app path)': 200,
      'POST signed link (app path)': 303,
      'GET sign-in link': 200,
      'verify code': 200,
    });
  });

  it('writes request lines, with link paths redacted', () => {
    const parsed = lines.map((line) => JSON.parse(line) as LogLine);
    const urls = parsed.map((line) => line.req?.url).filter((url): url is string => url !== undefined);
    expect(urls).toContain('/l/[redacted]');
    expect(urls).toContain('/login/[redacted]');
    expect(urls).toContain(`/apps/${server.appId}/login/[redacted]`);
    expect(urls).toContain('/login/link/[redacted]');
    expect(urls).toContain('/auth/callback?lk_code=[redacted]&state=x');
    expect(urls).toContain('/welcome?lk_token=[redacted]');
    expect(urls).toContain('/v1/sessions/refresh');
    expect(parsed.filter((line) => line.req?.method === 'HEAD')).not.toHaveLength(0);
    expect(parsed.some((line) => line.res?.statusCode === 401)).toBe(true);
  });

  it('logs no API key, admin key, link token, lk_code, session token, refresh token or master key', () => {
    expect(lines.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const [name, secret] of secrets) {
      const tail = secret.slice(-20);
      for (const line of lines) {
        if (line.includes(secret) || line.includes(tail)) leaks.push(`${name} in ${line.trim()}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('logs no Authorization header, even redacted', () => {
    for (const line of lines) expect(line.toLowerCase()).not.toContain('bearer');
  });
});

describe('logs of requests that carry a secret where no route expects one', () => {
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const ids = new Map<string, string>();
  const answers: Array<{ url: string; status: number; body: string }> = [];
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      logDestination: { write: (line: string) => lines.push(line) },
    });
    const link = await createTestLink(server);
    const spare = await createTestLink(server, { email: 'spare@example.com' });
    const key = (await server.api('POST', '/v1/signing-keys', { label: 'paths' })).json() as {
      kid: string;
      secret: string;
    };
    const jwt = signToken(
      { sub: 'cus_paths', iss: 'billing', exp: Math.floor(Date.now() / 1000) + 600 },
      key.secret,
      key.kid,
    );
    const code = await redeemHostedForCode(server, spare.token);
    secrets.set('link token', link.token);
    secrets.set('signed link', jwt);
    secrets.set('signing key secret', key.secret);
    secrets.set('API key', server.apiKey);
    secrets.set('lk_code', code);
    ids.set('user id', link.user_id);
    ids.set('link id', link.id);
    ids.set('app id', server.appId);
    lines.length = 0;

    const requests: Array<[string, string, string?]> = [
      // Unknown routes.
      ['GET', `/l/${link.token}/extra`],
      ['GET', `/login-links/${jwt}`],
      ['GET', `/v1/users/${link.user_id}/${link.token}`],
      ['GET', `/x/${server.apiKey}`],
      ['GET', `/x/${key.secret}?from=${link.id}`],
      ['GET', `/nowhere?api_key=${server.apiKey}&user=${link.user_id}`],
      ['GET', `/nowhere?next=${encodeURIComponent(`/l/${link.token}`)}`],
      ['GET', `/callback?Session=${code}&state=${jwt}`],
      ['GET', `/l/${link.token}%E0%A4%A`],
      // Wrong methods on known paths.
      ['DELETE', `/l/${link.token}`],
      ['PUT', `/login/${jwt}`],
      ['PATCH', `/v1/magic-links/${link.token}`],
      // Known routes, with the secret in the path or in a query parameter named like a credential.
      ['GET', `/v1/magic-links/${link.token}`, server.apiKey],
      ['GET', `/v1/users/${link.user_id}?token=${link.token}&refresh_token=${code}`, server.apiKey],
      ['GET', `/v1/magic-links/${link.id}?Password=${key.secret}&apiKey=${server.apiKey}`, server.apiKey],
      ['GET', `/healthz?jwt=${jwt}&lk_whatever=${code}`],
    ];
    for (const [method, url, apiKey] of requests) {
      const res = await server.app.inject({
        method: method as 'GET',
        url,
        ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
      });
      answers.push({ url, status: res.statusCode, body: res.body });
    }
  });
  afterAll(async () => server?.close());

  it('answers each of them', () => {
    expect(answers).toHaveLength(16);
    for (const answer of answers) expect(answer.status, answer.url).toBeLessThan(500);
  });

  it('logs none of the secrets, in any line', () => {
    expect(lines.length).toBeGreaterThan(16);
    const leaks: string[] = [];
    for (const [name, secret] of secrets) {
      for (const part of [secret, secret.slice(-20), secret.slice(0, 24)]) {
        for (const line of lines) if (line.includes(part)) leaks.push(`${name} in ${line.trim()}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('echoes none of the secrets back in an error message', () => {
    for (const answer of answers) {
      for (const [name, secret] of secrets) {
        expect(answer.body.includes(secret.slice(-20)), `${name} in the answer to ${answer.url}`).toBe(false);
      }
    }
  });

  it('keeps ids and ordinary words readable', () => {
    const urls = lines
      .map((line) => (JSON.parse(line) as LogLine).req?.url)
      .filter((url): url is string => url !== undefined);
    expect(urls).toContain('/l/[redacted]/extra');
    expect(urls).toContain('/login-links/[redacted]');
    expect(urls).toContain(`/v1/users/${ids.get('user id')}/[redacted]`);
    expect(urls).toContain(`/nowhere?api_key=[redacted]&user=${ids.get('user id')}`);
    expect(urls).toContain(`/v1/users/${ids.get('user id')}?token=[redacted]&refresh_token=[redacted]`);
    expect(urls).toContain(`/x/[redacted]?from=${ids.get('link id')}`);
    expect(urls).toContain('/healthz?jwt=[redacted]&lk_whatever=[redacted]');
    const notFound = answers.find((answer) => answer.url.startsWith('/l/') && answer.url.endsWith('/extra'));
    expect(JSON.parse(notFound!.body).error.message).toContain('/l/[redacted]/extra');
  });
});

describe('redactUrl', () => {
  it.each([
    ['/l/abcDEF123_-xyz', '/l/[redacted]'],
    ['/l/abcDEF123_-xyz/', '/l/[redacted]/'],
    ['/l/abcDEF123?lang=de', '/l/[redacted]?lang=de'],
    ['/l/abcDEF123#top', '/l/[redacted]#top'],
    ['/login/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', '/login/[redacted]'],
    ['/login/eyJ.x.y?redirect_to=invoices', '/login/[redacted]?redirect_to=invoices'],
    ['/apps/app_01abc/login/eyJ.x.y', '/apps/app_01abc/login/[redacted]'],
    ['/apps/app_01abc/login/eyJ.x.y?redirect_to=pay', '/apps/app_01abc/login/[redacted]?redirect_to=pay'],
    ['/login/link/abcDEF123_-xyz', '/login/link/[redacted]'],
    ['/login/link/abcDEF123_-xyz?x=1', '/login/link/[redacted]?x=1'],
  ])('hides the token in the path %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['/cb?lk_code=secret1', '/cb?lk_code=[redacted]'],
    ['/cb?state=1&lk_code=secret1&x=2', '/cb?state=1&lk_code=[redacted]&x=2'],
    ['/welcome?lk_token=secret1#frag', '/welcome?lk_token=[redacted]#frag'],
    ['/x?token=a&code=b', '/x?token=[redacted]&code=[redacted]'],
    ['/x?code_verifier=a&refresh_token=b', '/x?code_verifier=[redacted]&refresh_token=[redacted]'],
    ['/x?magic_link=a', '/x?magic_link=[redacted]'],
    ['/cb?LK_CODE=secret1', '/cb?LK_CODE=[redacted]'],
    ['/l/tok?lk_code=c', '/l/[redacted]?lk_code=[redacted]'],
  ])('hides the secret query value in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['/l/abcDEF123_-xyz/extra', '/l/[redacted]/extra'],
    ['/v1/magic-links/0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1', '/v1/magic-links/[redacted]'],
    ['/login-links/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', '/login-links/[redacted]'],
    ['/x/aaaaaaaaaa.bbbbbbbbbb.cccccccccc', '/x/[redacted]'],
    ['/x/lk_sk_Abc123Def456Ghi789', '/x/[redacted]'],
    ['/x/lk_rt_abcdefghij', '/x/[redacted]'],
    ['/x/whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=', '/x/[redacted]'],
    ['/x/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', '/x/[redacted]'],
    ['/x/3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f', '/x/[redacted]'],
    ['/x/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGH', '/x/[redacted]'],
    [
      '/v1/users/usr_01hzx8q3d4e5f6g7h8j9k0m1n2/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA',
      '/v1/users/usr_01hzx8q3d4e5f6g7h8j9k0m1n2/[redacted]',
    ],
  ])('hides the secret-shaped path segment in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['/x?api_key=a', '/x?api_key=[redacted]'],
    ['/x?apiKey=a&ApiKey=b', '/x?apiKey=[redacted]&ApiKey=[redacted]'],
    ['/x?Session=a&session_id=b&sid=c', '/x?Session=[redacted]&session_id=[redacted]&sid=[redacted]'],
    ['/x?password=hunter2&PASSWD=x&pwd=y', '/x?password=[redacted]&PASSWD=[redacted]&pwd=[redacted]'],
    [
      '/x?client_secret=a&id_token=b&access_token=c',
      '/x?client_secret=[redacted]&id_token=[redacted]&access_token=[redacted]',
    ],
    ['/x?jwt=a&auth=b&authorization=c', '/x?jwt=[redacted]&auth=[redacted]&authorization=[redacted]'],
    [
      '/x?signature=a&X-Amz-Signature=b&sig=c',
      '/x?signature=[redacted]&X-Amz-Signature=[redacted]&sig=[redacted]',
    ],
    ['/x?lk_anything=a&otp=123456', '/x?lk_anything=[redacted]&otp=[redacted]'],
    ['/x?%74oken=a', '/x?%74oken=[redacted]'],
    ['/x?key=a&private_key=b&accessKey=c', '/x?key=[redacted]&private_key=[redacted]&accessKey=[redacted]'],
    ['/x?token', '/x?token'],
    ['/x?next=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', '/x?next=[redacted]'],
    ['/x?next=%2Fl%2F0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1', '/x?next=[redacted]'],
  ])('hides the credential in the query of %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    '/v1/users/usr_01hzx8q3d4e5f6g7h8j9k0m1n2',
    '/v1/apps/app_01hzx8q3d4e5f6g7h8j9k0m1n2/magic-link/activate',
    '/v1/users?cursor=usr_01hzx8q3d4e5f6g7h8j9k0m1n2&limit=50',
    '/v1/events?type=magic_link.created&since=2024-01-01T00:00:00Z',
    '/docs/static/swagger-ui-bundle.js',
    '/.well-known/jwks.json',
    '/v1/webhook-endpoints/we_01hzx8q3d4e5f6g7h8j9k0m1n2/attempts',
    '/x?state=abc&redirect_to=invoices&lang=de&keyword=shoes&monkey=1',
    '/some/ordinary-words/in-a-row',
    '/x?email=jane%40example.com',
  ])('keeps %s readable', (url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it.each([
    '/v1/users?email=jane%40example.com&limit=5',
    '/v1/magic-links/ml_01hzx8q3d4e5f6g7h8j9k0m1n2',
    '/login',
    '/login?app=app_1&redirect_to=invoices',
    '/login/check?app=app_1',
    '/login/code',
    '/login/finish',
    '/lookup/abc',
    '/v1/l/abc',
    '/x?state=1&postcode=12345',
    '/healthz',
    '',
  ])('leaves %s as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('the logger', () => {
  const token = '0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1';

  function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
    const lines: string[] = [];
    write(createLogger('info', { write: (line: string) => lines.push(line) }));
    return lines.join('');
  }

  it('hides secrets in messages, in errors and their stacks, and drops the raw bytes of a request', () => {
    const error = Object.assign(new Error(`could not load /l/${token}`), {
      rawPacket: Buffer.from(`GET /l/${token} HTTP/1.1`),
      url: `/v1/magic-links/${token}?x=1`,
    });
    const text = logged((logger) => {
      logger.error({ err: error }, `request to /x/${token} failed`);
      logger.warn(`Reply was already sent in "/l/${token}" (GET)`);
      logger.info('%s went wrong', `/callback?lk_code=${token}`);
    });
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(-20));
    expect(text).not.toContain('rawPacket');
    expect(text).toContain('could not load /l/[redacted]');
    expect(text).toContain('request to /x/[redacted] failed');
  });

  it('keeps ids readable in messages', () => {
    const text = logged((logger) => logger.info('user usr_01hzx8q3d4e5f6g7h8j9k0m1n2 signed in'));
    expect(text).toContain('usr_01hzx8q3d4e5f6g7h8j9k0m1n2');
  });
});
