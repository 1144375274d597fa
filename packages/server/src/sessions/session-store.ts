/** The store operations of sessions, exchange codes, refresh tokens and session keys (sessions/session-queries.ts). */
import type {
  EventRow,
  ExchangeCodeRow,
  Page,
  RefreshTokenRow,
  SessionKeyRow,
  SessionRow,
  UserRow,
} from '../storage/rows.js';

export type ExchangeResult =
  | { ok: true; code: ExchangeCodeRow; session: SessionRow; user: UserRow }
  | { ok: false };

export type RefreshResult =
  | { ok: true; session: SessionRow; user: UserRow }
  | { ok: false; reason: 'invalid' | 'reused' };

export interface SessionStore {
  /** Spends an exchange code once; `plan` runs in the same transaction and may throw to leave the code unspent. */
  consumeExchangeCode(
    codeHash: string,
    now: number,
    plan: (
      code: ExchangeCodeRow,
      session: SessionRow,
    ) => { refreshToken: RefreshTokenRow; events: EventRow[] },
  ): Promise<ExchangeResult>;
  /**
   * Spends a refresh token and stores its successor. Presenting a spent token revokes the session (reuse
   * detection) and answers `reused`.
   */
  rotateRefreshToken(
    tokenHash: string,
    now: number,
    plan: (session: SessionRow) => { refreshToken: RefreshTokenRow; events: EventRow[] },
    onReuse: (session: SessionRow) => EventRow,
  ): Promise<RefreshResult>;
  /** For embedded redemption, where the session's first refresh token is issued right away. */
  getSession(appId: string, id: string): Promise<SessionRow | undefined>;
  listSessions(
    appId: string,
    filter: { user_id?: string | undefined; active_at?: number | undefined },
    page: Page,
  ): Promise<SessionRow[]>;
  revokeSession(appId: string, id: string, now: number, event: EventRow): Promise<SessionRow | undefined>;

  listSessionKeys(): Promise<SessionKeyRow[]>;
  insertSessionKey(key: SessionKeyRow): Promise<void>;
  /** Retires every active session key except `keepKid`, with the events, in one transaction; answers how many. */
  retireSessionKeys(keepKid: string, now: number, events: EventRow[]): Promise<number>;
  /** Deletes exchange codes and refresh tokens an hour past their expiry; answers how many of each. */
  purgeSessionSecrets(now: number): Promise<{ exchangeCodes: number; refreshTokens: number }>;
}
