/**
 * A production server (NODE_ENV=production) never prints a live sign-in link. With no transport for a channel it
 * refuses every request that would send on it, with `delivery_not_configured` naming the setting, before anything is
 * stored; it keeps no dev outbox. A development server still prints, and a production server with SMTP sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryChannels } from '../runtime.js';
import { openDatabase } from '../storage/database.js';
import { DIALECTS } from '../test-support/databases.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { queuedOutboxRow } from './outbox-payload.js';
import { OutboxWorker } from './outbox-worker.js';

const PRODUCTION = { NODE_ENV: 'production' };
const TABLES = ['magic_links', 'users', 'outbox', 'login_flows', 'events'] as const;

/** How many rows each table holds, read through a connection of the test's own. */
async function rowCounts(server: TestServer): Promise<Record<(typeof TABLES)[number], number>> {
  const handle = openDatabase(server.db.target);
  try {
    const counts = { magic_links: 0, users: 0, outbox: 0, login_flows: 0, events: 0 };
    for (const table of TABLES)
      counts[table] = (await handle.db.selectFrom(table).select('id').execute()).length;
    return counts;
  } finally {
    await handle.close();
  }
}

function expectRefused(res: { statusCode: number; body: string; json(): unknown }, setting: RegExp) {
  expect(res.statusCode, res.body).toBe(400);
  const { error } = res.json() as { error: { code: string; message: string; param?: string } };
  expect(error.code).toBe('delivery_not_configured');
  expect(error.message).toMatch(setting);
  return error;
}

const SMTP_SETTING = /LATCHKEY_SMTP_URL/;
const SMS_SETTINGS = /LATCHKEY_TWILIO_ACCOUNT_SID.*LATCHKEY_SMS_HOOK_URL/s;

const drain = async (server: TestServer) => {
  const worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx), { pollMs: 50 });
  let sent = 0;
  for (let n = await worker.runOnce(100); n > 0; n = await worker.runOnce(100)) sent += n;
  return sent;
};

const loginStart = (server: TestServer, body: Record<string, unknown>) =>
  server.app.inject({
    method: 'POST',
    url: '/v1/public/login/start',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ app_id: server.appId, ...body }),
  });

