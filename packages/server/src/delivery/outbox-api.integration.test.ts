/**
 * The attempt log and the outbox API against real mail servers on loopback (the SMTP sink, and the misbehaving
 * server for refusals), on each database: every send is logged with the server's answer, on the link and in
 * `GET /v1/outbox`; a message's content never shows; a failed message can be retried and arrives, and nothing
 * else can be retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import { type SmtpFault, startMisbehavingSmtp } from '../test-support/misbehaving-smtp.js';
import { type SmtpSink, startSmtpSink } from '../test-support/smtp-sink.js';
import {
  createOtherApp,
  startTestServer,
  type TestServer,
  uniqueEmail,
} from '../test-support/test-server.js';
import { OutboxWorker } from './outbox-worker.js';

const PASSWORD = 'S3cret-Pa55word!';

// biome-ignore lint/suspicious/noExplicitAny: the tests read response bodies loosely
type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // Newest first: the server (and its transport's pool) closes before the mail server it talks to.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanups.push(() => started.close());
  return started;
}

async function server(dialect: (typeof DIALECTS)[number], smtpUrl: string): Promise<TestServer> {
  const started = await startTestServer(dialect, { env: { LATCHKEY_SMTP_URL: smtpUrl } });
  cleanups.push(() => started.close());
  return started;
}

async function createSent(s: TestServer, body: Record<string, unknown> = {}): Promise<Json> {
  const res = await s.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().magic_link as Json;
}

async function get(s: TestServer, url: string, key?: string): Promise<Json> {
  const res = await s.api('GET', url, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

/** Moves the server's clock to just past the message's next attempt. */
function advanceTo(s: TestServer, message: Json): void {
  s.advance(Date.parse(message.next_attempt_at) - s.ctx.clock() + 1);
}

