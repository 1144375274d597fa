/**
 * For the receiving side: checks that a webhook came from Latchkey (its Standard Webhooks signature) and is fresh
 * (its timestamp), and answers the parsed event. Published as `@latchkey/server/webhooks`; the implementation is
 * the SDK's, so the two packages can never disagree on what a valid delivery is.
 */
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from '@latchkey/sdk/node';