describe.each(DIALECTS)('a production server with no transport, on %s', (dialect) => {
  let server: TestServer;
  const printed: string[] = [];
  beforeAll(async () => {
    server = await startTestServer(dialect, { env: PRODUCTION, print: (line) => printed.push(line) });
  });
  afterAll(async () => {
    expect(printed).toEqual([]);
    await server?.close();
  });

  it('refuses send: true with delivery_not_configured naming the setting, and stores nothing', async () => {
    const known = await server.api('POST', '/v1/users', { email: uniqueEmail(), phone: '+14155550123' });
    expect(known.statusCode, known.body).toBe(201);
    const before = await rowCounts(server);
    const email = uniqueEmail();
    const error = expectRefused(
      await server.api('POST', '/v1/magic-links', { email, send: true }),
      SMTP_SETTING,
    );
    expect(error.param).toBe('send');
    expect(error.message).toMatch(/without send/);
    expectRefused(
      await server.api('POST', `/v1/apps/${server.appId}/magic-links`, { email, send: true }),
      SMTP_SETTING,
    );
    const userId = known.json().id as string;
    expectRefused(
      await server.api('POST', '/v1/magic-links', { user_id: userId, channel: 'email', send: true }),
      SMTP_SETTING,
    );
    expectRefused(
      await server.api('POST', '/v1/magic-links', { user_id: userId, channel: 'phone', send: true }),
      SMS_SETTINGS,
    );
    expectRefused(
      await server.api('POST', '/v1/magic-links', { phone: '+14155550199', send: true }),
      SMS_SETTINGS,
    );
    expect(await rowCounts(server)).toEqual(before);
    const users = await server.api('GET', `/v1/users?email=${encodeURIComponent(email)}`);
    expect(users.json().data).toEqual([]);
  });

  it('still creates links without send, for the application to deliver', async () => {
    const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail() });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().magic_link.url).toMatch(/^https:\/\/auth\.example\.com\/l\//);
  });

  it('fails each bulk row that asks to send, and creates the others', async () => {
    const before = await rowCounts(server);
    const rows = [
      { email: uniqueEmail(), send: true },
      { email: uniqueEmail() },
      { phone: '+14155550177', send: true },
      { email: uniqueEmail(), send: false },
    ];
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/magic-links/bulk',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(rows),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      data: Array<{ row: number; error?: { code: string; message: string }; magic_link?: unknown }>;
      summary: { created: number; failed: number };
    };
    expect(body.summary).toEqual({ created: 2, failed: 2 });
    expect(body.data.map((r) => r.error?.code ?? 'created')).toEqual([
      'delivery_not_configured',
      'created',
      'delivery_not_configured',
      'created',
    ]);
    expect(body.data[0]?.error?.message).toMatch(SMTP_SETTING);
    expect(body.data[2]?.error?.message).toMatch(SMS_SETTINGS);
    const after = await rowCounts(server);
    expect(after.magic_links - before.magic_links).toBe(2);
    expect(after.users - before.users).toBe(2);
    expect(after.outbox).toBe(before.outbox);
  });

  it('refuses the public sign-in alike for known and unknown addresses, and stores nothing', async () => {
    const known = uniqueEmail();
    expect((await server.api('POST', '/v1/users', { email: known })).statusCode).toBe(201);
    const before = await rowCounts(server);
    const answers = [];
    for (const email of [known, uniqueEmail()]) {
      const res = await loginStart(server, { email });
      expectRefused(res, SMTP_SETTING);
      expect(res.headers['set-cookie']).toBeUndefined();
      answers.push(res.json());
    }
    expect(answers[0]).toEqual(answers[1]);
    expectRefused(await loginStart(server, { phone: '+14155550166' }), SMS_SETTINGS);
    expect(await rowCounts(server)).toEqual(before);
  });

  it('answers the hosted login form with a page that says sign-in by email is not available', async () => {
    const before = await rowCounts(server);
    const res = await server.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `app=${server.appId}&email=${encodeURIComponent(uniqueEmail())}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(SMTP_SETTING);
    expect(res.headers.location).toBeUndefined();
    expect(await rowCounts(server)).toEqual(before);
  });

  it('keeps no dev outbox', async () => {
    const res = await server.api('GET', '/v1/dev/outbox');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });

  it('fails a message queued before, rather than print it', async () => {
    // A message can be waiting from a run without NODE_ENV=production (or from another node): it is given up.
    const link = await server.api('POST', '/v1/magic-links', { email: uniqueEmail() });
    expect(link.statusCode).toBe(201);
    const id = link.json().magic_link.id as string;
    const row = await server.ctx.store.getLink(server.appId, id);
    const message = queuedOutboxRow(
      server.ctx,
      { appId: server.appId, linkId: id, channel: 'email', recipient: row!.identifier },
      {
        v: 1,
        url: link.json().magic_link.url,
        type: 'login',
        language: null,
        identifier: row!.identifier,
        identifierKind: 'email',
        expiresAt: row!.expires_at,
      },
      server.ctx.clock(),
    );
    const handle = openDatabase(server.db.target);
    try {
      await handle.db.insertInto('outbox').values(message).execute();
    } finally {
      await handle.close();
    }
    await drain(server);
    const read = await server.api('GET', `/v1/magic-links/${id}`);
    expect(read.json().status).toBe('delivery_failed');
    expect(read.json().deliveries[0].last_error).toMatch(SMTP_SETTING);
  });
});

describe('a production server with no mail server still sends webhooks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const printed: string[] = [];
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      env: { ...PRODUCTION, LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' },
      print: (line) => printed.push(line),
    });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  it('delivers magic_link.created to an endpoint', async () => {
    const endpoint = await server.api('POST', '/v1/webhook-endpoints', {
      url: `${receiver.url}/hook`,
      event_types: ['magic_link.created'],
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    expect((await server.api('POST', '/v1/magic-links', { email: uniqueEmail() })).statusCode).toBe(201);
    expect(await drain(server)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body).type).toBe('magic_link.created');
    expect(printed).toEqual([]);
  });
});

describe('a development server with no transport', () => {
  let server: TestServer;
  const printed: string[] = [];
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      env: { NODE_ENV: 'development' },
      print: (line) => printed.push(line),
    });
  });
  afterAll(async () => server?.close());

  it('prints the message with its link and keeps it in the dev outbox', async () => {
    const res = await server.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true });
    expect(res.statusCode, res.body).toBe(201);
    const url = res.json().magic_link.url as string;
    expect(await drain(server)).toBe(1);
    expect(printed.join('')).toContain(url);
    const outbox = await server.api('GET', '/v1/dev/outbox');
    expect(outbox.statusCode).toBe(200);
    expect(outbox.json().data[0].text).toContain(url);
  });

  it('prints the public sign-in message too', async () => {
    const res = await loginStart(server, { email: uniqueEmail() });
    expect(res.statusCode, res.body).toBe(202);
    printed.length = 0;
    expect(await drain(server)).toBe(1);
    expect(printed.join('')).toMatch(/\/login\/link\//);
  });
});

describe.each(DIALECTS)('a production server with SMTP, on %s', (dialect) => {
  let server: TestServer;
  let smtp: SmtpSink;
  const printed: string[] = [];
  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer(dialect, {
      env: { ...PRODUCTION, LATCHKEY_SMTP_URL: smtp.url },
      print: (line) => printed.push(line),
    });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('sends email links over SMTP and prints nothing', async () => {
    const email = uniqueEmail();
    const res = await server.api('POST', '/v1/magic-links', { email, send: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(await drain(server)).toBe(1);
    const [mail] = await smtp.waitFor(1);
    expect(mail?.to).toEqual([email]);
    expect(mail?.text).toContain(res.json().magic_link.url);
    expect(printed).toEqual([]);
  });

  it('sends the public sign-in by email, and refuses it by SMS, which has no transport', async () => {
    const res = await loginStart(server, { email: uniqueEmail() });
    expect(res.statusCode, res.body).toBe(202);
    expect(await drain(server)).toBe(1);
    await smtp.waitFor(2);
    expectRefused(await loginStart(server, { phone: '+14155550155' }), SMS_SETTINGS);
    expectRefused(
      await server.api('POST', '/v1/magic-links', { phone: '+14155550155', send: true }),
      SMS_SETTINGS,
    );
    expect(printed).toEqual([]);
  });
});
