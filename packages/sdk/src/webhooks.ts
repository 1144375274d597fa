/**
 * Webhook verification per Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds one or
 * more space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded
 * secret after `whsec_`. Written with Web Crypto (a dozen lines) rather than adding a dependency, so it runs in
 * browsers and edge runtimes; Web Crypto only answers promises, so the synchronous `verifyWebhook` is Node's, in
 * webhooks-node.ts.
 */
import { base64Bytes, utf8Bytes, utf8Text } from './bytes.js';
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

function webhookKey(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError('A webhook secret must be "whsec_" followed by base64.');
  }
  return base64Bytes(encoded);
}

/** The `v1` signatures of the header, decoded; one that is not base64 cannot match and is left out. */
function v1Signatures(value: string): Uint8Array<ArrayBuffer>[] {
  return value.split(' ').flatMap((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return [];
    try {
      return [base64Bytes(signature)];
    } catch {
      return [];
    }
  });
}

/** A delivery whose headers and timestamp passed: what the HMAC must cover, its key, and the signatures offered. */
export interface SignedDelivery {
  key: Uint8Array<ArrayBuffer>;
  signedContent: Uint8Array<ArrayBuffer>;
  signatures: Uint8Array<ArrayBuffer>[];
  body: string;
}

/** Every check but the signature's, shared by the Web Crypto and the node:crypto verifier. */
export function readDelivery(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions,
): SignedDelivery {
  const key = webhookKey(secret);
  const text = typeof body === 'string' ? body : utf8Text(body);
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
  return {
    key,
    signedContent: utf8Bytes(`${id}.${timestamp}.${text}`),
    signatures: v1Signatures(signatures),
    body: text,
  };
}

export const noSignatureMatches = () => invalid('No webhook-signature matches the body and the secret.');

export function parseEvent<T>(body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw invalid('The webhook body is not JSON.');
  }
}

/**
 * Checks a webhook's signature and timestamp and answers its parsed JSON body, in any runtime with Web Crypto.
 * `body` must be the raw request body, exactly as received (a re-serialised object does not verify); `secret` is the
 * endpoint's `whsec_…`. Rejects with WebhookVerificationError (`webhook_invalid`) when the headers, signature,
 * timestamp or body are wrong. On Node.js, `verifyWebhook` does the same synchronously.
 */
export async function verifyWebhookAsync<T = WebhookEvent>(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<T> {
  const delivery = readDelivery(body, headers, secret, options);
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    delivery.key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  // Several signatures during a secret rotation: any one that matches will do. subtle.verify compares in constant
  // time.
  for (const signature of delivery.signatures) {
    if (await globalThis.crypto.subtle.verify('HMAC', key, signature, delivery.signedContent)) {
      return parseEvent<T>(delivery.body);
    }
  }
  throw noSignatureMatches();
}

/** `latchkey.webhooks`; on Node.js it also has the synchronous `verify`. */
export class Webhooks {
  verifyAsync<T = WebhookEvent>(
    body: string | Uint8Array,
    headers: WebhookHeaders,
    secret: string,
    options: VerifyWebhookOptions = {},
  ): Promise<T> {
    return verifyWebhookAsync<T>(body, headers, secret, options);
  }
}
