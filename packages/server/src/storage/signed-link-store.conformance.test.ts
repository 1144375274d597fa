/**
 * The stateless-link part of the storage contract (`SignedLinkStore`), run unchanged against SQLite and PostgreSQL.
 * Every test makes its own app, so the tests share one database per dialect without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, randomSecret } from '../crypto/tokens.js';
import type { SignedTokenRedemption } from '../signed-links/signed-link-store.js';
import { DIALECTS } from '../test-support/databases.js';
import {
  appRow,
  DAY,
  email,
  eventRow,
  exchangeCodeRow,
  HOUR,
  id,
  MINUTE,
  planFailure,
  secretHash,
  sessionRow,
  userRow,
  useStore,
} from '../test-support/store-rows.js';
import type { AppRow, EventRow, ExchangeCodeRow, SessionRow, SigningKeyRow, UserRow } from './rows.js';

const externalId = () => `cus_${randomBytes(6).toString('hex')}`;
const tokenKey = () => `sha256:${secretHash()}`;

function signingKeyRow(appId: string, at: number, overrides: Partial<SigningKeyRow> = {}): SigningKeyRow {
  return {
    kid: id('sk', at),
    app_id: appId,
    label: 'test',
    algorithm: 'HS256',
    secret: `v1.${randomSecret(randomBytes, 12)}.${randomSecret(randomBytes, 16)}.${randomSecret(randomBytes)}`,
    secret_hint: 'lk_hs_abcd…',
    created_at: at,
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

interface PlannedWrites {
  session: SessionRow;
  exchangeCode: ExchangeCodeRow;
  events: EventRow[];
}

/** The `plan` the service passes: a session, an exchange code and events for whichever user the store settles on. */
function planner(at: number, options: { codeExpiresAt?: number } = {}) {
  const planned: Array<PlannedWrites & { user: UserRow; created: boolean }> = [];
  const plan = (user: UserRow, created: boolean): PlannedWrites => {
    const session = sessionRow(user.app_id, user.id, at, { amr: 'signed_link', expires_at: at + 7 * DAY });
    const writes: PlannedWrites = {
      session,
      exchangeCode: exchangeCodeRow(session, at, {
        redirect_url: 'https://app.example.com/invoices',
        expires_at: options.codeExpiresAt ?? at + MINUTE,
      }),
      events: [
        eventRow(user.app_id, 'signed_link.redeemed', null, at),
        eventRow(user.app_id, 'session.created', session.id, at),
      ],
    };
    planned.push({ ...writes, user, created });
    return writes;
  };
  return { plan, planned };
}

