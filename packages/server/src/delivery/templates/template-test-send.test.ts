/**
 * "Send a test to me": the template (or a draft) rendered as the preview renders it, sent now through the real
 * transport (a real SMTP server and a Twilio stand-in on loopback), the transport's answer passed on, its failures
 * as 502/503 with their own codes; refused in production without a transport; limited per app; nothing stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryChannels } from '../../runtime.js';
import { asOperator, signInOperator } from '../../test-support/dashboard.js';
import { DIALECTS } from '../../test-support/databases.js';
import { type FakeTwilio, startFakeTwilio } from '../../test-support/fake-twilio.js';
import { type SmtpSink, startSmtpSink } from '../../test-support/smtp-sink.js';
import { createOtherApp, startTestServer, type TestServer } from '../../test-support/test-server.js';
import { OutboxWorker } from '../outbox-worker.js';
import { SAMPLE_TOKEN } from './template-service.js';
import { TEST_SENDS_PER_APP } from './template-test-send.js';

const TEST_URL = '/v1/templates/login/en/test';

/** Moves the server's clock to just after the start of a rate-limit window, so a test has the whole allowance. */
function freshWindow(server: TestServer): void {
  const window = TEST_SENDS_PER_APP.windowSeconds * 1000;
  server.advance(window - (server.ctx.clock() % window) + 50);
}

async function outboxRows(server: TestServer): Promise<number> {
  const worker = new OutboxWorker(server.ctx, deliveryChannels(server.ctx));
  return worker.runOnce(100);
}

