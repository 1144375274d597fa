/**
 * The synchronous webhook verifier, on node:crypto: part of the `@latchkey/sdk/node` entry (and of `@latchkey/sdk`
 * under Node.js), never of the entry browsers and edge runtimes load. The checks before the signature are shared
 * with verifyWebhookAsync (webhooks.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  Webhooks as AsyncWebhooks,
  noSignatureMatches,
  parseEvent,
  readDelivery,
  type VerifyWebhookOptions,
  type WebhookEvent,
  type WebhookHeaders,
} from './webhooks.js';

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
  const delivery = readDelivery(body, headers, secret, options);
  const expected = createHmac('sha256', delivery.key).update(delivery.signedContent).digest();
  // Several signatures during a secret rotation: any one that matches will do.
  const matched = delivery.signatures.some(
    (given) => given.length === expected.length && timingSafeEqual(given, expected),
  );
  if (!matched) throw noSignatureMatches();
  return parseEvent<T>(delivery.body);
}

export class Webhooks extends AsyncWebhooks {
  verify<T = WebhookEvent>(
    body: string | Uint8Array,
    headers: WebhookHeaders,
    secret: string,
    options: VerifyWebhookOptions = {},
  ): T {
    return verifyWebhook<T>(body, headers, secret, options);
  }
}
