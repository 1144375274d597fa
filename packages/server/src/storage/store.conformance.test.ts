/**
 * The storage contract of `store.ts`, run unchanged against SQLite and PostgreSQL. Every test makes its own app,
 * so the tests share one database per dialect without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomSecret } from '../crypto/tokens.js';
import type { RedemptionWrites } from '../links/link-store.js';
import { DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import {
  appRow,
  DAY,
  email,
  eventRow,
  exchangeCodeRow,
  id,
  linkRow,
  MINUTE,
  planFailure,
  secretHash,
  sessionRow,
  userRow,
  useStore,
} from '../test-support/store-rows.js';
import type {
  ApiKeyRow,
  AppRow,
  EventRow,
  ExchangeCodeRow,
  MagicLinkRow,
  OutboxRow,
  RefreshTokenRow,
  SessionKeyRow,
  SessionRow,
  UserRow,
} from './rows.js';
import { UniqueViolation } from './unique-violation.js';

const ids = (rows: Array<{ id: string }>) => rows.map((row) => row.id);

function apiKeyRow(appId: string | null, at: number, overrides: Partial<ApiKeyRow> = {}): ApiKeyRow {
  return {
    id: id('key', at),
    app_id: appId,
    kind: appId === null ? 'admin' : 'app',
    label: 'test key',
    key_hash: secretHash(),
    key_hint: 'lk_sk_ab',
    created_at: at,
    last_used_at: null,
    revoked_at: null,
    ...overrides,
  };
}

function refreshTokenRow(
  session: SessionRow,
  at: number,
  overrides: Partial<RefreshTokenRow> = {},
): RefreshTokenRow {
  return {
    token_hash: secretHash(),
    session_id: session.id,
    app_id: session.app_id,
    created_at: at,
    expires_at: at + 30 * DAY,
    used_at: null,
    ...overrides,
  };
}

function sessionKeyRow(at: number): SessionKeyRow {
  return {
    kid: randomSecret(randomBytes, 8),
    alg: 'EdDSA',
    private_jwk: 'sealed',
    public_jwk: '{"kty":"OKP"}',
    created_at: at,
    retired_at: null,
  };
}

type Writes = RedemptionWrites & { exchangeCode: ExchangeCodeRow; refreshToken: RefreshTokenRow };

/** What the service would write for a click on `link`: a session, an exchange code, a refresh token, events. */
function redemptionWrites(
  link: MagicLinkRow,
  at: number,
  options: {
    verified?: 'email' | 'phone';
    session?: Partial<SessionRow>;
    exchangeCode?: Partial<ExchangeCodeRow>;
  } = {},
): Writes {
  const session = sessionRow(link.app_id, link.user_id, at, { link_id: link.id, ...options.session });
  return {
    session,
    exchangeCode: exchangeCodeRow(session, at, options.exchangeCode),
    refreshToken: refreshTokenRow(session, at),
    verified: options.verified ?? 'email',
    events: [
      eventRow(link.app_id, 'magic_link.redeemed', link.id, at),
      eventRow(link.app_id, 'session.created', session.id, at),
    ],
  };
}

