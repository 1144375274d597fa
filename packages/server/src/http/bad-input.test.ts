import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsBody } from '../apps/app-routes.js';
import { errorCodes, isErrorCode } from '../errors/error-codes.js';
import { CreateLinkBody } from '../links/link-routes.js';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import type { Database } from '../storage/schema.js';
import { DIALECTS } from '../test-support/databases.js';
import { createTestLink, startTestServer, type TestServer } from '../test-support/test-server.js';

type Body = Record<string, unknown>;
interface Route {
  method: 'POST' | 'PATCH';
  path: string;
  /** A body this route accepts; `{token}`, `{token2}` and `{token3}` stand for live link tokens. */
  valid: Body;
  /** The fields of the route's schema. */
  fields: string[];
  /** Bodies that are valid but for a NUL byte in one string. */
  nul: Body[];
}

const NUL = '\u0000';
const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/magic-links',
    valid: { email: 'form.link@example.com' },
    fields: Object.keys(CreateLinkBody.properties),
    nul: [{ email: `link${NUL}@example.com` }, { phone: `+1415555${NUL}0123` }],
  },
  {
    method: 'POST',
    path: '/v1/apps/{app}/magic-links',
    valid: { email: 'form.app-link@example.com' },
    fields: Object.keys(CreateLinkBody.properties),
    nul: [{ email: `app-link${NUL}@example.com` }],
  },
  {
    method: 'PATCH',
    path: '/v1/apps/{app}',
    valid: { name: 'Renamed' },
    fields: Object.keys(SettingsBody.properties),
    nul: [{ name: `Acme${NUL}` }, { sender: { name: `Acme${NUL}` } }],
  },
  {
    method: 'POST',
    path: '/v1/users',
    valid: { email: 'form.user@example.com' },
    fields: ['email', 'phone', 'external_id', 'email_verified', 'phone_verified', 'metadata'],
    nul: [{ email: `user${NUL}@example.com` }, { external_id: `cus${NUL}1` }],
  },
  {
    method: 'PATCH',
    path: '/v1/users/{user}',
    valid: { email: 'form.patched@example.com' },
    fields: ['email', 'phone', 'external_id', 'email_verified', 'phone_verified', 'metadata'],
    nul: [{ email: `patched${NUL}@example.com` }, { external_id: `cus${NUL}2` }],
  },
  {
    method: 'POST',
    path: '/v1/magic-links/redeem',
    valid: { token: '{token}' },
    fields: ['token', 'code_verifier', 'ip', 'user_agent'],
    nul: [{ token: `{token}${NUL}` }, { token: '{token3}', user_agent: `Mozilla${NUL}` }],
  },
  {
    method: 'POST',
    path: '/v1/sessions/exchange',
    valid: { code: 'no-such-code' },
    fields: ['code', 'code_verifier'],
    nul: [{ code: `abc${NUL}` }],
  },
  {
    method: 'POST',
    path: '/v1/sessions/refresh',
    valid: { refresh_token: 'no-such-token' },
    fields: ['refresh_token'],
    nul: [{ refresh_token: `abc${NUL}` }],
  },
  {
    method: 'POST',
    path: '/v1/api-keys',
    valid: { label: 'a new key' },
    fields: ['label', 'kind'],
    nul: [{ label: `ci${NUL}key` }],
  },
  {
    method: 'PATCH',
    path: '/v1/apps/{app}/magic-link/activate',
    valid: { magic_link: '{token2}' },
    fields: ['magic_link', 'code_verifier'],
    nul: [{ magic_link: `{token2}${NUL}` }],
  },
];

const nest = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const firstField = (route: Route) => Object.keys(route.valid)[0]!;
const form = (body: Body) => new URLSearchParams(body as Record<string, string>).toString();
const JSON_TYPE = 'application/json';

interface Hostile {
  name: string;
  type?: string;
  payload: (route: Route) => string | undefined;
  status?: number;
}