describe.each(DIALECTS)('signed-link store on %s', (dialect) => {
  const { store, db } = useStore(dialect);

  async function seedApp(at: number): Promise<AppRow> {
    const app = appRow(at, { name: 'Billing' });
    await store().insertApp(app, [], []);
    return app;
  }

  async function seedKey(appId: string, at: number, overrides: Partial<SigningKeyRow> = {}) {
    const key = signingKeyRow(appId, at, overrides);
    await store().insertSigningKey(key, []);
    return key;
  }

  async function seedUser(appId: string, at: number, overrides: Partial<UserRow> = {}): Promise<UserRow> {
    const user = userRow(appId, at, overrides);
    await store().insertUser(user, []);
    return user;
  }

  function redemption(appId: string, at: number, overrides: Partial<SignedTokenRedemption> = {}) {
    const external = overrides.externalId ?? externalId();
    return {
      appId,
      tokenKey: tokenKey(),
      tokenExpiresAt: at + HOUR,
      userId: undefined,
      externalId: external,
      newUser: userRow(appId, at, { external_id: external }),
      ...overrides,
    } satisfies SignedTokenRedemption;
  }

  const sessionsOf = (appId: string) => store().listSessions(appId, {}, { limit: 1_000 });
  const usersOf = (appId: string) => store().listUsers(appId, {}, { limit: 1_000 });
  const eventsOf = (appId: string, type: string) => store().listEvents(appId, { type }, { limit: 1_000 });

  async function rowExists(table: 'used_tokens' | 'exchange_codes' | 'refresh_tokens', key: string) {
    const column =
      table === 'used_tokens' ? 'token_key' : table === 'exchange_codes' ? 'code_hash' : 'token_hash';
    const rows = await db()
      .selectFrom(table)
      // biome-ignore lint/suspicious/noExplicitAny: the column is chosen from the table above
      .select(column as any)
      // biome-ignore lint/suspicious/noExplicitAny: the column is chosen from the table above
      .where(column as any, '=', key)
      .execute();
    return rows.length > 0;
  }

  describe('signing keys', () => {
    it('stores a key with its events and reads it back by kid', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = signingKeyRow(app.id, now);
      await store().insertSigningKey(key, [eventRow(app.id, 'signing_key.created', key.kid, now)]);
      expect(await store().getSigningKey(key.kid)).toEqual(key);
      expect(await eventsOf(app.id, 'signing_key.created')).toHaveLength(1);
    });

    it('answers undefined for an unknown kid', async () => {
      expect(await store().getSigningKey(id('sk', Date.now()))).toBeUndefined();
      expect(await store().getSigningKey("' OR 1=1 --")).toBeUndefined();
    });

    it('lists one app’s keys, newest first, revoked ones included', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const older = await seedKey(app.id, now - 2_000);
      const revoked = await seedKey(app.id, now - 1_000, { revoked_at: now });
      const newer = await seedKey(app.id, now);
      await seedKey(other.id, now);
      const listed = await store().listSigningKeys(app.id, { limit: 10 });
      expect(listed.map((key) => key.kid)).toEqual([newer.kid, revoked.kid, older.kid]);
    });

    it('pages keys with a cursor', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await seedKey(app.id, now + i));
      const newestFirst = keys.map((key) => key.kid).reverse();
      const first = await store().listSigningKeys(app.id, { limit: 2 });
      expect(first.slice(0, 2).map((key) => key.kid)).toEqual(newestFirst.slice(0, 2));
      const next = await store().listSigningKeys(app.id, { limit: 2, cursor: newestFirst[1] });
      expect(next.slice(0, 2).map((key) => key.kid)).toEqual(newestFirst.slice(2, 4));
    });

    it('revokes a key once, with its events', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = await seedKey(app.id, now);
      const revoked = await store().revokeSigningKey(app.id, key.kid, now + 1, [
        eventRow(app.id, 'signing_key.revoked', key.kid, now + 1),
      ]);
      expect(revoked).toEqual({ ...key, revoked_at: now + 1 });
      const again = await store().revokeSigningKey(app.id, key.kid, now + 2, [
        eventRow(app.id, 'signing_key.revoked', key.kid, now + 2),
      ]);
      expect(again).toBeUndefined();
      expect((await store().getSigningKey(key.kid))?.revoked_at).toBe(now + 1);
      expect(await eventsOf(app.id, 'signing_key.revoked')).toHaveLength(1);
    });

    it("does not revoke another app's key", async () => {
      const now = Date.now();
      const owner = await seedApp(now);
      const intruder = await seedApp(now);
      const key = await seedKey(owner.id, now);
      const result = await store().revokeSigningKey(intruder.id, key.kid, now, [
        eventRow(intruder.id, 'signing_key.revoked', key.kid, now),
      ]);
      expect(result).toBeUndefined();
      expect((await store().getSigningKey(key.kid))?.revoked_at).toBeNull();
      expect(await eventsOf(intruder.id, 'signing_key.revoked')).toHaveLength(0);
    });

    it('records when a key was last used', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = await seedKey(app.id, now);
      await store().touchSigningKey(key.kid, now + 5);
      expect((await store().getSigningKey(key.kid))?.last_used_at).toBe(now + 5);
    });
  });

  describe('redeemSignedToken', () => {
    it('signs in the first time, creating the user and writing the session, code and events', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now);
      const { plan, planned } = planner(now);
      const result = await store().redeemSignedToken(input, now, plan);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.created).toBe(true);
      expect(result.user).toEqual({ ...input.newUser, last_login_at: now, updated_at: now });
      expect(planned).toHaveLength(1);
      expect(planned[0]!.created).toBe(true);
      expect((await sessionsOf(app.id)).map((s) => s.id)).toEqual([planned[0]!.session.id]);
      expect(await rowExists('exchange_codes', planned[0]!.exchangeCode.code_hash)).toBe(true);
      expect(await eventsOf(app.id, 'signed_link.redeemed')).toHaveLength(1);
      expect(await rowExists('used_tokens', input.tokenKey!)).toBe(true);
    });

    it('refuses a second use of the same token key as used', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now);
      expect((await store().redeemSignedToken(input, now, planner(now).plan)).ok).toBe(true);
      const { plan, planned } = planner(now + 1);
      const second = await store().redeemSignedToken({ ...input, newUser: undefined }, now + 1, plan);
      expect(second).toEqual({ ok: false, reason: 'used' });
      expect(planned).toHaveLength(0);
      expect(await sessionsOf(app.id)).toHaveLength(1);
    });

    it('keeps token keys apart per app', async () => {
      const now = Date.now();
      const first = await seedApp(now);
      const second = await seedApp(now);
      const key = tokenKey();
      const a = await store().redeemSignedToken(
        redemption(first.id, now, { tokenKey: key }),
        now,
        planner(now).plan,
      );
      const b = await store().redeemSignedToken(
        redemption(second.id, now, { tokenKey: key }),
        now,
        planner(now).plan,
      );
      expect([a.ok, b.ok]).toEqual([true, true]);
    });

    it('lets a null token key sign in again and again', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now, { tokenKey: null });
      const first = await store().redeemSignedToken(input, now, planner(now).plan);
      const second = await store().redeemSignedToken(input, now + 1, planner(now + 1).plan);
      expect(first.ok && second.ok).toBe(true);
      if (!first.ok || !second.ok) return;
      expect(second.user.id).toBe(first.user.id);
      expect(second.created).toBe(false);
      expect(await sessionsOf(app.id)).toHaveLength(2);
    });

    it('finds an existing user by external_id', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const existing = await seedUser(app.id, now, { external_id: externalId(), email: email() });
      const result = await store().redeemSignedToken(
        redemption(app.id, now, { externalId: existing.external_id! }),
        now,
        planner(now).plan,
      );
      expect(result).toMatchObject({
        ok: true,
        created: false,
        user: { id: existing.id, email: existing.email },
      });
      expect(await usersOf(app.id)).toHaveLength(1);
    });

    it('finds an existing user by id before external_id', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const byId = await seedUser(app.id, now, { email: email() });
      await seedUser(app.id, now, { external_id: byId.id });
      const result = await store().redeemSignedToken(
        redemption(app.id, now, { userId: byId.id, externalId: byId.id }),
        now,
        planner(now).plan,
      );
      expect(result).toMatchObject({ ok: true, created: false, user: { id: byId.id } });
    });

    it("does not sign in another app's user named by id", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const foreign = await seedUser(other.id, now);
      const result = await store().redeemSignedToken(
        redemption(app.id, now, { userId: foreign.id, externalId: foreign.id, newUser: undefined }),
        now,
        planner(now).plan,
      );
      expect(result).toEqual({ ok: false, reason: 'no_user' });
    });

    it('answers no_user, writing nothing, when no user matches and none may be created', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { plan, planned } = planner(now);
      const result = await store().redeemSignedToken(
        redemption(app.id, now, { newUser: undefined }),
        now,
        plan,
      );
      expect(result).toEqual({ ok: false, reason: 'no_user' });
      expect(planned).toHaveLength(0);
      expect(await sessionsOf(app.id)).toHaveLength(0);
      expect(await usersOf(app.id)).toHaveLength(0);
    });

    it('leaves the token key unspent when it answers no_user', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now);
      const refused = await store().redeemSignedToken(
        { ...input, newUser: undefined },
        now,
        planner(now).plan,
      );
      expect(refused).toEqual({ ok: false, reason: 'no_user' });
      expect(await rowExists('used_tokens', input.tokenKey!)).toBe(false);
      const later = await store().redeemSignedToken(input, now + 1, planner(now + 1).plan);
      expect(later.ok).toBe(true);
    });

    it('creates the user without the email when another user has it', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const holder = await seedUser(app.id, now, { email: email() });
      const external = externalId();
      const input = redemption(app.id, now, {
        externalId: external,
        newUser: userRow(app.id, now, { external_id: external, email: holder.email }),
      });
      const result = await store().redeemSignedToken(input, now, planner(now).plan);
      expect(result).toMatchObject({ ok: true, created: true, user: { external_id: external, email: null } });
      expect((await store().getUser(app.id, holder.id))?.email).toBe(holder.email);
      expect(await usersOf(app.id)).toHaveLength(2);
    });

    it('writes nothing and leaves the token unspent when the plan throws', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now);
      await expect(store().redeemSignedToken(input, now, planFailure)).rejects.toThrow('plan failed');
      expect(await usersOf(app.id)).toHaveLength(0);
      expect(await sessionsOf(app.id)).toHaveLength(0);
      expect((await store().redeemSignedToken(input, now, planner(now).plan)).ok).toBe(true);
    });

    it('lets exactly one of 30 concurrent redemptions of one token key win', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const input = redemption(app.id, now);
      const { plan, planned } = planner(now);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => store().redeemSignedToken(input, now, plan)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(29);
      expect(planned).toHaveLength(1);
      expect(await sessionsOf(app.id)).toHaveLength(1);
      expect(await usersOf(app.id)).toHaveLength(1);
    });

    it('creates exactly one user for 10 concurrent first sign-ins of the same customer', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const external = externalId();
      const { plan } = planner(now);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store().redeemSignedToken(
            redemption(app.id, now, {
              externalId: external,
              newUser: userRow(app.id, now, { external_id: external }),
            }),
            now,
            plan,
          ),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const users = await usersOf(app.id);
      expect(users).toHaveLength(1);
      expect(new Set(results.map((r) => (r.ok ? r.user.id : null)))).toEqual(new Set([users[0]!.id]));
      expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
      expect(await sessionsOf(app.id)).toHaveLength(10);
    });
  });

  describe('purgeExpired', () => {
    it('deletes used-token records past their expiry, so the key can be recorded again, and keeps live ones', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const expired = redemption(app.id, now, { tokenExpiresAt: now + MINUTE });
      const live = redemption(app.id, now, { tokenExpiresAt: now + 3 * MINUTE });
      await store().redeemSignedToken(expired, now, planner(now).plan);
      await store().redeemSignedToken(live, now, planner(now).plan);
      const later = now + 2 * MINUTE;
      expect(await store().purgeUsedTokens(later)).toBeGreaterThanOrEqual(1);
      expect(await rowExists('used_tokens', expired.tokenKey!)).toBe(false);
      expect(await rowExists('used_tokens', live.tokenKey!)).toBe(true);
      expect((await store().redeemSignedToken(expired, later, planner(later).plan)).ok).toBe(true);
      expect(await store().redeemSignedToken(live, later, planner(later).plan)).toEqual({
        ok: false,
        reason: 'used',
      });
    });

    it('deletes exchange codes and refresh tokens more than an hour past expiry, and keeps the rest', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const signIn = async (codeExpiresAt: number, refreshExpiresAt: number) => {
        const { plan, planned } = planner(now, { codeExpiresAt });
        const result = await store().redeemSignedToken(redemption(app.id, now), now, plan);
        expect(result.ok).toBe(true);
        const code = planned[0]!.exchangeCode.code_hash;
        const refreshHash = hashSecret(randomSecret(randomBytes));
        const exchanged = await store().consumeExchangeCode(code, now, (_code, session) => ({
          refreshToken: {
            token_hash: refreshHash,
            session_id: session.id,
            app_id: app.id,
            created_at: now,
            expires_at: refreshExpiresAt,
            used_at: null,
          },
          events: [],
        }));
        expect(exchanged.ok).toBe(true);
        return { code, refreshHash };
      };
      const purgeAt = now + 10 * HOUR;
      const old = await signIn(purgeAt - HOUR - MINUTE, purgeAt - HOUR - MINUTE);
      const recent = await signIn(purgeAt - HOUR + MINUTE, purgeAt - HOUR + MINUTE);
      const live = await signIn(purgeAt + HOUR, purgeAt + DAY);
      const purged = await store().purgeSessionSecrets(purgeAt);
      expect(purged.exchangeCodes).toBeGreaterThanOrEqual(1);
      expect(purged.refreshTokens).toBeGreaterThanOrEqual(1);
      expect(await rowExists('exchange_codes', old.code)).toBe(false);
      expect(await rowExists('refresh_tokens', old.refreshHash)).toBe(false);
      for (const kept of [recent, live]) {
        expect(await rowExists('exchange_codes', kept.code)).toBe(true);
        expect(await rowExists('refresh_tokens', kept.refreshHash)).toBe(true);
      }
    });
  });
});