/** What the service would write when it hands out a session's next refresh token. */
function refreshWrites(
  session: SessionRow,
  at: number,
): { refreshToken: RefreshTokenRow; events: EventRow[] } {
  return {
    refreshToken: refreshTokenRow(session, at),
    events: [eventRow(session.app_id, 'session.refreshed', session.id, at)],
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  const { store, openStore } = useStore(dialect);

  async function seedApp(at: number): Promise<AppRow> {
    const app = appRow(at);
    await store().insertApp(app, [], []);
    return app;
  }

  async function seedUser(appId: string, at: number, overrides: Partial<UserRow> = {}): Promise<UserRow> {
    const user = userRow(appId, at, { email: email(), ...overrides });
    await store().insertUser(user, []);
    return user;
  }

  async function seedLink(
    user: UserRow,
    at: number,
    overrides: Partial<MagicLinkRow> = {},
  ): Promise<MagicLinkRow> {
    const link = linkRow(user, at, overrides);
    await store().createLink(link, undefined, []);
    return link;
  }

  /** A user who clicked a link: the redeemed link, its session, an unspent exchange code and refresh token. */
  async function signIn(appId: string, at: number) {
    const user = await seedUser(appId, at);
    const link = await seedLink(user, at);
    const writes = redemptionWrites(link, at);
    const result = await store().redeemLink(link.token_hash, at, writes.session.id, () => writes);
    expect(result.ok).toBe(true);
    return { user, link, writes, session: writes.session };
  }

  const eventsOfType = (appId: string, type: string) => store().listEvents(appId, { type }, { limit: 100 });

  it('reports its dialect and answers a ping', async () => {
    expect(store().dialect).toBe(dialect);
    await expect(store().ping()).resolves.toBeUndefined();
  });

  describe('apps', () => {
    it('inserts an app together with its keys and events', async () => {
      const now = Date.now();
      const app = appRow(now);
      const key = apiKeyRow(app.id, now);
      const event = eventRow(app.id, 'app.created', app.id, now);
      await store().insertApp(app, [key], [event]);
      expect(await store().getApp(app.id)).toEqual(app);
      expect(await store().findApiKeyByHash(key.key_hash)).toEqual(key);
      expect(await store().listEvents(app.id, {}, { limit: 10 })).toEqual([event]);
    });

    it('inserts nothing when one of the keys cannot be stored', async () => {
      const now = Date.now();
      const other = await seedApp(now);
      const taken = apiKeyRow(other.id, now);
      await store().insertApiKey(taken, []);
      const app = appRow(now);
      const clash = apiKeyRow(app.id, now, { key_hash: taken.key_hash });
      await expect(
        store().insertApp(app, [clash], [eventRow(app.id, 'app.created', app.id, now)]),
      ).rejects.toThrow();
      expect(await store().getApp(app.id)).toBeUndefined();
      expect(await store().listEvents(app.id, {}, { limit: 10 })).toEqual([]);
    });

    it('answers undefined for an unknown app', async () => {
      expect(await store().getApp(id('app', Date.now()))).toBeUndefined();
    });

    it('updates an app, returning the new row and writing the events', async () => {
      const now = Date.now();
      const app = await seedApp(now - 1000);
      const changes = { name: 'Renamed', settings: '{"default_language":"fr"}', updated_at: now };
      const event = eventRow(app.id, 'app.updated', app.id, now);
      const updated = await store().updateApp(app.id, changes, [event]);
      expect(updated).toEqual({ ...app, ...changes });
      expect(await store().getApp(app.id)).toEqual(updated);
      expect(await store().listEvents(app.id, {}, { limit: 10 })).toEqual([event]);
    });

    it('updates nothing and writes no event for an unknown app', async () => {
      const now = Date.now();
      const missing = id('app', now);
      const changes = { name: 'Ghost', settings: '{}', updated_at: now };
      expect(
        await store().updateApp(missing, changes, [eventRow(missing, 'app.updated', missing, now)]),
      ).toBeUndefined();
      expect(await store().listEvents(missing, {}, { limit: 10 })).toEqual([]);
    });

    it('lists apps newest id first, one row past the limit, resuming after the cursor', async () => {
      // Ids from a time later than any other test's, so these three are the newest apps in the database.
      const later = Date.now() + 1000 * DAY;
      const [a, b, c] = [appRow(later), appRow(later + 1), appRow(later + 2)];
      for (const app of [a, b, c]) await store().insertApp(app, [], []);

      const first = await store().listApps({ limit: 2 });
      expect(first).toEqual([c, b, a]);

      const rest = await store().listApps({ limit: 100, cursor: b.id });
      expect(rest[0]).toEqual(a);
      expect(rest.every((app) => app.id < b.id)).toBe(true);
      expect(ids(rest)).toEqual([...ids(rest)].sort().reverse());
    });

    it('counts apps', async () => {
      const before = await store().countApps();
      await seedApp(Date.now());
      await seedApp(Date.now());
      expect(await store().countApps()).toBe(before + 2);
    });

    it('claims a key once, and sets a key again and again', async () => {
      const key = `test_${Date.now()}_${Math.random()}`;
      expect(await store().claimOnce(key, 'first', 1)).toBe(true);
      expect(await store().claimOnce(key, 'second', 2)).toBe(false);
      expect(await store().getMeta(key)).toBe('first');
      await store().setMeta(key, 'third', 3);
      await store().setMeta(key, 'fourth', 4);
      expect(await store().getMeta(key)).toBe('fourth');
      expect(await store().getMeta(`${key}_none`)).toBeUndefined();
    });
  });

  describe('api keys', () => {
    it('finds a key by its hash', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = apiKeyRow(app.id, now);
      await store().insertApiKey(key, [eventRow(app.id, 'api_key.created', key.id, now)]);
      expect(await store().findApiKeyByHash(key.key_hash)).toEqual(key);
      expect(await store().findApiKeyByHash(secretHash())).toBeUndefined();
      expect(await eventsOfType(app.id, 'api_key.created')).toHaveLength(1);
    });

    it("lists an app's keys only, and admin keys when the app is null", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const older = apiKeyRow(app.id, now);
      const newer = apiKeyRow(app.id, now + 1);
      const admin = apiKeyRow(null, now);
      for (const key of [older, newer, apiKeyRow(other.id, now), admin]) await store().insertApiKey(key, []);

      expect(await store().listApiKeys(app.id, { limit: 10 })).toEqual([newer, older]);
      expect(await store().listApiKeys(app.id, { limit: 10, cursor: newer.id })).toEqual([older]);
      const adminKeys = await store().listApiKeys(null, { limit: 100 });
      expect(adminKeys).toContainEqual(admin);
      expect(adminKeys.every((key) => key.kind === 'admin' && key.app_id === null)).toBe(true);
    });

    it('revokes a key once, writing the event once', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = apiKeyRow(app.id, now);
      await store().insertApiKey(key, []);
      const event = () => [eventRow(app.id, 'api_key.revoked', key.id, now)];

      expect(await store().revokeApiKey(app.id, key.id, now, event())).toEqual({ ...key, revoked_at: now });
      expect(await store().revokeApiKey(app.id, key.id, now + 1, event())).toBeUndefined();
      expect((await store().findApiKeyByHash(key.key_hash))?.revoked_at).toBe(now);
      expect(await eventsOfType(app.id, 'api_key.revoked')).toHaveLength(1);
    });

    it("never revokes another app's key", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const key = apiKeyRow(app.id, now);
      await store().insertApiKey(key, []);

      expect(await store().revokeApiKey(other.id, key.id, now, [])).toBeUndefined();
      expect(await store().revokeApiKey(null, key.id, now, [])).toBeUndefined();
      expect((await store().findApiKeyByHash(key.key_hash))?.revoked_at).toBeNull();
    });

    it('revokes an admin key when the app is null', async () => {
      const now = Date.now();
      const key = apiKeyRow(null, now);
      await store().insertApiKey(key, []);
      expect(await store().revokeApiKey(null, key.id, now, [])).toEqual({ ...key, revoked_at: now });
    });

    // Keys and apps are cached in memory; whatever is cached, a change made here is seen by the next read, and one
    // made by another process within a second (at once on SQLite; on PostgreSQL as its notification arrives).
    it('sees a key revoked or an app changed since the last read, here or in another process', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const [here, there] = [apiKeyRow(app.id, now), apiKeyRow(app.id, now)];
      await store().insertApiKey(here, []);
      await store().insertApiKey(there, []);
      const otherProcess = openStore();
      for (let i = 0; i < 2; i++) {
        expect((await store().findApiKeyByHash(here.key_hash))?.revoked_at).toBeNull();
        expect((await store().findApiKeyByHash(there.key_hash))?.revoked_at).toBeNull();
        expect((await store().getApp(app.id))?.name).toBe(app.name);
      }

      await store().revokeApiKey(app.id, here.id, now + 1, []);
      expect((await store().findApiKeyByHash(here.key_hash))?.revoked_at).toBe(now + 1);

      const withinASecond = (what: string, seen: () => Promise<boolean>) =>
        eventually(what, async () => ((await seen()) ? true : undefined), 1000);
      await otherProcess.revokeApiKey(app.id, there.id, now + 2, []);
      await withinASecond(
        'the revocation',
        async () => (await store().findApiKeyByHash(there.key_hash))?.revoked_at === now + 2,
      );

      await otherProcess.updateApp(app.id, { name: 'Renamed', settings: '{}', updated_at: now + 3 }, []);
      await withinASecond('the new name', async () => (await store().getApp(app.id))?.name === 'Renamed');
      expect(await store().getApp(app.id)).toMatchObject({ name: 'Renamed', settings: '{}' });
    });

    it('records when a key was last used', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const key = apiKeyRow(app.id, now);
      await store().insertApiKey(key, []);
      await store().touchApiKey(key.id, now + 5000);
      expect((await store().findApiKeyByHash(key.key_hash))?.last_used_at).toBe(now + 5000);
    });
  });

  describe('users', () => {
    it('inserts a user with its events and reads it back within its app only', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const user = userRow(app.id, now, { email: email(), metadata: '{"plan":"pro"}' });
      const event = eventRow(app.id, 'user.created', user.id, now);
      await store().insertUser(user, [event]);

      expect(await store().getUser(app.id, user.id)).toEqual(user);
      expect(await store().getUser(other.id, user.id)).toBeUndefined();
      expect(await store().listEvents(app.id, {}, { limit: 10 })).toEqual([event]);
    });

    it('finds a user by email, phone or external id, within its app only', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const user = await seedUser(app.id, now, { phone: '+15555550100', external_id: 'cus_42' });

      expect(await store().findUser(app.id, 'email', user.email!)).toEqual(user);
      expect(await store().findUser(app.id, 'phone', '+15555550100')).toEqual(user);
      expect(await store().findUser(app.id, 'external_id', 'cus_42')).toEqual(user);
      expect(await store().findUser(other.id, 'email', user.email!)).toBeUndefined();
      expect(await store().findUser(app.id, 'email', email())).toBeUndefined();
    });

    it.each([
      ['email', { email: 'taken@example.com' }],
      ['phone', { phone: '+15555550101' }],
      ['external_id', { external_id: 'cus_taken' }],
    ] as const)(
      'rejects a second user with the same %s in one app as a unique violation',
      async (field, identifier) => {
        const now = Date.now();
        const app = await seedApp(now);
        await seedUser(app.id, now, identifier);
        const duplicate = userRow(app.id, now, identifier);

        const error = await rejection(
          store().insertUser(duplicate, [eventRow(app.id, 'user.created', duplicate.id, now)]),
        );
        expect(error).toBeInstanceOf(UniqueViolation);
        expect(error).toMatchObject({ field });
        expect(await store().getUser(app.id, duplicate.id)).toBeUndefined();
        expect(await store().listEvents(app.id, { subject_id: duplicate.id }, { limit: 10 })).toEqual([]);
      },
    );

    it('allows the same email in another app', async () => {
      const now = Date.now();
      const address = email();
      const first = await seedUser((await seedApp(now)).id, now, { email: address });
      const second = await seedUser((await seedApp(now)).id, now, { email: address });
      expect(await store().getUser(second.app_id, second.id)).toEqual(second);
      expect(await store().getUser(first.app_id, first.id)).toEqual(first);
    });

    it('lets any number of users have no email', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const a = await seedUser(app.id, now, { email: null, phone: '+15555550102' });
      const b = await seedUser(app.id, now, { email: null, phone: '+15555550103' });
      expect(await store().getUser(app.id, a.id)).toEqual(a);
      expect(await store().getUser(app.id, b.id)).toEqual(b);
    });

    it('updates a user, returning the new row and writing the events', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now - 1000);
      const patch = {
        email: email(),
        email_verified: 1,
        phone: '+15555550104',
        metadata: '{"a":1}',
        updated_at: now,
      };
      const event = eventRow(app.id, 'user.updated', user.id, now);

      const updated = await store().updateUser(app.id, user.id, patch, [event]);
      expect(updated).toEqual({ ...user, ...patch });
      expect(await store().getUser(app.id, user.id)).toEqual(updated);
      expect(await eventsOfType(app.id, 'user.updated')).toEqual([event]);
    });

    it('updates nothing for an unknown user or a user of another app', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const user = await seedUser(app.id, now);
      const patch = { metadata: '{"b":2}', updated_at: now };

      expect(await store().updateUser(other.id, user.id, patch, [])).toBeUndefined();
      expect(await store().updateUser(app.id, id('usr', now), patch, [])).toBeUndefined();
      expect(await store().getUser(app.id, user.id)).toEqual(user);
    });

    it('rejects an update to an email another user of the app has as a unique violation', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const holder = await seedUser(app.id, now);
      const user = await seedUser(app.id, now);

      const error = await rejection(
        store().updateUser(app.id, user.id, { email: holder.email, updated_at: now }, []),
      );
      expect(error).toBeInstanceOf(UniqueViolation);
      expect(error).toMatchObject({ field: 'email' });
      expect(await store().getUser(app.id, user.id)).toEqual(user);
    });

    it('lists the users of one app, newest first, filtered by identifier', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const a = await seedUser(app.id, now, { phone: '+15555550105' });
      const b = await seedUser(app.id, now + 1, { external_id: 'cus_b' });
      const c = await seedUser(app.id, now + 2);
      await seedUser(other.id, now + 3, { email: a.email });

      expect(await store().listUsers(app.id, {}, { limit: 10 })).toEqual([c, b, a]);
      expect(await store().listUsers(app.id, {}, { limit: 1, cursor: c.id })).toEqual([b, a]);
      expect(await store().listUsers(app.id, { email: a.email! }, { limit: 10 })).toEqual([a]);
      expect(await store().listUsers(app.id, { phone: '+15555550105' }, { limit: 10 })).toEqual([a]);
      expect(await store().listUsers(app.id, { external_id: 'cus_b' }, { limit: 10 })).toEqual([b]);
      expect(await store().listUsers(app.id, { email: email() }, { limit: 10 })).toEqual([]);
    });

    it("deletes a user and, in the same call, revokes the user's outstanding links and sessions", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { user, link: redeemed, session } = await signIn(app.id, now - 2000);
      const outstanding = await seedLink(user, now - 1000);
      const opened = await seedLink(user, now - 1000, { status: 'opened', opened_at: now - 500 });
      const bystander = await seedLink(await seedUser(app.id, now), now);
      const event = eventRow(app.id, 'user.deleted', user.id, now);

      const linkEvent = (row: MagicLinkRow) => eventRow(app.id, 'magic_link.revoked', row.id, now);
      const sessionEvent = (row: SessionRow) => eventRow(app.id, 'session.revoked', row.id, now);
      expect(await store().deleteUser(app.id, user.id, now, [event], linkEvent, sessionEvent)).toBe(true);
      expect(await store().getUser(app.id, user.id)).toBeUndefined();
      for (const link of [outstanding, opened]) {
        expect(await store().getLink(app.id, link.id)).toMatchObject({ status: 'revoked', revoked_at: now });
      }
      expect((await store().getLink(app.id, redeemed.id))?.status).toBe('redeemed');
      expect((await store().getSession(app.id, session.id))?.revoked_at).toBe(now);
      expect(await store().getLink(app.id, bystander.id)).toEqual(bystander);
      expect(await eventsOfType(app.id, 'user.deleted')).toEqual([event]);
      // One event per revoked link and session, so webhooks and the audit log see each revocation.
      const revokedLinks = (await eventsOfType(app.id, 'magic_link.revoked')).map((e) => e.subject_id).sort();
      expect(revokedLinks).toEqual([outstanding.id, opened.id].sort());
      expect((await eventsOfType(app.id, 'session.revoked')).map((e) => e.subject_id)).toEqual([session.id]);
    });

    it('never deadlocks a deletion against a concurrent redemption of the same user', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const noEvent = (row: { id: string }) => eventRow(app.id, 'x', row.id, now);
      const runs = Array.from({ length: 10 }, async (_, i) => {
        const user = await seedUser(app.id, now + i);
        const link = await seedLink(user, now + i);
        const writes = redemptionWrites(link, now + 10);
        return Promise.allSettled([
          store().redeemLink(link.token_hash, now + 10, writes.session.id, () => writes),
          store().deleteUser(app.id, user.id, now + 10, [], noEvent, noEvent),
        ]);
      });
      const outcomes = (await Promise.all(runs)).flat();
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    });

    it('deletes nothing for an unknown user or a user of another app', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const user = await seedUser(app.id, now);
      const noEvent = (row: { id: string }) => eventRow(app.id, 'x', row.id, now);
      expect(await store().deleteUser(other.id, user.id, now, [], noEvent, noEvent)).toBe(false);
      expect(await store().deleteUser(app.id, id('usr', now), now, [], noEvent, noEvent)).toBe(false);
      expect(await store().getUser(app.id, user.id)).toEqual(user);
    });
  });

  describe('links', () => {
    it('creates a link together with the user it creates on demand and the events', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = userRow(app.id, now, { email: email() });
      const link = linkRow(user, now);
      const events = [
        eventRow(app.id, 'user.created', user.id, now),
        eventRow(app.id, 'magic_link.created', link.id, now),
      ];
      await store().createLink(link, user, events);

      expect(await store().getUser(app.id, user.id)).toEqual(user);
      expect(await store().getLink(app.id, link.id)).toEqual(link);
      expect(await store().listEvents(app.id, {}, { limit: 10 })).toHaveLength(2);
    });

    it('creates neither the user nor the link when the link cannot be stored', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const existing = await seedLink(await seedUser(app.id, now), now);
      const user = userRow(app.id, now, { email: email() });
      const link = linkRow(user, now, { token_hash: existing.token_hash });

      await expect(
        store().createLink(link, user, [eventRow(app.id, 'user.created', user.id, now)]),
      ).rejects.toThrow();
      expect(await store().getUser(app.id, user.id)).toBeUndefined();
      expect(await store().findUser(app.id, 'email', user.email!)).toBeUndefined();
      expect(await store().getLink(app.id, link.id)).toBeUndefined();
      expect(await eventsOfType(app.id, 'user.created')).toEqual([]);
    });

    it('creates many links with their new users, messages and events in one call (createLinks)', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const existing = await seedUser(app.id, now);
      // More rows than one multi-row INSERT takes, so the chunking is exercised.
      const items = Array.from({ length: 450 }, (_, i) => {
        const user = i % 3 === 0 ? existing : userRow(app.id, now, { email: email() });
        const link = linkRow(user, now + i);
        const message: OutboxRow | undefined =
          i % 5 === 0
            ? {
                id: id('msg', now),
                app_id: app.id,
                link_id: link.id,
                channel: 'email',
                recipient: link.identifier,
                payload: 'sealed-payload',
                status: 'pending',
                attempts: 0,
                next_attempt_at: now,
                lease_until: null,
                worker: null,
                last_error: null,
                created_at: now,
                updated_at: now,
                sent_at: null,
                trace_parent: null,
                trace_state: null,
              }
            : undefined;
        return {
          link,
          newUser: user === existing ? undefined : user,
          events: [eventRow(app.id, 'magic_link.created', link.id, now)],
          message,
        };
      });
      await store().createLinks(items);

      const links = await store().listLinks(app.id, {}, { limit: 500 }, now);
      expect(links).toHaveLength(450);
      expect(await store().getLink(app.id, items[449]!.link.id)).toEqual(items[449]!.link);
      expect(await store().getUser(app.id, items[1]!.newUser!.id)).toEqual(items[1]!.newUser);
      expect(await store().listUsers(app.id, {}, { limit: 500 })).toHaveLength(1 + 300);
      expect(await store().listEvents(app.id, { type: 'magic_link.created' }, { limit: 500 })).toHaveLength(
        450,
      );
      expect(await store().listOutboxForLink(app.id, items[5]!.link.id)).toHaveLength(1);
      expect(await store().listOutboxForLink(app.id, items[6]!.link.id)).toEqual([]);
    });

    it('writes none of the batch when one of its rows cannot be stored (createLinks)', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const taken = await seedUser(app.id, now, { email: email() });
      const fresh = userRow(app.id, now, { email: email() });
      const clash = userRow(app.id, now, { email: taken.email });
      const items = [fresh, clash].map((user) => {
        const link = linkRow(user, now);
        return {
          link,
          newUser: user,
          events: [eventRow(app.id, 'magic_link.created', link.id, now)],
          message: undefined,
        };
      });
      const error = await store()
        .createLinks(items)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UniqueViolation);
      expect(await store().getUser(app.id, fresh.id)).toBeUndefined();
      expect(await store().getLink(app.id, items[0]!.link.id)).toBeUndefined();
      expect(await eventsOfType(app.id, 'magic_link.created')).toEqual([]);
    });

    it('accepts an empty batch (createLinks)', async () => {
      await store().createLinks([]);
    });

    it('reads a link by id within its app only, and by token hash', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);

      expect(await store().getLink(app.id, link.id)).toEqual(link);
      expect(await store().getLink(other.id, link.id)).toBeUndefined();
      expect(await store().findLinkByTokenHash(link.token_hash)).toEqual(link);
      expect(await store().findLinkByTokenHash(secretHash())).toBeUndefined();
    });

    it('lists the links of one app, newest first, filtered by user and type', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const alice = await seedUser(app.id, now);
      const bob = await seedUser(app.id, now);
      const a = await seedLink(alice, now);
      const b = await seedLink(alice, now + 1, { type: 'invite' });
      const c = await seedLink(bob, now + 2);
      await seedLink(await seedUser(other.id, now), now + 3);

      expect(await store().listLinks(app.id, {}, { limit: 10 }, now)).toEqual([c, b, a]);
      expect(await store().listLinks(app.id, {}, { limit: 1, cursor: c.id }, now)).toEqual([b, a]);
      expect(await store().listLinks(app.id, { user_id: alice.id }, { limit: 10 }, now)).toEqual([b, a]);
      expect(await store().listLinks(app.id, { type: 'invite' }, { limit: 10 }, now)).toEqual([b]);
      expect(await store().listLinks(app.id, { type: 'login', user_id: bob.id }, { limit: 10 }, now)).toEqual(
        [c],
      );
    });

    it('lists the links created within a time range', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now);
      const early = await seedLink(user, now - 3000);
      const middle = await seedLink(user, now - 2000);
      const late = await seedLink(user, now - 1000);
      const list = (filter: { created_from?: number; created_to?: number }) =>
        store().listLinks(app.id, filter, { limit: 10 }, now);

      expect(await list({ created_from: now - 2500, created_to: now - 1500 })).toEqual([middle]);
      expect(await list({ created_from: now - 2500 })).toEqual([late, middle]);
      expect(await list({ created_to: now - 1500 })).toEqual([middle, early]);
    });

    it('lists links by status, where `expired` means outstanding but past its expiry', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now);
      const past = now - 1000;
      const fresh = await seedLink(user, now - 5000);
      const lapsed = await seedLink(user, now - 4000, { expires_at: past });
      const lapsedAfterOpening = await seedLink(user, now - 3000, {
        status: 'opened',
        opened_at: past,
        expires_at: past,
      });
      const redeemed = await seedLink(user, now - 2000, {
        status: 'redeemed',
        redeemed_at: past,
        expires_at: past,
      });
      const revoked = await seedLink(user, now - 1000, {
        status: 'revoked',
        revoked_at: past,
        expires_at: past,
      });
      const byStatus = (status: MagicLinkRow['status'] | 'expired') =>
        store().listLinks(app.id, { status }, { limit: 10 }, now);

      expect(await byStatus('expired')).toEqual([lapsedAfterOpening, lapsed]);
      expect(await byStatus('created')).toEqual([fresh]);
      expect(await byStatus('opened')).toEqual([]);
      expect(await byStatus('redeemed')).toEqual([redeemed]);
      expect(await byStatus('revoked')).toEqual([revoked]);
    });

    it('records the first open only, with one event', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);
      const opened = () => eventRow(app.id, 'magic_link.opened', link.id, now);

      expect(await store().markLinkOpened(link.id, now + 1, opened())).toBe(true);
      expect(await store().markLinkOpened(link.id, now + 2, opened())).toBe(false);
      expect(await store().getLink(app.id, link.id)).toMatchObject({ status: 'opened', opened_at: now + 1 });
      expect(await eventsOfType(app.id, 'magic_link.opened')).toHaveLength(1);
    });

    it('never moves a redeemed link back to opened', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { link } = await signIn(app.id, now);
      await store().markLinkOpened(link.id, now + 1, eventRow(app.id, 'magic_link.opened', link.id, now));
      expect((await store().getLink(app.id, link.id))?.status).toBe('redeemed');
    });

    it('revokes an outstanding link once, and then reports it as it is', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);
      const event = (row: MagicLinkRow) => eventRow(app.id, 'magic_link.revoked', row.id, now);

      const first = await store().revokeLink(app.id, link.id, now, event);
      expect(first).toEqual({ revoked: true, link: { ...link, status: 'revoked', revoked_at: now } });
      const second = await store().revokeLink(app.id, link.id, now + 1, event);
      expect(second).toEqual({ revoked: false, link: { ...link, status: 'revoked', revoked_at: now } });
      expect(await eventsOfType(app.id, 'magic_link.revoked')).toHaveLength(1);
    });

    it('does not revoke a redeemed link', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { link } = await signIn(app.id, now);
      const result = await store().revokeLink(app.id, link.id, now + 1, (row) =>
        eventRow(app.id, 'magic_link.revoked', row.id, now),
      );
      expect(result?.revoked).toBe(false);
      expect(result?.link.status).toBe('redeemed');
    });

    it("answers undefined for an unknown link and never revokes another app's link", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);
      const event = (row: MagicLinkRow) => eventRow(other.id, 'magic_link.revoked', row.id, now);

      expect(await store().revokeLink(app.id, id('ml', now), now, event)).toBeUndefined();
      expect(await store().revokeLink(other.id, link.id, now, event)).toBeUndefined();
      expect(await store().getLink(app.id, link.id)).toEqual(link);
      expect(await eventsOfType(other.id, 'magic_link.revoked')).toEqual([]);
    });

    it("revokes a user's outstanding, unexpired links and counts them", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { user, link: redeemed } = await signIn(app.id, now - 3000);
      const created = await seedLink(user, now - 2000);
      const opened = await seedLink(user, now - 2000, { status: 'opened', opened_at: now - 1000 });
      const expired = await seedLink(user, now - 2000, { expires_at: now - 1 });
      const revoked = await seedLink(user, now - 2000, { status: 'revoked', revoked_at: now - 1000 });
      const bystander = await seedLink(await seedUser(app.id, now), now);
      const event = (row: MagicLinkRow) => eventRow(app.id, 'magic_link.revoked', row.id, now);

      expect(await store().revokeUserLinks(app.id, user.id, now, event)).toBe(2);
      for (const link of [created, opened]) {
        expect(await store().getLink(app.id, link.id)).toMatchObject({ status: 'revoked', revoked_at: now });
      }
      for (const link of [expired, revoked, bystander])
        expect(await store().getLink(app.id, link.id)).toEqual(link);
      expect((await store().getLink(app.id, redeemed.id))?.status).toBe('redeemed');
      expect(await eventsOfType(app.id, 'magic_link.revoked')).toHaveLength(2);
    });
  });

  describe('redeemLink', () => {
    it('consumes the link and writes the session, exchange code, refresh token and events', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now - 1000);
      const link = await seedLink(user, now - 1000);
      const writes = redemptionWrites(link, now);

      const result = await store().redeemLink(
        link.token_hash,
        now,
        writes.session.id,
        (seenLink, seenUser) => {
          expect(seenLink.id).toBe(link.id);
          expect(seenUser).toEqual(user);
          return writes;
        },
      );

      const redeemed = { ...link, status: 'redeemed', redeemed_at: now, session_id: writes.session.id };
      expect(result).toEqual({
        ok: true,
        link: redeemed,
        user: { ...user, email_verified: 1, last_login_at: now, updated_at: now },
      });
      expect(await store().getLink(app.id, link.id)).toEqual(redeemed);
      expect(await store().getUser(app.id, user.id)).toMatchObject({ email_verified: 1, last_login_at: now });
      expect(await store().getSession(app.id, writes.session.id)).toEqual(writes.session);
      expect(await eventsOfType(app.id, 'magic_link.redeemed')).toEqual([writes.events[0]]);
      expect(await eventsOfType(app.id, 'session.created')).toEqual([writes.events[1]]);
      const exchanged = await store().consumeExchangeCode(
        writes.exchangeCode.code_hash,
        now,
        (_code, session) => refreshWrites(session, now),
      );
      expect(exchanged.ok).toBe(true);
      const refreshed = await store().rotateRefreshToken(
        writes.refreshToken.token_hash,
        now,
        (session) => refreshWrites(session, now),
        (session) => eventRow(app.id, 'session.refresh_reused', session.id, now),
      );
      expect(refreshed.ok).toBe(true);
    });

    it('marks the phone verified when the click proved the phone', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now, { email: null, phone: '+15555550106' });
      const link = await seedLink(user, now, {
        identifier: '+15555550106',
        identifier_kind: 'phone',
        channel: 'phone',
      });

      const writes = redemptionWrites(link, now, { verified: 'phone' });
      const result = await store().redeemLink(link.token_hash, now, writes.session.id, () => writes);
      expect(result.ok && result.user).toMatchObject({ phone_verified: 1, email_verified: 0 });
    });

    it('refuses a second redemption and returns the redeemed link', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { link, session } = await signIn(app.id, now);

      const writes = redemptionWrites(link, now + 1);
      const again = await store().redeemLink(link.token_hash, now + 1, writes.session.id, () => writes);
      expect(again.ok).toBe(false);
      expect(again.link).toMatchObject({
        id: link.id,
        status: 'redeemed',
        redeemed_at: now,
        session_id: session.id,
      });
      expect(await store().listSessions(app.id, { user_id: link.user_id }, { limit: 10 })).toHaveLength(1);
    });

    it('refuses an expired link', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now - 20 * MINUTE);

      const writes = redemptionWrites(link, now);
      const result = await store().redeemLink(link.token_hash, now, writes.session.id, () => writes);
      expect(result).toEqual({ ok: false, link });
      expect(await store().listSessions(app.id, {}, { limit: 10 })).toEqual([]);
    });

    it('refuses a revoked link', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);
      await store().revokeLink(app.id, link.id, now, (row) =>
        eventRow(app.id, 'magic_link.revoked', row.id, now),
      );

      const writes = redemptionWrites(link, now + 1);
      const result = await store().redeemLink(link.token_hash, now + 1, writes.session.id, () => writes);
      expect(result.ok).toBe(false);
      expect(result.link).toMatchObject({ id: link.id, status: 'revoked' });
    });

    it('refuses an unknown token without a link', async () => {
      const result = await store().redeemLink(secretHash(), Date.now(), 'ses_unused', planFailure);
      expect(result).toEqual({ ok: false, link: undefined });
    });

    it('consumes nothing when the plan throws', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const user = await seedUser(app.id, now);
      const link = await seedLink(user, now);

      await expect(store().redeemLink(link.token_hash, now, 'ses_unused', planFailure)).rejects.toThrow(
        'plan failed',
      );
      expect(await store().getLink(app.id, link.id)).toEqual(link);
      expect(await store().getUser(app.id, user.id)).toEqual(user);

      const writes = redemptionWrites(link, now + 1);
      const retry = await store().redeemLink(link.token_hash, now + 1, writes.session.id, () => writes);
      expect(retry.ok).toBe(true);
    });

    it('lets exactly one of 50 concurrent redemptions win', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const link = await seedLink(await seedUser(app.id, now), now);

      const results = await Promise.all(
        Array.from({ length: 50 }, () => {
          const writes = redemptionWrites(link, now);
          return store().redeemLink(link.token_hash, now, writes.session.id, () => writes);
        }),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.every((result) => result.link?.status === 'redeemed')).toBe(true);
      expect(await store().listSessions(app.id, {}, { limit: 100 })).toHaveLength(1);
      expect(await eventsOfType(app.id, 'session.created')).toHaveLength(1);
    });
  });

  describe('consumeExchangeCode', () => {
    it('spends a code once, writing what the plan returns', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { user, session, writes } = await signIn(app.id, now);
      const next = refreshWrites(session, now);

      const first = await store().consumeExchangeCode(
        writes.exchangeCode.code_hash,
        now + 1,
        (code, seen) => {
          expect(code.code_hash).toBe(writes.exchangeCode.code_hash);
          expect(seen).toEqual(session);
          return next;
        },
      );
      expect(first).toEqual({
        ok: true,
        code: { ...writes.exchangeCode, used_at: now + 1 },
        session,
        user: { ...user, email_verified: 1, last_login_at: now, updated_at: now },
      });
      expect(await eventsOfType(app.id, 'session.refreshed')).toEqual(next.events);

      const second = await store().consumeExchangeCode(writes.exchangeCode.code_hash, now + 2, () =>
        refreshWrites(session, now + 2),
      );
      expect(second).toEqual({ ok: false });
    });

    it('refuses an expired code', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { writes, session } = await signIn(app.id, now);
      const later = writes.exchangeCode.expires_at;
      const result = await store().consumeExchangeCode(writes.exchangeCode.code_hash, later, () =>
        refreshWrites(session, later),
      );
      expect(result).toEqual({ ok: false });
    });

    it('refuses an unknown code', async () => {
      expect(await store().consumeExchangeCode(secretHash(), Date.now(), planFailure)).toEqual({ ok: false });
    });

    it('refuses a code whose session was revoked', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { writes, session } = await signIn(app.id, now);
      await store().revokeSession(
        app.id,
        session.id,
        now,
        eventRow(app.id, 'session.revoked', session.id, now),
      );
      const result = await store().consumeExchangeCode(writes.exchangeCode.code_hash, now + 1, () =>
        refreshWrites(session, now + 1),
      );
      expect(result).toEqual({ ok: false });
    });

    it('leaves the code unspent when the plan throws', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { writes, session } = await signIn(app.id, now);

      await expect(
        store().consumeExchangeCode(writes.exchangeCode.code_hash, now, planFailure),
      ).rejects.toThrow('plan failed');
      const retry = await store().consumeExchangeCode(writes.exchangeCode.code_hash, now + 1, () =>
        refreshWrites(session, now + 1),
      );
      expect(retry.ok).toBe(true);
    });

    it('lets exactly one of 20 concurrent exchanges win', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { writes, session } = await signIn(app.id, now);

      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          store().consumeExchangeCode(writes.exchangeCode.code_hash, now, () => refreshWrites(session, now)),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(await eventsOfType(app.id, 'session.refreshed')).toHaveLength(1);
    });
  });

  describe('rotateRefreshToken', () => {
    const reuseEvent = (session: SessionRow) =>
      eventRow(session.app_id, 'session.refresh_reused', session.id, Date.now());

    it('spends the token and stores its successor', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { user, session, writes } = await signIn(app.id, now);
      const next = refreshWrites(session, now + 1);

      const result = await store().rotateRefreshToken(
        writes.refreshToken.token_hash,
        now + 1,
        () => next,
        reuseEvent,
      );
      expect(result).toEqual({
        ok: true,
        session: { ...session, last_refreshed_at: now + 1 },
        user: { ...user, email_verified: 1, last_login_at: now, updated_at: now },
      });
      expect(await eventsOfType(app.id, 'session.refreshed')).toEqual(next.events);

      const successor = await store().rotateRefreshToken(
        next.refreshToken.token_hash,
        now + 2,
        (seen) => refreshWrites(seen, now + 2),
        reuseEvent,
      );
      expect(successor.ok).toBe(true);
    });

    it('treats a spent token as reuse: revokes the session and writes the reuse event', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { session, writes } = await signIn(app.id, now);
      const spent = writes.refreshToken.token_hash;
      const next = refreshWrites(session, now + 1);
      await store().rotateRefreshToken(spent, now + 1, () => next, reuseEvent);

      const reused = await store().rotateRefreshToken(spent, now + 2, planFailure, reuseEvent);
      expect(reused).toEqual({ ok: false, reason: 'reused' });
      expect((await store().getSession(app.id, session.id))?.revoked_at).toBe(now + 2);
      expect(await eventsOfType(app.id, 'session.refresh_reused')).toHaveLength(1);

      // The successor handed out before the reuse dies with the session.
      const successor = await store().rotateRefreshToken(
        next.refreshToken.token_hash,
        now + 3,
        planFailure,
        reuseEvent,
      );
      expect(successor).toEqual({ ok: false, reason: 'invalid' });
    });

    it('answers invalid for an unknown token', async () => {
      const result = await store().rotateRefreshToken(secretHash(), Date.now(), planFailure, reuseEvent);
      expect(result).toEqual({ ok: false, reason: 'invalid' });
    });

    it('answers invalid for an expired token', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { writes } = await signIn(app.id, now);
      const later = writes.refreshToken.expires_at;
      const result = await store().rotateRefreshToken(
        writes.refreshToken.token_hash,
        later,
        planFailure,
        reuseEvent,
      );
      expect(result).toEqual({ ok: false, reason: 'invalid' });
    });

    it('answers invalid for a token of a revoked session', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { session, writes } = await signIn(app.id, now);
      await store().revokeSession(
        app.id,
        session.id,
        now,
        eventRow(app.id, 'session.revoked', session.id, now),
      );

      const result = await store().rotateRefreshToken(
        writes.refreshToken.token_hash,
        now + 1,
        planFailure,
        reuseEvent,
      );
      expect(result).toEqual({ ok: false, reason: 'invalid' });
    });
  });

  describe('sessions, events and session keys', () => {
    it('lists the sessions of one app, and only the active ones when asked', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const { user, session: active } = await signIn(app.id, now);
      const lapsedLink = await seedLink(user, now + 1);
      const lapsed = redemptionWrites(lapsedLink, now + 1, { session: { expires_at: now + 1000 } });
      await store().redeemLink(lapsedLink.token_hash, now + 1, lapsed.session.id, () => lapsed);
      const { session: revoked } = await signIn(app.id, now + 2);
      await store().revokeSession(
        app.id,
        revoked.id,
        now + 3,
        eventRow(app.id, 'session.revoked', revoked.id, now),
      );
      await signIn(other.id, now);

      expect(ids(await store().listSessions(app.id, {}, { limit: 10 }))).toEqual([
        revoked.id,
        lapsed.session.id,
        active.id,
      ]);
      expect(ids(await store().listSessions(app.id, { user_id: user.id }, { limit: 10 }))).toEqual([
        lapsed.session.id,
        active.id,
      ]);
      expect(ids(await store().listSessions(app.id, { active_at: now + 2000 }, { limit: 10 }))).toEqual([
        active.id,
      ]);
      expect(ids(await store().listSessions(app.id, {}, { limit: 1, cursor: revoked.id }))).toEqual([
        lapsed.session.id,
        active.id,
      ]);
    });

    it('revokes a session once, and then reports it as it is', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const { session } = await signIn(app.id, now);
      const event = () => eventRow(app.id, 'session.revoked', session.id, now);

      expect(await store().revokeSession(app.id, session.id, now + 1, event())).toEqual({
        ...session,
        revoked_at: now + 1,
      });
      expect((await store().revokeSession(app.id, session.id, now + 2, event()))?.revoked_at).toBe(now + 1);
      expect(await eventsOfType(app.id, 'session.revoked')).toHaveLength(1);
    });

    it("answers undefined for an unknown session and never revokes another app's session", async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const { session } = await signIn(app.id, now);
      const event = eventRow(other.id, 'session.revoked', session.id, now);

      expect(await store().revokeSession(app.id, id('ses', now), now, event)).toBeUndefined();
      expect(await store().revokeSession(other.id, session.id, now, event)).toBeUndefined();
      expect(await store().getSession(other.id, session.id)).toBeUndefined();
      expect(await store().getSession(app.id, session.id)).toEqual(session);
    });

    it('lists the events of one app, newest first, by type and by subject', async () => {
      const now = Date.now();
      const app = await seedApp(now);
      const other = await seedApp(now);
      const user = userRow(app.id, now, { email: email() });
      const link = linkRow(user, now);
      const userCreated = eventRow(app.id, 'user.created', user.id, now);
      const linkCreated = eventRow(app.id, 'magic_link.created', link.id, now + 1);
      const linkSent = eventRow(app.id, 'magic_link.sent', link.id, now + 2);
      await store().createLink(link, user, [userCreated, linkCreated, linkSent]);
      await store().insertUser(userRow(other.id, now), [eventRow(other.id, 'user.created', user.id, now)]);

      expect(await store().listEvents(app.id, {}, { limit: 10 })).toEqual([
        linkSent,
        linkCreated,
        userCreated,
      ]);
      expect(await store().listEvents(app.id, {}, { limit: 1, cursor: linkSent.id })).toEqual([
        linkCreated,
        userCreated,
      ]);
      expect(await store().listEvents(app.id, { type: 'user.created' }, { limit: 10 })).toEqual([
        userCreated,
      ]);
      expect(await store().listEvents(app.id, { subject_id: link.id }, { limit: 10 })).toEqual([
        linkSent,
        linkCreated,
      ]);
      expect(
        await store().listEvents(app.id, { type: 'magic_link.sent', subject_id: link.id }, { limit: 10 }),
      ).toEqual([linkSent]);
    });

    it('stores session keys and lists them newest first', async () => {
      const now = Date.now();
      const older = sessionKeyRow(now);
      const newer = sessionKeyRow(now + 1);
      await store().insertSessionKey(older);
      await store().insertSessionKey(newer);
      const mine = (await store().listSessionKeys()).filter(
        (key) => key.kid === older.kid || key.kid === newer.kid,
      );
      expect(mine).toEqual([newer, older]);
    });
  });
});
