import type { AppContext } from '../apps/app-store.js';
import type { ServiceContext } from '../context.js';
import type { SessionKeyring } from './session-keyring.js';
import type { SessionStore } from './session-store.js';

/** What the session services receive: their store, the apps' settings, and the keys that sign session tokens. */
export type SessionContext = AppContext &
  ServiceContext<SessionStore> & {
    keyring: SessionKeyring;
  };
