import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { DevOutbox } from '../dev-outbox.js';
import { createTransports } from './create-transports.js';

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
});
