/**
 * Which route redeems which link. A link made with `magic_link_path` (embedded) is delivered to the app's own page
 * and redeemed by the app's backend through the API; Latchkey's hosted page never spends it, whatever redirect the
 * link or the app has. A hosted link is redeemed by the hosted page's POST, and also by the app's backend (see
 * docs/decisions.md). A refusal changes nothing: not the link's status, not its opened time, no event, no session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../pages/messages.js';
import { DIALECTS } from '../test-support/databases.js';
import { startTestServer, TEST_REDIRECT, type TestServer, uniqueEmail } from '../test-support/test-server.js';

const en = messages.en;

interface Link {
  id: string;
  token: string;
  user_id: string;
  url: string;
  redirect_url: string | null;
}

async function createLink(server: TestServer, body: Record<string, unknown> = {}): Promise<Link> {
  const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), ...body });
  expect(res.statusCode, res.body).toBe(201);
  const link = res.json().magic_link as Omit<Link, 'token'> & { secret: string };
  return { ...link, token: link.secret };
}

const embeddedLink = (server: TestServer, body: Record<string, unknown> = {}) =>
  createLink(server, { magic_link_path: '/auth/magic', ...body });

const hostedPage = (server: TestServer, method: 'GET' | 'HEAD' | 'POST', token: string) =>
  server.app.inject({ method, url: `/l/${token}` });

const apiRedeem = (server: TestServer, token: string) =>
  server.api('POST', '/v1/magic-links/redeem', { token });

const activate = (server: TestServer, token: string) =>
  server.app.inject({
    method: 'PATCH',
    url: `/v1/apps/${server.appId}/magic-link/activate`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ magic_link: token }),
  });

/** Everything a redemption or an open would change: the link's row, its events, and its user's sessions. */
async function stateOf(server: TestServer, link: Link) {
  const row = await server.ctx.store.getLink(server.appId, link.id);
  const events = await server.ctx.store.listEvents(server.appId, { subject_id: link.id }, { limit: 100 });
  const sessions = await server.api('GET', `/v1/sessions?user_id=${link.user_id}`);
  expect(sessions.statusCode, sessions.body).toBe(200);
  return { row, events, sessions: sessions.json().data as unknown[] };
}

/** GET, HEAD and POST of `/l/{token}` all answer the 404 "not valid" page, with no redirect. */
async function expectNotValidOnHostedPage(server: TestServer, token: string) {
  for (const method of ['GET', 'POST'] as const) {
    const res = await hostedPage(server, method, token);
    expect(res.statusCode, `${method} ${res.body.slice(0, 200)}`).toBe(404);
    expect(res.body).toContain(en.invalidTitle);
    expect(res.body).not.toContain('<form');
    expect(res.headers.location).toBeUndefined();
  }
  const head = await hostedPage(server, 'HEAD', token);
  expect(head.statusCode).toBe(404);
}

