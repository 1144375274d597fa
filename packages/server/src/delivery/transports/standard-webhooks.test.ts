import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook, standardWebhookHeaders, standardWebhookKey } from '../standard-webhooks.js';

// The example in the Standard Webhooks specification.
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('signStandardWebhook', () => {
  it('matches the example of the Standard Webhooks specification', () => {
    expect(signStandardWebhook(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toBe(SPEC_SIGNATURE);
  });

  it('is v1, then base64 HMAC-SHA256 of "id.timestamp.body" keyed with the decoded secret', () => {
    const keyBytes = Buffer.from('a fixed key of thirty-two bytes!', 'utf8');
    const secret = `whsec_${keyBytes.toString('base64')}`;
    const body = '{"type":"sms.send","data":{"body":"Grüße – 你好"}}';
    const expected = createHmac('sha256', keyBytes)
      .update(Buffer.from(`msg_123.1700000000.${body}`, 'utf8'))
      .digest('base64');
    expect(signStandardWebhook(secret, 'msg_123', 1700000000, body)).toBe(`v1,${expected}`);
    // Any change to the id, the timestamp or the body changes the signature.
    expect(signStandardWebhook(secret, 'msg_124', 1700000000, body)).not.toBe(`v1,${expected}`);
    expect(signStandardWebhook(secret, 'msg_123', 1700000001, body)).not.toBe(`v1,${expected}`);
    expect(signStandardWebhook(secret, 'msg_123', 1700000000, `${body} `)).not.toBe(`v1,${expected}`);
  });

  it('reads a secret without the whsec_ prefix as base64 too', () => {
    expect(signStandardWebhook(SPEC_SECRET.slice(6), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toBe(
      SPEC_SIGNATURE,
    );
    expect(standardWebhookKey(SPEC_SECRET)).toEqual(
      Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'),
    );
  });

  it('refuses a secret that is not base64, a fractional or negative timestamp and an id with a line break', () => {
    expect(() => signStandardWebhook('whsec_', SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toThrow(TypeError);
    expect(() => signStandardWebhook('whsec_not base64!', SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toThrow(
      TypeError,
    );
    expect(() => signStandardWebhook(SPEC_SECRET, SPEC_ID, 1.5, SPEC_BODY)).toThrow(RangeError);
    expect(() => signStandardWebhook(SPEC_SECRET, SPEC_ID, -1, SPEC_BODY)).toThrow(RangeError);
    expect(() => signStandardWebhook(SPEC_SECRET, 'msg\n1', SPEC_TIMESTAMP, SPEC_BODY)).toThrow(TypeError);
  });
});

describe('standardWebhookHeaders', () => {
  it('gives the id, the timestamp in seconds and the signature', () => {
    expect(standardWebhookHeaders(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).toEqual({
      'webhook-id': SPEC_ID,
      'webhook-timestamp': '1614265330',
      'webhook-signature': SPEC_SIGNATURE,
    });
  });
});
