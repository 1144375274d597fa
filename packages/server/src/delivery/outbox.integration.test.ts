/**
 * Delivery end to end in one process: a link created with `send: true` goes through the outbox and a real transport
 * (an SMTP server on loopback, a fake of Twilio's API, the log transport) and arrives with a link that signs in.
 * Every case runs on SQLite and on PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '../pages/languages.js';
import { deliveryChannels, startDelivery } from '../runtime.js';
import { openDatabase } from '../storage/database.js';
import type { LinkType } from '../storage/schema.js';
import { freePort } from '../test-support/cli-process.js';
import { DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { type FakeTwilio, startFakeTwilio } from '../test-support/fake-twilio.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';
import {
  createOtherApp,
  startTestServer,
  TEST_REDIRECT,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { OutboxWorker } from './outbox-worker.js';
import { defaultTemplate } from './templates/default-templates.js';
import { renderParts } from './templates/render.js';

const PUBLIC_URL = 'https://auth.example.com';
const SMTP_FROM = 'Acme Sign-in <login@acme.example>';
const LINK_IN_TEXT = /https:\/\/auth\.example\.com\/l\/[A-Za-z0-9_-]{49}/;

// biome-ignore lint/suspicious/noExplicitAny: the tests read response bodies loosely
type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // Newest first: the worker stops before its server closes, and the server before the mail server it talks to.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanups.push(() => started.close());
  return started;
}

async function fakeTwilio(): Promise<FakeTwilio> {
  const started = await startFakeTwilio();
  cleanups.push(() => started.close());
  return started;
}

async function server(dialect: (typeof DIALECTS)[number], env: Record<string, string> = {}) {
  const started = await startTestServer(dialect, { env: { LATCHKEY_PUBLIC_URL: PUBLIC_URL, ...env } });
  cleanups.push(() => started.close());
  return started;
}

/** The server's outbox worker, running in the background as `latchkey start` runs it. */
function runWorker(s: TestServer): void {
  const stop = startDelivery(s.ctx, { pollMs: 50 });
  cleanups.push(stop);
}

/** One pass of a worker: claims what is due and sends it. */
function worker(s: TestServer): OutboxWorker {
  return new OutboxWorker(s.ctx, deliveryChannels(s.ctx), { pollMs: 50 });
}

async function createSent(s: TestServer, body: Record<string, unknown>, key?: string): Promise<Json> {
  const res = await s.api('POST', '/v1/magic-links', { send: true, ...body }, key);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().magic_link as Json;
}

async function readLink(s: TestServer, id: string): Promise<Json> {
  const res = await s.api('GET', `/v1/magic-links/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function appName(s: TestServer): Promise<string> {
  const res = await s.api('GET', `/v1/apps/${s.appId}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Json).name as string;
}

function expectedSubject(type: LinkType, language: Language, name: string): string {
  return renderParts(defaultTemplate(type, language), {
    app_name: name,
    link_url: `${PUBLIC_URL}/l/x`,
    expires_in: '15 minutes',
    identifier: 'jane@example.com',
    is_email: true,
    is_phone: false,
  }).subject;
}

async function events(s: TestServer, type: string, linkId: string) {
  return s.ctx.store.listEvents(s.appId, { type, subject_id: linkId }, { limit: 50 });
}

/** The outbox rows as stored, payload included, read through a connection of the test's own. */
async function storedOutbox(s: TestServer) {
  const handle = openDatabase(s.db.target);
  try {
    return await handle.db.selectFrom('outbox').selectAll().execute();
  } finally {
    await handle.close();
  }
}

async function storedLinkCount(s: TestServer): Promise<number> {
  const handle = openDatabase(s.db.target);
  try {
    const rows = await handle.db.selectFrom('magic_links').select('id').execute();
    return rows.length;
  } finally {
    await handle.close();
  }
}