function expectError(
  res: { statusCode: number; body: string; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  expect((res.json() as { error: { code: string } }).error.code).toBe(code);
}

describe.each(DIALECTS)('which route redeems which link, on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('refuses an embedded link at POST /l/{token} without changing anything, then the API redeems it once', async () => {
    const link = await embeddedLink(server);
    // The test app has a default redirect, so the link has a redirect_url: the kind, not the redirect, decides.
    expect(link.redirect_url).toBe(TEST_REDIRECT);
    expect(new URL(link.url).origin).toBe('https://app.example.com');
    const before = await stateOf(server, link);
    expect(before.row?.status).toBe('created');

    await expectNotValidOnHostedPage(server, link.token);
    expect(await stateOf(server, link)).toEqual(before);

    const redeemed = await apiRedeem(server, link.token);
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(redeemed.json().user.id).toBe(link.user_id);
    expect(redeemed.json().redirect_url).toBe(TEST_REDIRECT);
    expectError(await apiRedeem(server, link.token), 410, 'link_used');
    const after = await stateOf(server, link);
    expect(after.row?.status).toBe('redeemed');
    expect(after.sessions).toHaveLength(1);
  });

  it('refuses an embedded link at POST /l/{token}, then Passage activate redeems it once', async () => {
    const link = await embeddedLink(server);
    const before = await stateOf(server, link);
    await expectNotValidOnHostedPage(server, link.token);
    expect(await stateOf(server, link)).toEqual(before);
    const activated = await activate(server, link.token);
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json().auth_result.redirect_url).toBe(TEST_REDIRECT);
    expectError(await activate(server, link.token), 410, 'link_used');
  });

  it('records no open for an embedded link opened on the hosted page', async () => {
    const link = await embeddedLink(server);
    for (let i = 0; i < 3; i++) await expectNotValidOnHostedPage(server, link.token);
    const state = await stateOf(server, link);
    expect(state.row?.opened_at).toBeNull();
    expect(state.row?.status).toBe('created');
    expect(state.events.map((e) => e.type)).toEqual(['magic_link.created']);
  });

  it('after the API redeemed an embedded link, /l/{token} still says it is not valid there and changes nothing', async () => {
    const link = await embeddedLink(server);
    expect((await apiRedeem(server, link.token)).statusCode).toBe(200);
    const before = await stateOf(server, link);
    expect(before.row?.status).toBe('redeemed');
    await expectNotValidOnHostedPage(server, link.token);
    expect(await stateOf(server, link)).toEqual(before);
  });

  it('refuses at /l/{token} a link with both magic_link_path and redirect_url on an app with a default redirect', async () => {
    const link = await embeddedLink(server, { redirect_url: 'https://app.example.com/portal' });
    expect(link.redirect_url).toBe('https://app.example.com/portal');
    const before = await stateOf(server, link);
    await expectNotValidOnHostedPage(server, link.token);
    expect(await stateOf(server, link)).toEqual(before);
    const redeemed = await apiRedeem(server, link.token);
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(redeemed.json().redirect_url).toBe('https://app.example.com/portal');
  });

  it('keeps a link embedded when the app changes its site and redirects later', async () => {
    const link = await embeddedLink(server);
    const other = await server.api('PATCH', `/v1/apps/${server.appId}`, {
      site_url: 'https://portal.app.example.com',
      default_redirect_url: 'https://app.example.com/elsewhere',
    });
    expect(other.statusCode, other.body).toBe(200);
    try {
      const before = await stateOf(server, link);
      await expectNotValidOnHostedPage(server, link.token);
      expect(await stateOf(server, link)).toEqual(before);
      expect((await apiRedeem(server, link.token)).statusCode).toBe(200);
    } finally {
      const restored = await server.api('PATCH', `/v1/apps/${server.appId}`, {
        site_url: 'https://app.example.com',
        default_redirect_url: TEST_REDIRECT,
      });
      expect(restored.statusCode, restored.body).toBe(200);
    }
  });

  it('lets only the API win when the hosted page and the API race for an embedded link', async () => {
    const link = await embeddedLink(server);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? hostedPage(server, 'POST', link.token) : apiRedeem(server, link.token),
      ),
    );
    const hosted = answers.filter((_, i) => i % 2 === 0).map((res) => res.statusCode);
    const api = answers.filter((_, i) => i % 2 === 1).map((res) => res.statusCode);
    expect(hosted).toEqual(Array(10).fill(404));
    expect(api.filter((s) => s === 200)).toHaveLength(1);
    expect(api.filter((s) => s === 410)).toHaveLength(9);
    expect((await stateOf(server, link)).sessions).toHaveLength(1);
  });

  it('lets the API redeem a hosted link; the hosted page then says used and changes nothing', async () => {
    const link = await createLink(server);
    expect(new URL(link.url).pathname).toBe(`/l/${link.token}`);
    const redeemed = await apiRedeem(server, link.token);
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    const before = await stateOf(server, link);
    for (const method of ['GET', 'POST'] as const) {
      const res = await hostedPage(server, method, link.token);
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain(en.usedTitle);
      expect(res.headers.location).toBeUndefined();
    }
    expect((await hostedPage(server, 'HEAD', link.token)).statusCode).toBe(410);
    expect(await stateOf(server, link)).toEqual(before);
  });

  it('after the hosted page redeemed a hosted link, the API and activate answer link_used and change nothing', async () => {
    const link = await createLink(server);
    expect((await hostedPage(server, 'POST', link.token)).statusCode).toBe(303);
    const before = await stateOf(server, link);
    expectError(await apiRedeem(server, link.token), 410, 'link_used');
    expectError(await activate(server, link.token), 410, 'link_used');
    expect(await stateOf(server, link)).toEqual(before);
  });
});
