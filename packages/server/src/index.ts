/**
 * The public entry of `@latchkey/server` for embedding the service in a program of your own (most people run the
 * `latchkey` CLI instead). Everything else under `dist/` is internal and may change between versions.
 */
export { type Config, ConfigError, type ConfigFlags, loadConfig } from './config/config.js';
export { type ErrorCode, errorCodes, isErrorCode } from './errors/error-codes.js';
export {
  type Bootstrap,
  bootstrap,
  type Context,
  openRuntime,
  type Runtime,
  type RuntimeOptions,
  startDelivery,
  startMaintenance,
} from './runtime.js';
export { buildServer, VERSION } from './server.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks/verify-webhook.js';