describe.each(DIALECTS)('the attempt log and the outbox API on %s', (dialect) => {
  it('logs a send with the server’s 250 line, on the link and in the outbox', async () => {
    const smtp = await sink();
    const s = await server(dialect, smtp.url);
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));
    expect(await worker.runOnce()).toBe(1);

    const read = await get(s, `/v1/magic-links/${link.id}`);
    const [delivery] = read.deliveries;
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, link_id: link.id, channel: 'email' });
    expect(delivery.attempt_log).toEqual([
      {
        attempt: 1,
        at: expect.any(String),
        ok: true,
        permanent: false,
        answer: '250 OK: message queued',
        duration_ms: expect.any(Number),
      },
    ]);
    expect(read.timeline.map((t: Json) => t.status)).toEqual(['created', 'queued', 'sent', 'delivered']);

    const listed = await get(s, `/v1/outbox?link_id=${link.id}`);
    expect(listed).toEqual({ data: [delivery], next_cursor: null });
    expect(await get(s, `/v1/outbox/${delivery.id}`)).toEqual(delivery);
  });

  it('logs a 451 and then the 550 that gives the message up, each with its answer, scrubbed', async () => {
    const faults: SmtpFault[] = [
      { at: 'RCPT TO', code: 451, text: '4.7.1 Greylisted, try again later' },
      {
        at: 'end of data',
        code: 550,
        // A filter that quotes the login and the link back: neither may reach the log.
        text: ({ body, login }) =>
          `5.7.1 Rejected for ${login}: blocked URL ${/https:\/\/\S+/.exec(body.replace(/=\r\n/g, ''))?.[0]}`,
      },
    ];
    const smtp = await startMisbehavingSmtp(faults);
    cleanups.push(() => smtp.close());
    const s = await server(dialect, `smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`);
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    expect(await worker.runOnce()).toBe(1);
    advanceTo(s, (await get(s, `/v1/magic-links/${link.id}`)).deliveries[0]);
    expect(await worker.runOnce()).toBe(1);

    const message = (await get(s, `/v1/outbox?link_id=${link.id}`)).data[0];
    expect(message).toMatchObject({ status: 'failed', attempts: 2 });
    const [first, second] = message.attempt_log;
    expect(first).toMatchObject({ attempt: 1, ok: false, permanent: false });
    expect(first.answer).toBe(
      `SMTP 127.0.0.1:${smtp.port} refused RCPT TO (temporary): 451 4.7.1 Greylisted, try again later`,
    );
    expect(second).toMatchObject({ attempt: 2, ok: false, permanent: true });
    expect(second.answer).toContain(
      'refused the message after DATA (permanent): 550 5.7.1 Rejected for mailer:',
    );
    // The last answer is what last_error has always said.
    expect(second.answer).toBe(message.last_error);
    const body = JSON.stringify(message);
    expect(body).not.toContain(PASSWORD);
    expect(body).not.toContain(link.secret);
    expect(body).not.toContain(link.secret.slice(0, 20));
  });

  it('lists messages newest first, filtered and paged, never with a payload or a token', async () => {
    const smtp = await sink({ reject: (rcpt) => (rcpt.startsWith('refused') ? 550 : undefined) });
    const s = await server(dialect, smtp.url);
    const links: Json[] = [];
    for (const body of [{}, { email: `refused-${uniqueEmail()}` }, {}]) {
      // A millisecond apart, so that "newest first" is one order (ids are ordered by time).
      s.advance(1);
      links.push(await createSent(s, body));
    }
    // A link made without send has no message; a webhook message is not one of these either.
    await s.api('POST', '/v1/magic-links', { email: uniqueEmail() });
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));
    expect(await worker.runOnce()).toBe(3);

    const all = await get(s, '/v1/outbox');
    expect(all.data.map((m: Json) => m.link_id)).toEqual(links.map((l) => l.id).reverse());
    expect(all.next_cursor).toBeNull();
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/payload/);
    for (const link of links) {
      expect(text).not.toContain(link.secret);
      expect(text).not.toContain(link.url);
    }

    expect((await get(s, '/v1/outbox?status=failed')).data.map((m: Json) => m.link_id)).toEqual([
      links[1]!.id,
    ]);
    expect((await get(s, '/v1/outbox?status=sent&channel=email')).data).toHaveLength(2);
    expect((await get(s, '/v1/outbox?channel=phone')).data).toEqual([]);
    const first = await get(s, '/v1/outbox?limit=2');
    expect(first.data).toHaveLength(2);
    const rest = await get(s, `/v1/outbox?limit=2&cursor=${first.next_cursor}`);
    expect(rest.data.map((m: Json) => m.link_id)).toEqual([links[0]!.id]);
    const future = new Date(s.ctx.clock() + 60_000).toISOString();
    expect((await get(s, `/v1/outbox?created_from=${future}`)).data).toEqual([]);

    // Another app sees none of them.
    const other = await createOtherApp(s);
    expect((await get(s, '/v1/outbox', other.key)).data).toEqual([]);
    const res = await s.api('GET', `/v1/outbox/${all.data[0].id}`, undefined, other.key);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await s.api('GET', '/v1/outbox?status=lost')).json().error.code).toBe('validation_failed');
  });

  it('retries a failed message: it is sent again and arrives, and a sent one is refused', async () => {
    let refuse = true;
    const smtp = await sink({ reject: () => (refuse ? 550 : undefined) });
    const s = await server(dialect, smtp.url);
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));
    expect(await worker.runOnce()).toBe(1);
    const failed = (await get(s, `/v1/outbox?link_id=${link.id}`)).data[0];
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await get(s, `/v1/magic-links/${link.id}`)).status).toBe('delivery_failed');

    refuse = false;
    const retried = await s.api('POST', `/v1/outbox/${failed.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ id: failed.id, status: 'pending', attempts: 1 });
    const events = await s.ctx.store.listEvents(
      s.appId,
      { type: 'magic_link.delivery_retried', subject_id: link.id },
      { limit: 5 },
    );
    expect(events.map((e) => JSON.parse(e.data))).toEqual([
      { magic_link_id: link.id, message_id: failed.id, channel: 'email', attempts: 1 },
    ]);

    expect(await worker.runOnce()).toBe(1);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.latchkeyId).toBe(failed.id);
    expect(mail!.text).toContain(link.url);
    const sent = await get(s, `/v1/outbox/${failed.id}`);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(sent.attempt_log.map((a: Json) => [a.attempt, a.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    const read = await get(s, `/v1/magic-links/${link.id}`);
    expect(read.status).toBe('delivered');

    const again = await s.api('POST', `/v1/outbox/${failed.id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'conflict' });
    expect(again.json().error.message).toMatch(/was sent at .*Only a message that was given up/);
    expect(
      await s.ctx.store.listEvents(s.appId, { type: 'magic_link.delivery_retried' }, { limit: 5 }),
    ).toHaveLength(1);

    const unknown = await s.api('POST', '/v1/outbox/msg_00000000000000000000000000/retry');
    expect(unknown.statusCode).toBe(404);
  });

  it('purges a message’s attempts with it, a week after its last change', async () => {
    const smtp = await sink();
    const s = await server(dialect, smtp.url);
    const link = await createSent(s);
    expect(await new OutboxWorker(s.ctx, deliveryChannels(s.ctx)).runOnce()).toBe(1);
    const message = (await get(s, `/v1/outbox?link_id=${link.id}`)).data[0];
    expect(await s.ctx.store.listOutboxAttempts(s.appId, [message.id])).toHaveLength(1);

    expect(await s.ctx.store.purgeOutbox(s.ctx.clock() + 6 * 24 * 3_600_000)).toBe(0);
    expect(await s.ctx.store.purgeOutbox(s.ctx.clock() + 8 * 24 * 3_600_000)).toBe(1);
    expect(await s.ctx.store.listOutboxAttempts(s.appId, [message.id])).toEqual([]);
    expect((await get(s, `/v1/magic-links/${link.id}`)).deliveries).toEqual([]);
  });

  it('refuses to retry a message whose link has expired or was revoked, and changes nothing', async () => {
    const smtp = await sink({ reject: () => 550 });
    const s = await server(dialect, smtp.url);
    const expiring = await createSent(s, { ttl: 5 });
    const revoked = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));
    expect(await worker.runOnce()).toBe(2);
    expect((await s.api('POST', `/v1/magic-links/${revoked.id}/revoke`)).statusCode).toBe(200);
    s.advance(6 * 60_000);

    for (const [link, words] of [
      [expiring, /expired at .*Create a new link/],
      [revoked, /was revoked.*Create a new link/],
    ] as const) {
      const message = (await get(s, `/v1/outbox?link_id=${link.id}`)).data[0];
      const res = await s.api('POST', `/v1/outbox/${message.id}/retry`);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('conflict');
      expect(res.json().error.message).toMatch(words);
      expect(await get(s, `/v1/outbox/${message.id}`)).toEqual(message);
    }
    expect(await worker.runOnce()).toBe(0);
  });
});
