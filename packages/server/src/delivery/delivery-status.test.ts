/**
 * `GET /v1/delivery/status` and `POST /v1/delivery/test`: the transports as the server sees them with every secret
 * masked, and the doctor's checks of them against a real SMTP server on loopback and against a closed port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/cli-process.js';
import { DIALECTS } from '../test-support/databases.js';
import { startSmtpSink } from '../test-support/smtp-sink.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const PASSWORD = 'S3cret/Pa55word!';
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef';
const HOOK_SECRET = `whsec_${Buffer.from('a hook secret of 32 bytes, really').toString('base64')}`;

// biome-ignore lint/suspicious/noExplicitAny: the tests read response bodies loosely
type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function server(env: Record<string, string>, dialect: (typeof DIALECTS)[number] = 'sqlite') {
  const started = await startTestServer(dialect, { env });
  cleanups.push(() => started.close());
  return started;
}

async function call(s: TestServer, method: 'GET' | 'POST', url: string, key?: string): Promise<Json> {
  const res = await s.api(method, url, undefined, key);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
}

describe('delivery status', () => {
  it('shows SMTP and Twilio as configured, and no password, token, secret or key', async () => {
    const s = await server({
      LATCHKEY_SMTP_URL: `smtps://apikey-0123456789abcdef:${encodeURIComponent(PASSWORD)}@mail.example.com:465?tls.servername=mx.example.com`,
      LATCHKEY_SMTP_FROM: 'Acme <login@acme.example>',
      LATCHKEY_TWILIO_ACCOUNT_SID: TWILIO_SID,
      LATCHKEY_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      LATCHKEY_TWILIO_FROM: '+15555550100',
    });
    const res = await s.api('GET', '/v1/delivery/status');
    expect(res.statusCode).toBe(200);
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), TWILIO_TOKEN, 'apikey-0123456789abcdef']) {
      expect(res.body).not.toContain(secret);
    }
    expect(res.body).not.toContain(TWILIO_SID);
    expect(res.json()).toEqual({
      environment: 'development',
      environment_detail: expect.stringMatching(/^development/),
      email: {
        transport: 'smtp',
        from: 'Acme <login@acme.example>',
        smtp: {
          host: 'mail.example.com',
          port: 465,
          secure: true,
          user: 'ap…cdef',
          password: '********',
        },
        dkim: null,
      },
      sms: {
        transport: 'twilio',
        twilio: {
          account_sid: 'AC…cdef',
          auth_token: '********',
          from: '+15555550100',
          base_url: 'https://api.twilio.com/',
        },
        hook: null,
      },
      outbox: { worker: true, max_attempts: 8, retry_base_seconds: 5, lease_seconds: 60 },
    });
  });

  it('shows an address as the SMTP user, the SMS hook without its secret, and the production environment', async () => {
    const s = await server({
      NODE_ENV: 'production',
      LATCHKEY_SMTP_URL: `smtp://postmaster%40mg.example.com:${encodeURIComponent(PASSWORD)}@127.0.0.1:2525`,
      LATCHKEY_SMS_HOOK_URL: 'https://hooks.example.com/sms?token=hook-query-secret',
      LATCHKEY_SMS_HOOK_SECRET: HOOK_SECRET,
    });
    const res = await s.api('GET', '/v1/delivery/status');
    expect(res.statusCode).toBe(200);
    for (const secret of [PASSWORD, HOOK_SECRET, 'hook-query-secret']) expect(res.body).not.toContain(secret);
    const body = res.json() as Json;
    expect(body.environment).toBe('production');
    expect(body.email.smtp).toEqual({
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      user: 'postmaster@mg.example.com',
      password: '********',
    });
    expect(body.sms).toEqual({
      transport: 'hook',
      twilio: null,
      hook: { url: 'https://hooks.example.com/sms (query hidden)', secret: '********' },
    });
  });

  it('says a development server with nothing configured prints, and any key of the installation may read it', async () => {
    const s = await server({});
    const body = await call(s, 'GET', '/v1/delivery/status', s.adminKey);
    expect(body.email).toEqual({
      transport: 'log',
      from: 'no-reply@auth.example.com',
      smtp: null,
      dkim: null,
    });
    expect(body.sms).toEqual({ transport: 'log', twilio: null, hook: null });
    expect((await s.app.inject({ method: 'GET', url: '/v1/delivery/status' })).statusCode).toBe(401);
  });
});

describe.each(DIALECTS)('delivery test on %s', (dialect) => {
  it('answers ok against a mail server that answers, having sent nothing', async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const s = await server({ LATCHKEY_SMTP_URL: smtp.url }, dialect);
    const body = await call(s, 'POST', '/v1/delivery/test');
    expect(body).toEqual({
      ok: true,
      checks: [
        {
          name: 'Email (smtp)',
          channel: 'email',
          transport: 'smtp',
          ok: true,
          detail: expect.stringContaining(`Connected to 127.0.0.1:${smtp.port}`),
        },
        {
          name: 'SMS (log)',
          channel: 'sms',
          transport: 'log',
          ok: true,
          detail: expect.stringMatching(/development SMS transport/),
        },
      ],
    });
    expect(smtp.stats.connections).toBeGreaterThanOrEqual(1);
    expect(smtp.messages).toEqual([]);
  });

  it('answers a clear failure against a port nothing listens on, without the password', async () => {
    const port = await freePort();
    const s = await server(
      { LATCHKEY_SMTP_URL: `smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}` },
      dialect,
    );
    const res = await s.api('POST', '/v1/delivery/test');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(PASSWORD);
    const body = res.json() as Json;
    expect(body.ok).toBe(false);
    expect(body.checks[0]).toEqual({
      name: 'Email (smtp)',
      channel: 'email',
      transport: 'smtp',
      ok: false,
      detail: `Nothing is listening at 127.0.0.1:${port}. Is the mail server running, and is LATCHKEY_SMTP_URL right?`,
    });
  });
});
