/**
 * Signatures per the Standard Webhooks spec (https://www.standardwebhooks.com), used for the SMS hook and for webhook
 * deliveries: `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the secret's
 * bytes (the base64 after the `whsec_` prefix). Only node:crypto, so every sender can share it.
 */
import { createHmac } from 'node:crypto';

export type StandardWebhookHeaderName = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';

const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_<base64>` secret (a secret without the prefix is read as base64 as well). */
export function standardWebhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError('A webhook secret must be "whsec_" followed by base64.');
  }
  return Buffer.from(encoded, 'base64');
}

/** `v1,<base64 signature>` over `{id}.{timestamp}.{body}`. */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('The webhook timestamp must be a whole number of seconds since 1970.');
  }
  if (id.length === 0 || /[\r\n]/.test(id)) {
    throw new TypeError('The webhook id must be non-empty and must not contain a line break.');
  }
  const signature = createHmac('sha256', standardWebhookKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`, 'utf8')
    .digest('base64');
  return `v1,${signature}`;
}

/** The three headers a Standard Webhooks receiver checks. */
export function standardWebhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<StandardWebhookHeaderName, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signStandardWebhook(secret, id, timestampSeconds, body),
  };
}