const HOSTILE: Hostile[] = [
  { name: 'invalid JSON', type: JSON_TYPE, payload: (r) => `{"${firstField(r)}": ` },
  { name: 'single-quoted JSON', type: JSON_TYPE, payload: (r) => `{'${firstField(r)}': 'x'}` },
  { name: 'JSON with trailing garbage', type: JSON_TYPE, payload: (r) => `${JSON.stringify(r.valid)} x` },
  { name: 'JSON with a trailing comma', type: JSON_TYPE, payload: (r) => `{"${firstField(r)}": "x",}` },
  { name: 'an empty body', type: JSON_TYPE, payload: () => '' },
  { name: 'a whitespace body', type: JSON_TYPE, payload: () => ' \n\t ' },
  { name: 'no body at all', payload: () => undefined },
  { name: 'an empty array', type: JSON_TYPE, payload: () => '[]' },
  { name: 'an array holding a valid body', type: JSON_TYPE, payload: (r) => JSON.stringify([r.valid]) },
  { name: 'null', type: JSON_TYPE, payload: () => 'null' },
  { name: 'a number', type: JSON_TYPE, payload: () => '42' },
  { name: 'an overflowing number', type: JSON_TYPE, payload: () => '1e999' },
  { name: 'a string', type: JSON_TYPE, payload: (r) => JSON.stringify(String(Object.values(r.valid)[0])) },
  { name: 'a boolean', type: JSON_TYPE, payload: () => 'true' },
  { name: 'a deeply nested object', type: JSON_TYPE, payload: () => `{"x":${nest(10_000, '{"a":', '}')}}` },
  {
    name: 'a deeply nested value in a known field',
    type: JSON_TYPE,
    payload: (r) => `{"${firstField(r)}":${nest(10_000, '{"a":', '}')}}`,
  },
  { name: 'deeply nested arrays', type: JSON_TYPE, payload: () => nest(100_000, '[', ']', '') },
  {
    name: 'a string over 1 MiB',
    type: JSON_TYPE,
    payload: (r) => JSON.stringify({ ...r.valid, [firstField(r)]: 'a'.repeat(1_100_000) }),
    status: 413,
  },
  { name: 'a text/plain body holding JSON', type: 'text/plain', payload: (r) => JSON.stringify(r.valid) },
  { name: 'a text/plain body', type: 'text/plain', payload: () => 'hello' },
  { name: 'a form body', type: 'application/x-www-form-urlencoded', payload: (r) => form(r.valid) },
  {
    name: 'a form body with prototype keys',
    type: 'application/x-www-form-urlencoded',
    payload: (r) => `${form(r.valid)}&__proto__[polluted]=1&constructor[prototype][polluted]=1`,
  },
  { name: 'an XML body', type: 'application/xml', payload: () => '<user><email>a@b.c</email></user>' },
  { name: 'a multipart body', type: 'multipart/form-data; boundary=x', payload: () => '--x\r\n\r\n--x--' },
  { name: 'JSON without a content type', payload: (r) => JSON.stringify(r.valid) },
  {
    name: 'a __proto__ key',
    type: JSON_TYPE,
    payload: (r) => `{${JSON.stringify(r.valid).slice(1, -1)},"__proto__":{"polluted":1}}`,
  },
  {
    name: 'a constructor.prototype key',
    type: JSON_TYPE,
    payload: (r) => `{${JSON.stringify(r.valid).slice(1, -1)},"constructor":{"prototype":{"polluted":1}}}`,
  },
  {
    name: 'look-alike and control-character keys',
    type: JSON_TYPE,
    payload: (r) =>
      JSON.stringify({ [`${firstField(r)}\u200b`]: 'x', '\u202edlrow': 'x', [NUL]: 1, '\u0435mail': 1 }),
  },
];

const TABLES = [
  'apps',
  'api_keys',
  'users',
  'magic_links',
  'sessions',
  'refresh_tokens',
  'exchange_codes',
  'events',
];

/** Every stored row (less the key's last-use time, which any authenticated request may move). */
async function snapshot(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await sql<Body>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows
      .map((row) => JSON.stringify(table === 'api_keys' ? { ...row, last_used_at: null } : row))
      .sort();
  }
  return out;
}

function expectApiError(res: LightMyRequestResponse, what: string, status?: number): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (status !== undefined) expect(res.statusCode, what).toBe(status);
  expect(res.headers['content-type'], what).toMatch(/^application\/json/);
  const body = res.json() as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, `${what}: ${res.body.slice(0, 300)}`).toBe('string');
  expect(typeof body.error?.message, what).toBe('string');
  const code = body.error!.code as string;
  expect(isErrorCode(code), `${what}: unregistered code ${code}`).toBe(true);
  if (isErrorCode(code)) expect(errorCodes[code].status, `${what}: ${code}`).toBe(res.statusCode);
}

const TYPE_CONFUSION: Array<[string, Route['method'], string, Body]> = [
  ['null for a boolean setting', 'PATCH', '/v1/apps/{app}', { auto_create_users: null }],
  ['null for a boolean user field', 'PATCH', '/v1/users/{user}', { email_verified: null }],
  ['an array for a string', 'POST', '/v1/api-keys', { label: ['in an array'] }],
  ['an array for an email', 'POST', '/v1/magic-links', { email: ['target@example.com'] }],
];

const GARBAGE_PATHS: Array<[string, InjectOptions['method'], string]> = [
  ['a dot-dot path', 'GET', '/v1/users/../../etc'],
  ['a NUL id to read', 'GET', '/v1/users/%00'],
  ['a NUL id to change', 'PATCH', '/v1/users/%00'],
  ['a NUL id to delete', 'DELETE', '/v1/users/%00'],
  ['a 5,000-character id', 'GET', `/v1/users/usr_${'a'.repeat(5000)}`],
  ['a real id with 200 characters more', 'DELETE', `/v1/users/{user}${'0'.repeat(200)}`],
  ['a broken percent-encoding', 'GET', '/v1/users/%E0%A4%A'],
  ['an SQL-looking id', 'DELETE', "/v1/users/usr_'%20OR%201=1%20--"],
  ['a NUL app id', 'PATCH', '/v1/apps/%00'],
  ['an encoded traversal app id', 'POST', '/v1/apps/app_%2e%2e%2f/magic-links'],
  ['a 300-character app id', 'PATCH', `/v1/apps/${'a'.repeat(300)}/magic-link/activate`],
  ['a NUL link id', 'GET', '/v1/magic-links/ml_%00'],
  ['an encoded traversal session id', 'POST', '/v1/sessions/..%2f..%2f/revoke'],
];

