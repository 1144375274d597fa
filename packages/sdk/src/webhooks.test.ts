import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook, standardWebhookHeaders } from '../../server/src/delivery/standard-webhooks.js';
import { LatchkeyError } from './errors.js';
import { verifyWebhookAsync } from './webhooks.js';
import { verifyWebhook } from './webhooks-node.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const body = JSON.stringify({ type: 'magic_link.redeemed', data: { id: 'ml_1' } });
const now = () => Math.floor(Date.now() / 1000);

function expectInvalid(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('webhook_invalid');
    return;
  }
  throw new Error('expected webhook_invalid');
}

describe('verifyWebhook', () => {
  it('accepts a signature made by the server and answers the parsed body', () => {
    const headers = standardWebhookHeaders(secret, 'msg_1', now(), body);
    expect(verifyWebhook(body, headers, secret)).toEqual(JSON.parse(body));
  });

  it('reads a Headers object and mixed-case names, and accepts any one of several signatures', () => {
    const ts = now();
    const other = signStandardWebhook(`whsec_${randomBytes(24).toString('base64')}`, 'msg_2', ts, body);
    const good = signStandardWebhook(secret, 'msg_2', ts, body);
    const headers = new Headers({
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(ts),
      'webhook-signature': `${other} ${good}`,
    });
    expect(verifyWebhook(body, headers, secret)).toEqual(JSON.parse(body));
    const record = { 'Webhook-Id': 'msg_2', 'Webhook-Timestamp': String(ts), 'Webhook-Signature': good };
    expect(verifyWebhook(body, record, secret)).toEqual(JSON.parse(body));
  });

  it('refuses a tampered body, a wrong secret and a missing header', () => {
    const headers = standardWebhookHeaders(secret, 'msg_3', now(), body);
    expectInvalid(() => verifyWebhook(body.replace('ml_1', 'ml_2'), headers, secret));
    expectInvalid(() => verifyWebhook(body, headers, `whsec_${randomBytes(24).toString('base64')}`));
    expectInvalid(() => verifyWebhook(body, { ...headers, 'webhook-signature': '' }, secret));
    expectInvalid(() => verifyWebhook(body, { ...headers, 'webhook-signature': 'v2,abc' }, secret));
  });

  it('refuses a timestamp outside the tolerance, in the past or the future', () => {
    const old = standardWebhookHeaders(secret, 'msg_4', now() - 301, body);
    expectInvalid(() => verifyWebhook(body, old, secret));
    const future = standardWebhookHeaders(secret, 'msg_4', now() + 400, body);
    expectInvalid(() => verifyWebhook(body, future, secret));
    expect(verifyWebhook(body, old, secret, { toleranceSeconds: 600 })).toEqual(JSON.parse(body));
  });
});

// The root entry's verifier, on Web Crypto for browsers and edge runtimes: the same answers, as promises.
describe('verifyWebhookAsync', () => {
  async function expectRejected(promise: Promise<unknown>) {
    await expect(promise).rejects.toBeInstanceOf(LatchkeyError);
    await expect(promise).rejects.toMatchObject({ code: 'webhook_invalid' });
  }

  it('accepts what verifyWebhook accepts, from a Headers object or a record, and any one of several signatures', async () => {
    const ts = now();
    const other = signStandardWebhook(`whsec_${randomBytes(24).toString('base64')}`, 'msg_5', ts, body);
    const good = signStandardWebhook(secret, 'msg_5', ts, body);
    const record = {
      'Webhook-Id': 'msg_5',
      'Webhook-Timestamp': String(ts),
      'Webhook-Signature': `${other} ${good}`,
    };
    expect(await verifyWebhookAsync(body, record, secret)).toEqual(verifyWebhook(body, record, secret));
    expect(await verifyWebhookAsync(new TextEncoder().encode(body), new Headers(record), secret)).toEqual(
      JSON.parse(body),
    );
  });

  it('rejects a tampered body, a wrong secret, a signature that is not base64, and an old timestamp', async () => {
    const headers = standardWebhookHeaders(secret, 'msg_6', now(), body);
    await expectRejected(verifyWebhookAsync(body.replace('ml_1', 'ml_2'), headers, secret));
    await expectRejected(verifyWebhookAsync(body, headers, `whsec_${randomBytes(24).toString('base64')}`));
    await expectRejected(
      verifyWebhookAsync(body, { ...headers, 'webhook-signature': 'v1,not base64!' }, secret),
    );
    const old = standardWebhookHeaders(secret, 'msg_6', now() - 301, body);
    await expectRejected(verifyWebhookAsync(body, old, secret));
    expect(await verifyWebhookAsync(body, old, secret, { toleranceSeconds: 600 })).toEqual(JSON.parse(body));
  });
});
