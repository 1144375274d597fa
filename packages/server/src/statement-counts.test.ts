/**
 * How many SQL statements each hot request sends to the database, counted through the driver (query-observer.ts)
 * and not timed: every statement is a round trip on PostgreSQL, and the count is what makes it slow (issue 21).
 * BEGIN and COMMIT count like any other statement. Each request is measured after the same request has run once,
 * so caches are as warm as a busy server keeps them; statements a request leaves to run after its answer are
 * counted too (the count waits until the database has been quiet for a moment).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedQuery, QueryObserver } from './storage/query-observer.js';
import { DIALECTS } from './test-support/databases.js';
import { startTestServer, type TestServer, uniqueEmail } from './test-support/test-server.js';

/**
 * The most statements each request may send, per database. PostgreSQL's are issue 21's (create ≤ 3, redeem ≤ 3,
 * code exchange ≤ 2) at what is sent today; SQLite's are today's counts (a statement there is no round trip).
 */
const LIMITS = {
  postgres: { create: 2, createSend: 2, hostedRedeem: 2, embeddedRedeem: 2, exchange: 2 },
  sqlite: { create: 5, createSend: 6, hostedRedeem: 10, embeddedRedeem: 9, exchange: 6 },
} as const;

type Request = keyof (typeof LIMITS)['postgres'];

function counter(): QueryObserver & { take(): Promise<ObservedQuery[]> } {
  let seen: ObservedQuery[] = [];
  let last = 0;
  return {
    onQuery(query) {
      seen.push(query);
      last = Date.now();
      return () => {
        last = Date.now();
      };
    },
    /** What was sent since the last call, once nothing has been sent for 50 ms. */
    async take() {
      await sleep(50);
      while (Date.now() - last < 50) await sleep(20);
      const taken = seen;
      seen = [];
      return taken;
    },
  };
}

const describeAll = (queries: ObservedQuery[]) =>
  queries.map((q) => (q.table ? `${q.operation} ${q.table}` : q.operation));

/** The found counts, for the table (printed once all ran). */
const found: Record<string, Record<string, number>> = {};

describe.each(DIALECTS)('statements per request on %s', (dialect) => {
  const count = counter();
  let server: TestServer;
  let email: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { observer: count });
    email = uniqueEmail();
    // The user exists before any link is counted: the figure is for an existing user.
    await createLink();
  });
  afterAll(async () => {
    await server?.close();
    if (Object.keys(found).length === DIALECTS.length) console.info(JSON.stringify(found));
  });

  async function createLink(body: Record<string, unknown> = {}) {
    const res = await server.api('POST', '/v1/magic-links', { email, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().magic_link as { secret: string };
  }

  async function hostedRedeem() {
    const { secret } = await createLink();
    await count.take();
    const res = await server.app.inject({ method: 'POST', url: `/l/${secret}` });
    expect(res.statusCode, res.body).toBe(303);
    return new URL(res.headers.location as string).searchParams.get('lk_code') as string;
  }

  /**
   * The statements of `run` as a warm server sends them: the fewest of three runs after a first that warms the
   * caches. (On PostgreSQL the caches also forget everything every few seconds, a safety net that may fall inside
   * one run.)
   */
  async function measure(request: Request, run: () => Promise<unknown>) {
    let queries: ObservedQuery[] | undefined;
    for (let i = 0; i < 4; i++) {
      await count.take();
      await run();
      const these = await count.take();
      if (i > 0 && (queries === undefined || these.length < queries.length)) queries = these;
    }
    if (!queries) throw new Error('nothing measured');
    found[dialect] = { ...found[dialect], [request]: queries.length };
    // SHOW_STATEMENTS=1 prints what each request sent.
    if (process.env.SHOW_STATEMENTS) console.info(dialect, request, describeAll(queries).join(', '));
    expect(queries.length, describeAll(queries).join(', ')).toBeLessThanOrEqual(LIMITS[dialect][request]);
  }

  it('creates a link for an existing user', async () => {
    await measure('create', () => createLink());
  });

  it('creates a link for an existing user and sends it', async () => {
    await measure('createSend', () => createLink({ send: true }));
  });

  it('redeems a link on the hosted page', async () => {
    await measure('hostedRedeem', async () => {
      const { secret } = await createLink();
      await count.take();
      const res = await server.app.inject({ method: 'POST', url: `/l/${secret}` });
      expect(res.statusCode, res.body).toBe(303);
    });
  });

  it('redeems a link embedded in the app', async () => {
    await measure('embeddedRedeem', async () => {
      const { secret } = await createLink({ magic_link_path: '/auth/magic' });
      await count.take();
      const res = await server.api('POST', '/v1/magic-links/redeem', { token: secret });
      expect(res.statusCode, res.body).toBe(200);
    });
  });

  it('exchanges a code for a session', async () => {
    await measure('exchange', async () => {
      const code = await hostedRedeem();
      await count.take();
      const res = await server.api('POST', '/v1/sessions/exchange', { code });
      expect(res.statusCode, res.body).toBe(200);
    });
  });
});
