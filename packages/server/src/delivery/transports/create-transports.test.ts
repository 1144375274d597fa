import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { ApiError } from '../../errors/api-error.js';
import { DevOutbox } from '../dev-outbox.js';
import { canSend, createTransports, ensureCanSend } from './create-transports.js';

const HOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const TWILIO = {
  LATCHKEY_TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  LATCHKEY_TWILIO_AUTH_TOKEN: 'token',
  LATCHKEY_TWILIO_FROM: '+14155550100',
};
const HOOK = {
  LATCHKEY_SMS_HOOK_URL: 'https://app.example.test/hooks/sms',
  LATCHKEY_SMS_HOOK_SECRET: HOOK_SECRET,
};

function pick(env: Record<string, string>) {
  const transports = createTransports(loadConfig(env), { devOutbox: new DevOutbox(), print: () => {} });
  return { email: transports.email.name, sms: transports.sms.name, close: () => transports.email.close() };
}

describe('createTransports', () => {
  it('uses the development transports when nothing is configured', () => {
    const chosen = pick({});
    expect([chosen.email, chosen.sms]).toEqual(['log', 'log']);
  });

  it('uses SMTP when LATCHKEY_SMTP_URL is set (without connecting until asked)', async () => {
    const chosen = pick({ LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(chosen.email).toBe('smtp');
    await chosen.close();
  });

  it('prefers Twilio, then the hook, for SMS', () => {
    expect(pick(TWILIO).sms).toBe('twilio');
    expect(pick(HOOK).sms).toBe('hook');
    expect(pick({ ...HOOK, ...TWILIO }).sms).toBe('twilio');
  });

  it('stops with words naming the setting when the DKIM key is unusable', () => {
    expect(() =>
      pick({
        LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:2525',
        LATCHKEY_DKIM_DOMAIN: 'acme.test',
        LATCHKEY_DKIM_SELECTOR: 'latchkey',
        LATCHKEY_DKIM_PRIVATE_KEY: '/no/such/dkim.pem',
      }),
    ).toThrow(/LATCHKEY_DKIM_PRIVATE_KEY/);
  });

  it('in production, turns a channel with nothing configured off: it never prints and gives messages up', async () => {
    const printed: string[] = [];
    const devOutbox = new DevOutbox();
    const { email, sms } = createTransports(loadConfig({ NODE_ENV: 'production' }), {
      devOutbox,
      print: (line) => printed.push(line),
    });
    expect([email.name, sms.name]).toEqual(['off', 'off']);
    const mailed = await email.send({
      id: 'msg_1',
      appId: 'app_1',
      to: 'ada@example.com',
      from: { name: null, address: 'no-reply@example.com' },
      subject: 'Sign in',
      text: 'https://auth.example.com/l/secret',
      html: '<p>https://auth.example.com/l/secret</p>',
    });
    expect(mailed).toEqual({ ok: false, permanent: true, error: expect.stringMatching(/LATCHKEY_SMTP_URL/) });
    const texted = await sms.send({
      id: 'msg_2',
      appId: 'app_1',
      linkId: null,
      to: '+14155550100',
      body: 'https://auth.example.com/l/secret',
    });
    expect(texted).toEqual({
      ok: false,
      permanent: true,
      error: expect.stringMatching(/LATCHKEY_SMS_HOOK_URL/),
    });
    expect(printed).toEqual([]);
    expect(devOutbox.list()).toEqual([]);
    // `latchkey doctor` shows why, without failing a server that lets its apps deliver links themselves.
    const verified = await email.verify();
    expect(verified).toEqual({ ok: true, detail: expect.stringMatching(/off.*LATCHKEY_SMTP_URL/s) });
  });

  it('in production, uses what is configured as anywhere else', async () => {
    const chosen = pick({ NODE_ENV: 'production', LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:2525', ...HOOK });
    expect([chosen.email, chosen.sms]).toEqual(['smtp', 'hook']);
    await chosen.close();
    expect(pick({ NODE_ENV: 'production', ...TWILIO }).sms).toBe('twilio');
  });

  it('lets a request send on a channel unless the server is in production without a transport for it', () => {
    const development = loadConfig({});
    const bare = loadConfig({ NODE_ENV: 'production' });
    const mailOnly = loadConfig({ NODE_ENV: 'production', LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect([canSend(development, 'email'), canSend(development, 'phone')]).toEqual([true, true]);
    expect([canSend(bare, 'email'), canSend(bare, 'phone')]).toEqual([false, false]);
    expect([canSend(mailOnly, 'email'), canSend(mailOnly, 'phone')]).toEqual([true, false]);
    expect(canSend(loadConfig({ NODE_ENV: 'production', ...HOOK }), 'phone')).toBe(true);
    expect(() => ensureCanSend(mailOnly, 'email', 'Do this.')).not.toThrow();
    let refusal: unknown;
    try {
      ensureCanSend(mailOnly, 'phone', 'Do this.', 'send');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ code: 'delivery_not_configured', status: 400, param: 'send' });
    expect((refusal as ApiError).message).toMatch(
      /LATCHKEY_TWILIO_ACCOUNT_SID.*NODE_ENV=production.*Do this\.$/,
    );
  });
});
