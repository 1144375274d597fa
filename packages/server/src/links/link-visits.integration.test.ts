/**
 * Visits of a hosted link's page, end to end on each database: recorded for every GET, HEAD and confirm POST of a
 * known link, classified, shown newest first on the link with a summary in its timeline, and never recorded for a
 * token that names no link (or an embedded link, which the page treats as unknown).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { DIALECTS } from '../test-support/databases.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { CONFIRM_WINDOW_MS } from './link-visits.js';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const SLACK = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

// biome-ignore lint/suspicious/noExplicitAny: the tests read response bodies loosely
type Json = Record<string, any>;

async function linkOf(server: TestServer, body: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), ...body });
  expect(res.statusCode, res.body).toBe(201);
  const link = res.json().magic_link as { id: string; secret: string };
  return { id: link.id, token: link.secret, path: `/l/${link.secret}` };
}

const visit = (server: TestServer, method: 'GET' | 'HEAD' | 'POST', path: string, userAgent?: string) =>
  server.app.inject({
    method,
    url: path,
    headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
  });

async function readLink(server: TestServer, id: string): Promise<Json> {
  const res = await server.api('GET', `/v1/magic-links/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

async function visitCount(server: TestServer): Promise<number> {
  const handle = openDatabase(server.db.target);
  try {
    return (await handle.db.selectFrom('link_visits').select('id').execute()).length;
  } finally {
    await handle.close();
  }
}

describe.each(DIALECTS)('visits of a link’s page on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  it('records a HEAD as a likely scanner, without opening the link', async () => {
    const link = await linkOf(server);
    expect((await visit(server, 'HEAD', link.path, BROWSER)).statusCode).toBe(200);
    const read = await readLink(server, link.id);
    expect(read.status).toBe('created');
    expect(read.visits).toEqual([
      {
        id: expect.stringMatching(/^vis_[0-9a-z]{26}$/),
        at: expect.any(String),
        method: 'HEAD',
        verdict: 'likely_scanner',
        reason: 'HEAD request',
        user_agent: BROWSER,
      },
    ]);
  });

  it('records a known scanner’s GET as such (the link still reads opened: GET is an open)', async () => {
    const link = await linkOf(server);
    expect((await visit(server, 'GET', link.path, SLACK)).statusCode).toBe(200);
    const read = await readLink(server, link.id);
    expect(read.status).toBe('opened');
    expect(read.visits).toMatchObject([
      {
        method: 'GET',
        verdict: 'likely_scanner',
        reason: 'known scanner user agent: Slackbot',
        user_agent: SLACK,
      },
    ]);
  });

  it('records a browser’s GET and its POST as a person’s, and keeps the GET so after the window', async () => {
    const link = await linkOf(server);
    await visit(server, 'GET', link.path, BROWSER);
    server.advance(20_000);
    expect((await visit(server, 'POST', link.path, BROWSER)).statusCode).toBe(303);
    server.advance(CONFIRM_WINDOW_MS * 2);
    const read = await readLink(server, link.id);
    expect(read.visits).toMatchObject([
      { method: 'POST', verdict: 'person', reason: 'confirmed' },
      { method: 'GET', verdict: 'person', reason: 'opened in a browser' },
    ]);
    expect(read.timeline.map((t: Json) => t.status)).toEqual(['created', 'opened', 'visited', 'redeemed']);
    expect(read.timeline[2]).toMatchObject({ verdict: 'person', count: 2 });
  });

  it('shows a GET that no POST followed as opened and never confirmed, once the window has passed', async () => {
    const link = await linkOf(server);
    await visit(server, 'GET', link.path, BROWSER);
    expect((await readLink(server, link.id)).visits[0]).toMatchObject({
      verdict: 'person',
      reason: 'opened in a browser',
    });
    server.advance(CONFIRM_WINDOW_MS + 1);
    const read = await readLink(server, link.id);
    expect(read.visits[0]).toMatchObject({
      method: 'GET',
      verdict: 'likely_scanner',
      reason: 'opened and never confirmed',
    });
    expect(read.timeline.find((t: Json) => t.status === 'visited')).toMatchObject({
      verdict: 'likely_scanner',
      count: 1,
    });
  });

  it('records visits after the link was used, a second press of the button included', async () => {
    const link = await linkOf(server);
    expect((await visit(server, 'POST', link.path, BROWSER)).statusCode).toBe(303);
    server.advance(1_000);
    expect((await visit(server, 'GET', link.path, SLACK)).statusCode).toBe(410);
    expect((await visit(server, 'POST', link.path, BROWSER)).statusCode).toBe(410);
    const read = await readLink(server, link.id);
    expect(read.visits.map((v: Json) => `${v.method} ${v.verdict}`)).toEqual([
      'POST person',
      'GET likely_scanner',
      'POST person',
    ]);
    expect(read.timeline.map((t: Json) => t.status)).toEqual([
      'created',
      'redeemed',
      'visited',
      'visited',
      'visited',
    ]);
  });

  it('records nothing for a token that names no link, nor for an embedded link on the hosted page', async () => {
    const before = await visitCount(server);
    const unknown = `/l/${'A'.repeat(49)}`;
    for (const method of ['GET', 'HEAD', 'POST'] as const) {
      expect((await visit(server, method, unknown, BROWSER)).statusCode).toBe(404);
      expect((await visit(server, method, '/l/not-a-token', BROWSER)).statusCode).toBe(404);
    }
    const embedded = await linkOf(server, { magic_link_path: '/auth/magic' });
    for (const method of ['GET', 'HEAD', 'POST'] as const) {
      expect((await visit(server, method, embedded.path, BROWSER)).statusCode).toBe(404);
    }
    expect(await visitCount(server)).toBe(before);
    expect((await readLink(server, embedded.id)).visits).toEqual([]);
  });

  it('shows the newest 50 visits, newest first', async () => {
    const link = await linkOf(server);
    for (let i = 0; i < 55; i++) {
      server.advance(1);
      await visit(server, i % 2 === 0 ? 'HEAD' : 'GET', link.path, `Agent ${i}`);
    }
    const read = await readLink(server, link.id);
    expect(read.visits).toHaveLength(50);
    expect(read.visits[0].user_agent).toBe('Agent 54');
    expect(read.visits[49].user_agent).toBe('Agent 5');
  });

  it('purges visits by age, and only those', async () => {
    const link = await linkOf(server);
    await visit(server, 'HEAD', link.path, BROWSER);
    server.advance(1_000);
    await visit(server, 'HEAD', link.path, SLACK);
    const [newest, oldest] = (await readLink(server, link.id)).visits as Json[];
    const purged = await server.ctx.store.purgeLinkVisits(Date.parse(newest!.at));
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = (await readLink(server, link.id)).visits as Json[];
    expect(left.map((v) => v.id)).toEqual([newest!.id]);
    expect(left.map((v) => v.id)).not.toContain(oldest!.id);
  });
});
