import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { RandomBytes } from './crypto/tokens.js';

/**
 * What every service may use, passed in rather than imported, so tests can give a fixed clock or a real database of
 * their choosing without patching modules.
 */
export interface BaseContext {
  config: Config;
  /** Epoch milliseconds. */
  clock: () => number;
  random: RandomBytes;
  /** Seals and opens secrets stored at rest (signing keys, webhook secrets) under the master key. */
  secretBox: SecretBox;
  logger: Logger;
}

/**
 * A capability's context: the base, and the store operations the capability declares in its `x-store.ts`. Each
 * capability names its own (`LinkContext`, `UserContext`, …), adding the other capabilities' contexts it calls
 * into; runtime.ts builds the one object that is all of them.
 */
export interface ServiceContext<Store> extends BaseContext {
  store: Store;
}
