import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { RandomBytes } from './crypto/tokens.js';
import type { DevOutbox } from './delivery/dev-outbox.js';
import type { EmailTransport, Fetch, SmsTransport } from './delivery/message.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { SessionKeyring } from './sessions/session-keyring.js';
import type { Store } from './store.js';
import type { ResolveHost } from './webhooks/url-policy.js';

/**
 * What every service needs, passed in rather than imported, so tests can give a fixed clock or a real database of
 * their choosing without patching modules.
 */
export interface Context {
  config: Config;
  store: Store;
  /** Epoch milliseconds. */
  clock: () => number;
  random: RandomBytes;
  keyring: SessionKeyring;
  /** Seals and opens secrets stored at rest (signing keys) under the master key. */
  secretBox: SecretBox;
  logger: Logger;
  delivery: Delivery;
  fetch: Fetch;
  /** Counts hits for rate limits: the database, or Redis when `REDIS_URL` is set. */
  rateLimiter: RateLimiter;
  /** DNS for webhook destination checks; the system resolver when absent. */
  resolveHost?: ResolveHost;
}

export interface Delivery {
  email: EmailTransport;
  sms: SmsTransport;
  /** What the development (`log`) transports sent, for GET /v1/dev/outbox. */
  devOutbox: DevOutbox;
  /** Tells this process's outbox worker that a message was queued (a no-op when no worker runs). */
  wake(): void;
}
