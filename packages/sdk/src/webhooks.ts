/**
 * Webhook verification per Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds one or
 * more space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded
 * secret after `whsec_`. Written with node:crypto (a dozen lines) rather than adding a dependency.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LatchkeyError } from './errors.js';

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way (default 300 seconds). */
  toleranceSeconds?: number;
  /** Now, in epoch milliseconds (default `Date.now()`): for tests and for replaying a stored delivery. */
  now?: number;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** A delivery's body: the event type, when it happened, and its data (see the `webhooks` of the OpenAPI document). */
export interface WebhookEvent<D = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: D;
}

/** What `verifyWebhook` throws: a LatchkeyError with code `webhook_invalid` and status 0. */
export class WebhookVerificationError extends LatchkeyError {
  constructor(message: string) {
    super({ status: 0, code: 'webhook_invalid', message });
  }
}

const invalid = (message: string) => new WebhookVerificationError(message);

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError('A webhook secret must be "whsec_" followed by base64.');
  }
  return Buffer.from(encoded, 'base64');
}

/**
 * Checks a webhook's signature and timestamp and answers its parsed JSON body. `body` must be the raw request
 * body, exactly as received (a re-serialised object does not verify); `secret` is the endpoint's `whsec_…`.
 * Throws WebhookVerificationError (`webhook_invalid`) when the headers, signature, timestamp or body are wrong.
 * This is the one implementation: the server package re-exports it as `@latchkey/server/webhooks`.
 */
export function verifyWebhook<T = WebhookEvent>(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): T {
  const key = webhookKey(secret);
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw invalid('The webhook-id, webhook-timestamp and webhook-signature headers are required.');
  }
  if (!/^\d{1,15}$/.test(timestamp)) throw invalid('webhook-timestamp is not a number of seconds.');
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(Math.floor((options.now ?? Date.now()) / 1000) - Number(timestamp)) > tolerance) {
    throw invalid(`webhook-timestamp is more than ${tolerance} seconds from now.`);
  }
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${text}`, 'utf8').digest();
  // Several signatures during a secret rotation: any one that matches will do.
  const matched = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) throw invalid('No webhook-signature matches the body and the secret.');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw invalid('The webhook body is not JSON.');
  }
}

export class Webhooks {
  verify<T = WebhookEvent>(
    body: string | Uint8Array,
    headers: WebhookHeaders,
    secret: string,
    options: VerifyWebhookOptions = {},
  ): T {
    return verifyWebhook<T>(body, headers, secret, options);
  }
}
