/**
 * The outbox against a mail server that misbehaves: a link created with `send: true`, a real test server whose
 * LATCHKEY_SMTP_URL points at an SMTP server on loopback that drops the connection in the middle of DATA or before
 * its reply, stalls, or answers 4xx and then 5xx. The worker is driven pass by pass and the server's clock moved to
 * each retry, so backoff is seen without waiting for it. Every case runs on SQLite and on PostgreSQL.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { deliveryChannels } from '../runtime.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  type MisbehavingSmtp,
  type SmtpFault,
  startMisbehavingSmtp,
} from '../test-support/misbehaving-smtp.js';
import { startTestServer, type TestServer, uniqueEmail } from '../test-support/test-server.js';
import { OutboxWorker } from './outbox-worker.js';

const PASSWORD = 'S3cret-Pa55word!';
/** The first retry waits about this long (LATCHKEY_DELIVERY_RETRY_SECONDS's default), then twice as long, … */
const RETRY_BASE_MS = 5_000;

// biome-ignore lint/suspicious/noExplicitAny: the tests read response bodies loosely
type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // Newest first: the server (and its transport's pool) closes before the mail server it talks to.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function badSmtp(faults: SmtpFault[]): Promise<MisbehavingSmtp> {
  const started = await startMisbehavingSmtp(faults);
  cleanups.push(() => started.close());
  return started;
}

async function server(dialect: (typeof DIALECTS)[number], env: Record<string, string>): Promise<TestServer> {
  const started = await startTestServer(dialect, { env });
  cleanups.push(() => started.close());
  return started;
}

async function createSent(s: TestServer): Promise<Json> {
  const res = await s.api('POST', '/v1/magic-links', { email: uniqueEmail(), send: true });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().magic_link as Json;
}