describe.each(DIALECTS)('outbox delivery on %s', (dialect) => {
  it('answers at once, then mails both parts in German with a link that signs the person in', async () => {
    const smtp = await sink();
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_SMTP_FROM: SMTP_FROM });
    const email = uniqueEmail();

    const link = await createSent(s, { email, language: 'de' });

    // Queued, not sent: the request did not wait for the mail server.
    const queued = await readLink(s, link.id);
    expect(queued.status).toBe('created');
    expect(queued.deliveries).toHaveLength(1);
    expect(queued.deliveries[0]).toMatchObject({ channel: 'email', status: 'pending', attempts: 0 });
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.stats.connections).toBe(0);

    expect(await worker(s).runOnce()).toBe(1);

    const [mail] = await smtp.waitFor(1);
    expect(smtp.messages).toHaveLength(1);
    expect(mail!.to).toEqual([email]);
    expect(mail!.from).toEqual({ address: 'login@acme.example', name: 'Acme Sign-in' });
    expect(mail!.envelopeFrom).toBe('login@acme.example');
    expect(mail!.subject).toBe(expectedSubject('login', 'de', await appName(s)));
    expect(mail!.subject).toContain('anmelden');
    expect(mail!.text.trim().length).toBeGreaterThan(0);
    expect(mail!.html).toMatch(/<html[\s>]/i);
    expect(mail!.latchkeyId).toBe(queued.deliveries[0].id);

    const sentLink = mail!.text.match(LINK_IN_TEXT)?.[0];
    expect(sentLink).toBe(link.url);
    expect(mail!.html).toContain(sentLink);

    // The mail server answered 250 to the message: the link is delivered, not only sent.
    const sent = await readLink(s, link.id);
    expect(sent.status).toBe('delivered');
    expect(sent.timeline.map((t: Json) => t.status)).toEqual(['created', 'queued', 'sent', 'delivered']);
    expect(await events(s, 'magic_link.delivered', link.id)).toHaveLength(1);
    expect(sent.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(sent.deliveries[0].sent_at).toEqual(expect.any(String));
    const sentEvents = await events(s, 'magic_link.sent', link.id);
    expect(sentEvents).toHaveLength(1);
    expect(JSON.parse(sentEvents[0]!.data)).toMatchObject({ magic_link_id: link.id, channel: 'email' });

    // The outbox never holds the link in clear, and the API never shows it.
    const token = new URL(sentLink!).pathname.split('/').pop()!;
    const rows = await storedOutbox(s);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).not.toContain(token);
    expect(rows[0]!.payload).not.toContain('/l/');
    expect(JSON.stringify(sent)).not.toContain(token);

    // The mailed link signs the person in.
    const pressed = await s.app.inject({ method: 'POST', url: `/l/${token}` });
    expect(pressed.statusCode).toBe(303);
    const location = new URL(pressed.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(TEST_REDIRECT);
    const code = location.searchParams.get('lk_code');
    expect(code).toBeTruthy();
    const exchanged = await s.api('POST', '/v1/sessions/exchange', { code });
    expect(exchanged.statusCode, exchanged.body).toBe(200);
    expect(exchanged.json()).toMatchObject({
      user: { id: link.user_id, email },
      session: { token: expect.any(String), refresh_token: expect.any(String) },
    });
  });

  it("writes the subject in the link's language, else in the app's default language", async () => {
    const smtp = await sink();
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url });
    const name = await appName(s);
    const languages: Language[] = ['en', 'es', 'fr', 'zh'];
    const recipients = new Map<string, Language>();
    for (const language of languages) {
      const email = uniqueEmail();
      recipients.set(email, language);
      await createSent(s, { email, language });
    }

    expect(await worker(s).runOnce()).toBe(languages.length);
    const mails = await smtp.waitFor(languages.length);

    const subjects = new Map(mails.map((mail) => [recipients.get(mail.to[0]!)!, mail.subject]));
    for (const language of languages) {
      expect(subjects.get(language), language).toBe(expectedSubject('login', language, name));
    }
    expect(new Set(subjects.values()).size).toBe(languages.length);
    expect(subjects.get('en')).toContain('Sign in');

    const patched = await s.api('PATCH', `/v1/apps/${s.appId}`, { default_language: 'fr' });
    expect(patched.statusCode, patched.body).toBe(200);
    const email = uniqueEmail();
    await createSent(s, { email });
    expect(await worker(s).runOnce()).toBe(1);
    const [, , , , french] = await smtp.waitFor(5);
    expect(french!.to).toEqual([email]);
    expect(french!.subject).toBe(expectedSubject('login', 'fr', name));
    expect(french!.subject).not.toBe(expectedSubject('login', 'en', name));
  });

  it('retries while the mail server is down and delivers once when it comes back', async () => {
    const port = await freePort();
    const s = await server(dialect, {
      LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}`,
      LATCHKEY_DELIVERY_RETRY_SECONDS: '0.05',
    });
    const link = await createSent(s, { email: uniqueEmail() });
    const passes = worker(s);

    let attempts = 0;
    await eventually(
      'three failed attempts',
      async () => {
        await passes.runOnce();
        attempts = (await readLink(s, link.id)).deliveries[0].attempts;
        return attempts >= 3 ? true : undefined;
      },
      20_000,
    );

    const down = await readLink(s, link.id);
    expect(down.status).toBe('created');
    expect(down.deliveries[0]).toMatchObject({ status: 'pending', attempts: 3 });
    expect(down.deliveries[0].last_error).toMatch(/ECONNREFUSED/);
    expect(down.deliveries[0].last_error).toContain(`127.0.0.1:${port}`);
    expect(down.deliveries[0].next_attempt_at).toEqual(expect.any(String));
    expect(await events(s, 'magic_link.sent', link.id)).toEqual([]);
    expect(await events(s, 'magic_link.delivery_failed', link.id)).toEqual([]);

    const smtp = await sink({ port });
    runWorker(s);
    const [mail] = await smtp.waitFor(1, 20_000);
    expect(mail!.text).toContain(link.url);
    await eventually('the link to be sent', async () =>
      (await readLink(s, link.id)).status === 'delivered' ? true : undefined,
    );
    await sleep(500);
    expect(smtp.messages).toHaveLength(1);
    const up = await readLink(s, link.id);
    expect(up.deliveries[0]).toMatchObject({ status: 'sent', attempts: 4, last_error: null });
    expect(await events(s, 'magic_link.sent', link.id)).toHaveLength(1);
  }, 60_000);

  it('gives a message up at once when the mail server refuses the recipient for good (550)', async () => {
    const smtp = await sink({ reject: () => 550 });
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url });
    const link = await createSent(s, { email: uniqueEmail() });

    expect(await worker(s).runOnce()).toBe(1);

    const failed = await readLink(s, link.id);
    expect(failed.status).toBe('delivery_failed');
    expect(failed.timeline.map((t: Json) => t.status)).toEqual(['created', 'queued', 'delivery_failed']);
    expect(failed.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, next_attempt_at: null });
    expect(failed.deliveries[0].last_error).toMatch(/550/);
    const failures = await events(s, 'magic_link.delivery_failed', link.id);
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!.data)).toMatchObject({ magic_link_id: link.id, permanent: true });
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.stats.rcptRefused).toBe(1);

    // Given up: later passes do not try again.
    expect(await worker(s).runOnce()).toBe(0);
    expect(smtp.stats.rcptRefused).toBe(1);
  });

  it('gives a message up after exactly LATCHKEY_DELIVERY_MAX_ATTEMPTS temporary refusals (451)', async () => {
    const smtp = await sink({ reject: () => 451 });
    const s = await server(dialect, {
      LATCHKEY_SMTP_URL: smtp.url,
      LATCHKEY_DELIVERY_MAX_ATTEMPTS: '3',
      LATCHKEY_DELIVERY_RETRY_SECONDS: '0.05',
    });
    const link = await createSent(s, { email: uniqueEmail() });
    runWorker(s);

    const failed = await eventually(
      'the link to fail delivery',
      async () => {
        const read = await readLink(s, link.id);
        return read.status === 'delivery_failed' ? read : undefined;
      },
      20_000,
    );
    expect(failed.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.deliveries[0].last_error).toMatch(/451/);
    await sleep(500);
    expect(smtp.stats.rcptRefused).toBe(3);
    expect(smtp.messages).toHaveLength(0);
    const failures = await events(s, 'magic_link.delivery_failed', link.id);
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!.data)).toMatchObject({ attempt: 3, permanent: false });
  }, 60_000);

  it('sends an SMS with the link through a Twilio-compatible API, retrying a 500', async () => {
    const twilio = await fakeTwilio();
    const s = await server(dialect, {
      LATCHKEY_TWILIO_ACCOUNT_SID: twilio.accountSid,
      LATCHKEY_TWILIO_AUTH_TOKEN: twilio.authToken,
      LATCHKEY_TWILIO_FROM: '+14155550100',
      LATCHKEY_TWILIO_BASE_URL: twilio.baseUrl,
      LATCHKEY_DELIVERY_RETRY_SECONDS: '0.05',
    });

    const link = await createSent(s, { phone: '+14155550123' });
    expect(await worker(s).runOnce()).toBe(1);

    const [sms] = await twilio.waitFor(1);
    expect(sms).toMatchObject({ to: '+14155550123', from: '+14155550100' });
    expect(sms!.body).toContain(link.url);
    // Twilio queued it; only its delivery report could say more, and those are not read: the link stays `sent`.
    expect((await readLink(s, link.id)).status).toBe('sent');
    expect(await events(s, 'magic_link.delivered', link.id)).toEqual([]);

    twilio.failNext(2, 500);
    const second = await createSent(s, { phone: '+14155550199' });
    runWorker(s);
    const messages = await twilio.waitFor(2, 20_000);
    expect(messages[1]).toMatchObject({ to: '+14155550199', from: '+14155550100' });
    expect(messages[1]!.body).toContain(second.url);
    expect(twilio.requests.filter((r) => r.status === 500)).toHaveLength(2);
    const read = await eventually('the SMS to be recorded as sent', async () => {
      const current = await readLink(s, second.id);
      return current.status === 'sent' ? current : undefined;
    });
    expect(read.deliveries[0]).toMatchObject({ channel: 'phone', status: 'sent', attempts: 3 });
    await sleep(300);
    expect(twilio.messages).toHaveLength(2);
  }, 60_000);

  it('refuses send: true with a user_id but no channel, and stores nothing', async () => {
    const s = await server(dialect);
    const user = await s.api('POST', '/v1/users', { email: uniqueEmail(), phone: '+14155550123' });
    expect(user.statusCode, user.body).toBe(201);
    const userId = (user.json() as Json).id as string;
    const linksBefore = await storedLinkCount(s);

    const res = await s.api('POST', '/v1/magic-links', { user_id: userId, send: true });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed', param: 'channel' } });
    expect(await storedLinkCount(s)).toBe(linksBefore);
    expect(await storedOutbox(s)).toEqual([]);
    const listed = await s.api('GET', `/v1/magic-links?user_id=${userId}`);
    expect(listed.json()).toMatchObject({ data: [] });

    const withChannel = await createSent(s, { user_id: userId, channel: 'phone' });
    const rows = await storedOutbox(s);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ link_id: withChannel.id, channel: 'phone', recipient: '+14155550123' });
  });

  it('shows log-transport messages in the dev outbox, each only to its own app', async () => {
    const s = await server(dialect);
    const other = await createOtherApp(s);
    const email = uniqueEmail();
    const link = await createSent(s, { email });
    const otherLink = await createSent(s, { email: uniqueEmail() }, other.key);

    expect(await worker(s).runOnce()).toBe(2);

    const mine = await s.api('GET', '/v1/dev/outbox');
    expect(mine.statusCode, mine.body).toBe(200);
    const data = (mine.json() as Json).data as Json[];
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ app_id: s.appId, channel: 'email', to: email });
    expect(data[0]!.text).toContain(link.url);
    expect(JSON.stringify(data)).not.toContain(otherLink.url);
    expect((await readLink(s, link.id)).status).toBe('sent');

    const theirs = await s.api('GET', '/v1/dev/outbox', undefined, other.key);
    expect(theirs.statusCode).toBe(200);
    const theirData = (theirs.json() as Json).data as Json[];
    expect(theirData).toHaveLength(1);
    expect(theirData[0]!.text).toContain(otherLink.url);
    expect(JSON.stringify(theirData)).not.toContain(link.url);
  });

  it('shows another app an empty dev outbox', async () => {
    const s = await server(dialect);
    const other = await createOtherApp(s);
    await createSent(s, { email: uniqueEmail() });
    expect(await worker(s).runOnce()).toBe(1);

    const theirs = await s.api('GET', '/v1/dev/outbox', undefined, other.key);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json()).toEqual({ data: [], next_cursor: null });
  });

  it('has no dev outbox when SMTP is configured', async () => {
    const smtp = await sink();
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url });
    await createSent(s, { email: uniqueEmail() });
    expect(await worker(s).runOnce()).toBe(1);
    await smtp.waitFor(1);

    const res = await s.api('GET', '/v1/dev/outbox');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('has no dev outbox when both SMTP and an SMS provider are configured', async () => {
    const smtp = await sink();
    const twilio = await fakeTwilio();
    const s = await server(dialect, {
      LATCHKEY_SMTP_URL: smtp.url,
      LATCHKEY_TWILIO_ACCOUNT_SID: twilio.accountSid,
      LATCHKEY_TWILIO_AUTH_TOKEN: twilio.authToken,
      LATCHKEY_TWILIO_FROM: '+14155550100',
      LATCHKEY_TWILIO_BASE_URL: twilio.baseUrl,
    });
    await createSent(s, { email: uniqueEmail() });
    await createSent(s, { phone: '+14155550123' });
    expect(await worker(s).runOnce()).toBe(2);
    await smtp.waitFor(1);
    await twilio.waitFor(1);

    const res = await s.api('GET', '/v1/dev/outbox');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
