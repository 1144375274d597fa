/** verifyWebhook, checked against signatures made by the `standardwebhooks` package (not by our own signer). */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from './verify-webhook.js';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const body = JSON.stringify({
  type: 'user.created',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { user_id: 'x' },
});
const now = Date.UTC(2026, 0, 1);

function signed(at = now, id = 'evt_1', text = body) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, new Date(at), text),
  };
}

function refused(fn: () => unknown, message: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe('webhook_invalid');
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('verifyWebhook', () => {
  it('accepts a signature made by an independent implementation, from a plain object or Headers', () => {
    expect(verifyWebhook(body, signed(), secret, { now })).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), new Headers(signed()), secret, { now }).type).toBe(
      'user.created',
    );
    const upper = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(body, upper, secret, { now }).type).toBe('user.created');
  });

  it('accepts any one of several signatures (a rotation)', () => {
    const headers = signed();
    headers['webhook-signature'] =
      `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`;
    expect(verifyWebhook(body, headers, secret, { now }).type).toBe('user.created');
  });

  it('refuses a changed body, id or timestamp, another secret, or a missing header', () => {
    refused(() => verifyWebhook(`${body} `, signed(), secret, { now }), /signature/);
    refused(() => verifyWebhook(body, { ...signed(), 'webhook-id': 'evt_2' }, secret, { now }), /signature/);
    const shifted = { ...signed(), 'webhook-timestamp': String(Math.floor(now / 1000) + 1) };
    refused(() => verifyWebhook(body, shifted, secret, { now }), /signature/);
    const other = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
    refused(() => verifyWebhook(body, signed(), other, { now }), /signature/);
    const { 'webhook-signature': _, ...unsigned } = signed();
    refused(() => verifyWebhook(body, unsigned, secret, { now }), /required/);
    refused(
      () => verifyWebhook(body, { ...signed(), 'webhook-signature': 'v2,abc' }, secret, { now }),
      /signature/,
    );
  });

  it('refuses a timestamp outside the tolerance, either way', () => {
    refused(() => verifyWebhook(body, signed(now - 301_000), secret, { now }), /seconds from now/);
    refused(() => verifyWebhook(body, signed(now + 301_000), secret, { now }), /seconds from now/);
    expect(verifyWebhook(body, signed(now - 299_000), secret, { now }).type).toBe('user.created');
    expect(verifyWebhook(body, signed(now - 3_000_000), secret, { now, toleranceSeconds: 3600 }).type).toBe(
      'user.created',
    );
    refused(
      () => verifyWebhook(body, { ...signed(), 'webhook-timestamp': '12abc' }, secret, { now }),
      /number/,
    );
  });

  it('refuses a body that is not JSON even when signed', () => {
    refused(() => verifyWebhook('not json', signed(now, 'evt_1', 'not json'), secret, { now }), /not JSON/);
  });

  it('is exported as @latchkey/server/webhooks', async () => {
    const mod = await import('@latchkey/server/webhooks');
    expect(mod.verifyWebhook(body, signed(), secret, { now }).type).toBe('user.created');
  });
});