async function readLink(s: TestServer, id: string): Promise<Json> {
  const res = await s.api('GET', `/v1/magic-links/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

async function events(s: TestServer, type: string, linkId: string): Promise<Json[]> {
  const rows = await s.ctx.store.listEvents(s.appId, { type, subject_id: linkId }, { limit: 50 });
  return rows.map((row) => JSON.parse(row.data) as Json);
}

/** One pass of the worker, with the server's clock before and after it (the failure is stamped in between). */
async function pass(
  s: TestServer,
  worker: OutboxWorker,
): Promise<{ claimed: number; from: number; to: number }> {
  const from = s.ctx.clock();
  const claimed = await worker.runOnce();
  return { claimed, from, to: s.ctx.clock() };
}

/** Moves the server's clock to just past the delivery's next attempt. */
function advanceTo(s: TestServer, delivery: Json): void {
  s.advance(Date.parse(delivery.next_attempt_at) - s.ctx.clock() + 1);
}

/** The wait before the retry after attempt `attempt`: half to all of base · 2^(attempt-1), by the worker's jitter. */
function expectBackoff(delivery: Json, attempt: number, at: { from: number; to: number }): void {
  const ceiling = RETRY_BASE_MS * 2 ** (attempt - 1);
  const next = Date.parse(delivery.next_attempt_at);
  expect(next - at.to).toBeLessThanOrEqual(ceiling);
  expect(next - at.from).toBeGreaterThanOrEqual(ceiling / 2);
}

function tokenOf(link: Json): string {
  return new URL(link.url as string).pathname.split('/').pop()!;
}

describe.each(DIALECTS)('outbox against a misbehaving SMTP server on %s', (dialect) => {
  it('retries a connection dropped in the middle of DATA with growing backoff, and delivers once it behaves', async () => {
    const smtp = await badSmtp(['drop-in-data', 'drop-in-data']);
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url });
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    const first = await pass(s, worker);
    expect(first.claimed).toBe(1);
    const afterFirst = (await readLink(s, link.id)).deliveries[0];
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1 });
    expect(afterFirst.last_error).toContain(`127.0.0.1:${smtp.port}`);
    expect(afterFirst.last_error).toMatch(
      /closed the connection before confirming the message \(no 250 reply/,
    );
    expectBackoff(afterFirst, 1, first);
    // Not due yet: a pass now sends nothing.
    expect(await worker.runOnce()).toBe(0);

    advanceTo(s, afterFirst);
    const second = await pass(s, worker);
    expect(second.claimed).toBe(1);
    const afterSecond = (await readLink(s, link.id)).deliveries[0];
    expect(afterSecond).toMatchObject({ status: 'pending', attempts: 2 });
    expectBackoff(afterSecond, 2, second);
    expect(Date.parse(afterSecond.next_attempt_at)).toBeGreaterThan(Date.parse(afterFirst.next_attempt_at));
    expect(await events(s, 'magic_link.delivery_failed', link.id)).toEqual([]);

    advanceTo(s, afterSecond);
    expect(await worker.runOnce()).toBe(1);
    const sent = await readLink(s, link.id);
    expect(sent.status).toBe('delivered');
    expect(sent.deliveries[0]).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(await events(s, 'magic_link.sent', link.id)).toHaveLength(1);
    // The two cut-off copies never reached their end: the person gets the message once.
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toContain(tokenOf(link).slice(0, 20));
  });

  it('sends a message again when the connection dropped after DATA but before the 250: it arrives twice', async () => {
    const smtp = await badSmtp(['drop-after-data']);
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url });
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    expect(await worker.runOnce()).toBe(1);
    const failed = (await readLink(s, link.id)).deliveries[0];
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/no 250 reply/);

    advanceTo(s, failed);
    expect(await worker.runOnce()).toBe(1);
    expect((await readLink(s, link.id)).status).toBe('delivered');
    // The server had taken the first copy; nothing told the sender so. Same Message-ID both times.
    expect(smtp.received).toHaveLength(2);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(1);
    expect(smtp.accepted()).toHaveLength(1);
  });

  it('gives up on a stalling server after its timeouts, without hanging, and delivers when it answers', async () => {
    const smtp = await badSmtp(['stall-greeting', 'stall-after-data']);
    // nodemailer reads these from the URL, so an operator can set them the same way.
    const s = await server(dialect, {
      LATCHKEY_SMTP_URL: `${smtp.url}?greetingTimeout=300&socketTimeout=600`,
    });
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    let started = Date.now();
    expect(await worker.runOnce()).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
    const noGreeting = (await readLink(s, link.id)).deliveries[0];
    expect(noGreeting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(noGreeting.last_error).toContain(
      `connected to 127.0.0.1:${smtp.port}, but no greeting came within 0.3 s (greetingTimeout)`,
    );
    // The transport hung up: no connection is left to the stalled server.
    await smtp.waitForNoSockets(3_000);

    advanceTo(s, noGreeting);
    started = Date.now();
    expect(await worker.runOnce()).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
    const noReply = (await readLink(s, link.id)).deliveries[0];
    expect(noReply).toMatchObject({ status: 'pending', attempts: 2 });
    expect(noReply.last_error).toMatch(/went silent for 0\.6 s \(socketTimeout\) .*no 250 reply/);
    await smtp.waitForNoSockets(3_000);

    advanceTo(s, noReply);
    expect(await worker.runOnce()).toBe(1);
    expect((await readLink(s, link.id)).status).toBe('delivered');
    // The stalled server had read the whole message before it fell silent: that copy may be delivered too.
    expect(smtp.received).toHaveLength(2);
    expect(smtp.accepted()).toHaveLength(1);
  }, 10_000);

  it('retries a 451, then records the 550 that follows as delivery_failed, without the link or the password', async () => {
    const smtp = await badSmtp([
      { at: 'end of data', code: 451, text: '4.3.0 Queue full, try again later' },
      {
        at: 'end of data',
        code: 550,
        // A content filter that quotes the login it was given and the link it found in the (decoded) body.
        text: ({ body, login }) =>
          `5.7.1 Rejected for ${login}: blocked URL ${/https:\/\/\S+/.exec(body.replace(/=\r\n/g, ''))?.[0]}`,
      },
    ]);
    const s = await server(dialect, {
      LATCHKEY_SMTP_URL: `smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`,
    });
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    expect(await worker.runOnce()).toBe(1);
    const deferred = (await readLink(s, link.id)).deliveries[0];
    expect(deferred).toMatchObject({ status: 'pending', attempts: 1 });
    expect(deferred.last_error).toContain(
      `SMTP 127.0.0.1:${smtp.port} refused the message after DATA (temporary): 451 4.3.0 Queue full, try again later`,
    );

    advanceTo(s, deferred);
    expect(await worker.runOnce()).toBe(1);
    const failed = await readLink(s, link.id);
    expect(failed.status).toBe('delivery_failed');
    expect(failed.deliveries[0]).toMatchObject({ status: 'failed', attempts: 2, next_attempt_at: null });
    const lastError = failed.deliveries[0].last_error as string;
    expect(lastError).toContain('refused the message after DATA (permanent): 550 5.7.1 Rejected for mailer:');
    // The reply is kept up to where it quotes what was sent.
    expect(lastError).toMatch(/blocked URL \[(link|quoted message) removed\]$/);

    // The same text in the outbox row and in the event, and the secrets in none of them.
    const [row] = await s.ctx.store.listOutboxForLink(s.appId, link.id);
    expect(row!.last_error).toBe(lastError);
    const [event] = await events(s, 'magic_link.delivery_failed', link.id);
    expect(event).toMatchObject({ attempt: 2, permanent: true, reason: lastError });
    expect(smtp.logins).toContain(`mailer:${PASSWORD}`);
    for (const text of [lastError, JSON.stringify(event)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(link.url);
      expect(text).not.toContain(tokenOf(link));
    }

    // Given up: however late, no pass tries again.
    s.advance(24 * 60 * 60 * 1000);
    expect(await worker.runOnce()).toBe(0);
    expect(smtp.stats.transactions).toBe(2);
  });

  it('after max attempts of only 4xx answers, fails with the last 4xx recorded', async () => {
    const smtp = await badSmtp([
      { at: 'RCPT TO', code: 451, text: '4.7.1 Greylisted, first try' },
      { at: 'end of data', code: 421, text: '4.3.2 Too busy, second try' },
      { at: 'RCPT TO', code: 452, text: '4.2.2 Mailbox full, third try' },
    ]);
    const s = await server(dialect, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_DELIVERY_MAX_ATTEMPTS: '3' });
    const link = await createSent(s);
    const worker = new OutboxWorker(s.ctx, deliveryChannels(s.ctx));

    const seen: string[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await worker.runOnce()).toBe(1);
      const delivery = (await readLink(s, link.id)).deliveries[0];
      expect(delivery).toMatchObject({ status: 'pending', attempts: attempt });
      seen.push(delivery.last_error);
      advanceTo(s, delivery);
    }
    expect(seen[0]).toContain('refused RCPT TO (temporary): 451 4.7.1 Greylisted, first try');
    expect(seen[1]).toContain('refused the message after DATA (temporary): 421 4.3.2 Too busy, second try');

    expect(await worker.runOnce()).toBe(1);
    const failed = await readLink(s, link.id);
    expect(failed.status).toBe('delivery_failed');
    expect(failed.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(failed.deliveries[0].last_error).toBe(
      `SMTP 127.0.0.1:${smtp.port} refused RCPT TO (temporary): 452 4.2.2 Mailbox full, third try`,
    );
    const failures = await events(s, 'magic_link.delivery_failed', link.id);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      attempt: 3,
      permanent: false,
      reason: failed.deliveries[0].last_error,
    });

    s.advance(24 * 60 * 60 * 1000);
    expect(await worker.runOnce()).toBe(0);
    expect(smtp.stats.transactions).toBe(3);
    expect(smtp.accepted()).toHaveLength(0);
  });
});