const LISTS = ['/v1/users', '/v1/magic-links', '/v1/sessions', '/v1/api-keys', '/v1/apps'];
const QUERIES: Array<[string, string]> = [
  ['limit=0', 'limit'],
  ['limit=9999', 'limit'],
  ['limit=501', 'limit'],
  ['limit=abc', 'limit'],
  ['limit=-1', 'limit'],
  ['limit=1.5', 'limit'],
  ['limit=', 'limit'],
  ['limit=1&limit=2', 'limit'],
  ['cursor=garbage', 'cursor'],
  ['cursor=%00', 'cursor'],
  ["cursor=usr_'%20OR%201=1", 'cursor'],
  [`cursor=usr_${'a'.repeat(2000)}`, 'cursor'],
];
const LIST_CASES = LISTS.flatMap((path) => QUERIES.map(([query, param]) => [path, query, param] as const));

describe.each(DIALECTS)('bad input on %s', (dialect) => {
  let server: TestServer;
  let handle: DatabaseHandle;
  const vars: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(dialect);
    handle = openDatabase(server.db.target);
    const user = await server.api('POST', '/v1/users', { email: 'target@example.com', external_id: 'cus_1' });
    vars.app = server.appId;
    vars.user = user.json().id;
    for (const name of ['token', 'token2', 'token3']) {
      const link = await createTestLink(server, { email: `${name}@example.com`, magic_link_path: '/in' });
      vars[name] = link.token;
    }
  });
  afterAll(async () => {
    await handle?.close();
    await server?.close();
  });

  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? `{${name}}`);
  const filled = (route: Route): Route => ({
    ...route,
    valid: JSON.parse(fill(JSON.stringify(route.valid))),
  });
  const send = (
    method: Route['method'] | InjectOptions['method'],
    path: string,
    payload?: string,
    type?: string,
  ) =>
    server.app.inject({
      method,
      url: fill(path),
      headers: { authorization: `Bearer ${server.apiKey}`, ...(type ? { 'content-type': type } : {}) },
      ...(payload === undefined ? {} : { payload }),
    });
  const sendJson = (method: Route['method'], path: string, body: unknown) =>
    send(method, path, fill(JSON.stringify(body)), JSON_TYPE);

  async function expectNoChange(action: () => Promise<void>): Promise<void> {
    const before = await snapshot(handle.db);
    await action();
    expect(await snapshot(handle.db)).toEqual(before);
  }

  describe.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    (_, route) => {
      it.each(HOSTILE)('answers $name with a 4xx error and changes nothing', async (hostile) => {
        await expectNoChange(async () => {
          const res = await send(route.method, route.path, hostile.payload(filled(route)), hostile.type);
          expectApiError(res, hostile.name, hostile.status);
        });
      });

      it.each(route.nul.map((body) => [JSON.stringify(body), body] as const))(
        'refuses the NUL byte in %s and changes nothing',
        async (name, body) => {
          await expectNoChange(async () =>
            expectApiError(await sendJson(route.method, route.path, body), name),
          );
        },
      );

      it('answers arbitrary JSON that is not a valid body with a 4xx error and changes nothing', async () => {
        const known = new Set(route.fields);
        const unknownKey = fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !known.has(key));
        const notAnObject = fc
          .jsonValue()
          .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v));
        const withUnknownKey = fc
          .tuple(fc.object(), unknownKey, fc.jsonValue())
          .map(([object, key, value]) => ({ ...object, [key]: value }));
        await expectNoChange(async () => {
          await fc.assert(
            fc.asyncProperty(fc.oneof(notAnObject, withUnknownKey), async (body) => {
              expectApiError(await sendJson(route.method, route.path, body), JSON.stringify(body));
            }),
            { numRuns: 100 },
          );
        });
      });
    },
  );

  it.each(TYPE_CONFUSION)('refuses %s instead of coercing it (%s %s)', async (_name, method, path, body) => {
    await expectNoChange(async () => {
      expectApiError(await sendJson(method, path, body), `${method} ${path} ${JSON.stringify(body)}`, 400);
    });
  });

  it.each(GARBAGE_PATHS)(
    'answers %s (%s) with a 4xx error and changes nothing',
    async (_name, method, path) => {
      await expectNoChange(async () => {
        const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({ name: 'x' });
        expectApiError(await send(method, path, body, body ? JSON_TYPE : undefined), `${method} ${path}`);
      });
    },
  );

  it.each(LIST_CASES)('answers GET %s?%s with validation_failed naming %s', async (path, query, param) => {
    const key = path === '/v1/apps' ? server.adminKey : server.apiKey;
    const res = await server.api('GET', `${path}?${query}`, undefined, key);
    expectApiError(res, `${path}?${query}`, 400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', param });
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Body).polluted).toBeUndefined();
  });
});