describe.each(DIALECTS)('template test messages on %s (production, SMTP and SMS configured)', (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let twilio: FakeTwilio;

  beforeAll(async () => {
    sink = await startSmtpSink({ reject: (rcpt) => (rcpt.startsWith('bounce') ? 550 : undefined) });
    twilio = await startFakeTwilio();
    server = await startTestServer(dialect, {
      env: {
        NODE_ENV: 'production',
        LATCHKEY_SMTP_URL: sink.url,
        LATCHKEY_SMTP_FROM: 'Acme Sign-in <signin@acme.example>',
        LATCHKEY_TWILIO_ACCOUNT_SID: twilio.accountSid,
        LATCHKEY_TWILIO_AUTH_TOKEN: twilio.authToken,
        LATCHKEY_TWILIO_FROM: '+14155550100',
        LATCHKEY_TWILIO_BASE_URL: twilio.baseUrl,
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await sink.close();
    await twilio.close();
  });
  beforeEach(() => freshWindow(server));

  it('sends the saved template with sample values to the address now and answers what the server said', async () => {
    const res = await server.api('POST', TEST_URL, { to: 'Ada@Example.com', code: true });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({
      sent: true,
      channel: 'email',
      to: 'ada@example.com',
      transport: 'smtp',
      answer: { accepted: true, detail: expect.stringContaining('250') },
    });
    expect(answer.message_id).toMatch(/^msg_[0-9a-z]{26}$/);
    // Sent before the answer: the person waits for it, so it is already there.
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages.pop()!;
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.from).toEqual({ address: 'signin@acme.example', name: 'Acme Sign-in' });
    expect(mail.latchkeyId).toBe(answer.message_id);
    expect(mail.text).toContain(`https://auth.example.com/l/${SAMPLE_TOKEN}`);
    expect(mail.text).toContain('7KQ4-MZ');
    // Not through the outbox: nothing is queued or stored for it.
    expect(await outboxRows(server)).toBe(0);
  });

  it('sends a draft without saving it, and refuses a broken draft before sending or counting anything', async () => {
    const res = await server.api('POST', TEST_URL, {
      to: 'ada@example.com',
      subject: 'Draft for {{app_name}}',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(sink.messages.pop()?.subject).toMatch(/^Draft for /);
    const template = (await server.api('GET', '/v1/templates/login/en')).json();
    expect(template.overridden.subject).toBe(false);

    for (let i = 0; i < TEST_SENDS_PER_APP.limit + 1; i++) {
      const broken = await server.api('POST', TEST_URL, { to: 'ada@example.com', text: 'no link here' });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().error).toMatchObject({ code: 'validation_failed', param: 'text' });
    }
    for (const to of ['nobody', 'ada@', '+1 555', '']) {
      const res = await server.api('POST', TEST_URL, { to });
      expect(res.statusCode, to).toBe(400);
      expect(res.json().error.param).toBe('to');
    }
    expect(
      (await server.api('POST', '/v1/templates/nope/en/test', { to: 'ada@example.com' })).statusCode,
    ).toBe(400);
    expect(sink.messages).toEqual([]);
    // Four sends of the allowance are left: the refusals above did not count.
    expect((await server.api('POST', TEST_URL, { to: 'ada@example.com' })).statusCode).toBe(200);
    sink.messages.length = 0;
  });

  it('sends the SMS to a phone number', async () => {
    const res = await server.api('POST', '/v1/templates/invite/de/test', { to: '+1 (415) 555-0123' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ channel: 'phone', to: '+14155550123', transport: 'twilio' });
    const [sms] = await twilio.waitFor(1);
    expect(sms!.to).toBe('+14155550123');
    expect(sms!.body).toContain(`/l/${SAMPLE_TOKEN}`);
  });

  it('answers a refused message with 502 transport_refused quoting the server', async () => {
    const res = await server.api('POST', TEST_URL, { to: 'bounce@example.com' });
    expect(res.statusCode, res.body).toBe(502);
    expect(res.json().error.code).toBe('transport_refused');
    expect(res.json().error.message).toContain('550');

    twilio.failNext(1, 500);
    const sms = await server.api('POST', TEST_URL, { to: '+14155550123' });
    expect(sms.statusCode, sms.body).toBe(503);
    expect(sms.json().error.code).toBe('transport_unavailable');
  });

  it('allows a few a minute per app, then 429 with Retry-After; other apps keep theirs', async () => {
    for (let i = 0; i < TEST_SENDS_PER_APP.limit; i++) {
      expect((await server.api('POST', TEST_URL, { to: 'ada@example.com' })).statusCode).toBe(200);
    }
    const refused = await server.api('POST', TEST_URL, { to: 'ada@example.com' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(sink.messages).toHaveLength(TEST_SENDS_PER_APP.limit);
    sink.messages.length = 0;
    const hits = await server.ctx.store.listEvents(server.appId, { type: 'rate_limit.hit' }, { limit: 5 });
    expect(JSON.parse(hits[0]!.data)).toMatchObject({
      bucket: 'template_test',
      limit: TEST_SENDS_PER_APP.limit,
    });

    const other = await createOtherApp(server);
    const theirs = await server.api('POST', TEST_URL, { to: 'ada@example.com' }, other.key);
    expect(theirs.statusCode, theirs.body).toBe(200);
    sink.messages.length = 0;
    freshWindow(server);
    expect((await server.api('POST', TEST_URL, { to: 'ada@example.com' })).statusCode).toBe(200);
    sink.messages.length = 0;
  });
});

describe('template test messages without a transport', () => {
  it('are refused in production with delivery_not_configured, printing nothing', async () => {
    const printed: string[] = [];
    const server = await startTestServer('sqlite', {
      env: { NODE_ENV: 'production' },
      print: (line) => printed.push(line),
    });
    try {
      for (const to of ['ada@example.com', '+14155550123']) {
        const res = await server.api('POST', TEST_URL, { to });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().error).toMatchObject({ code: 'delivery_not_configured', param: 'to' });
      }
      expect(printed).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('answer 503 transport_unavailable when the mail server cannot be reached', async () => {
    const gone = await startSmtpSink();
    await gone.close();
    const server = await startTestServer('sqlite', { env: { LATCHKEY_SMTP_URL: gone.url } });
    try {
      const res = await server.api('POST', TEST_URL, { to: 'ada@example.com' });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error.code).toBe('transport_unavailable');
      expect(res.json().error.message).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await server.close();
    }
  });
});

describe('template test messages on a development server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server.close());

  it('prints the message and says nothing was really sent', async () => {
    const res = await server.api('POST', TEST_URL, { to: 'ada@example.com' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ transport: 'log', answer: { accepted: false } });
    expect(res.json().answer.detail).toContain('nothing was really sent');
    const outbox = (await server.api('GET', '/v1/dev/outbox')).json().data;
    expect(outbox[0]).toMatchObject({ id: res.json().message_id, to: 'ada@example.com' });
  });

  it("takes the dashboard's configure permission", async () => {
    freshWindow(server);
    const admin = await signInOperator(server, 'admin');
    const allowed = await asOperator(server, admin, 'POST', `/dashboard/api${TEST_URL}`, { to: admin.email });
    expect(allowed.statusCode, allowed.body).toBe(200);
    const operator = await signInOperator(server, 'operator');
    const refused = await asOperator(server, operator, 'POST', `/dashboard/api${TEST_URL}`, {
      to: operator.email,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
  });
});
