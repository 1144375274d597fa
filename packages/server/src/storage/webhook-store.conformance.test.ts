/**
 * The webhook part of the storage contract, run unchanged against SQLite and PostgreSQL: events fan out into outbox
 * messages in their own transaction, endpoints keep their health, and each link's expiry is recorded once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import {
  appRow,
  DAY,
  email,
  eventRow,
  id,
  linkRow,
  MINUTE,
  userRow,
  useStore,
} from '../test-support/store-rows.js';
import type { EventRow, UserRow, WebhookAttemptRow, WebhookEndpointRow } from './rows.js';

function endpointRow(
  appId: string,
  at: number,
  overrides: Partial<WebhookEndpointRow> = {},
): WebhookEndpointRow {
  return {
    id: id('whe', at),
    app_id: appId,
    url: 'https://hooks.example.com/x',
    description: '',
    event_types: '*',
    secret: 'sealed',
    secret_hint: 'whsec_abc…',
    previous_secret: null,
    previous_secret_expires_at: null,
    status: 'enabled',
    disabled_reason: null,
    failing_since: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

function attemptRow(endpoint: WebhookEndpointRow, at: number, ok: boolean): WebhookAttemptRow {
  return {
    id: id('wha', at),
    app_id: endpoint.app_id,
    endpoint_id: endpoint.id,
    event_id: id('evt', at),
    message_id: 'whm_x',
    attempt: 1,
    ok: ok ? 1 : 0,
    status_code: ok ? 200 : 500,
    latency_ms: 12,
    response_excerpt: null,
    error: null,
    created_at: at,
  };
}

describe.each(DIALECTS)('webhook store on %s', (dialect) => {
  const { store, db, openStore } = useStore(dialect, { perTest: true });
  let appId: string;
  let user: UserRow;
  const now = Date.now();

  beforeEach(async () => {
    const app = appRow(now);
    appId = app.id;
    await store().insertApp(app, [], []);
    user = userRow(appId, now, { email: email() });
    await store().insertUser(user, []);
  });

  const messages = () => db().selectFrom('outbox').selectAll().where('channel', '=', 'webhook').execute();

  // Which endpoints an app has is cached in memory; an endpoint added, disabled or deleted here counts from the next
  // event on, and in another process within a second (at once on SQLite; on PostgreSQL as its notification arrives).
  it('queues for the endpoints as they are now, whoever changed them last', async () => {
    const otherProcess = openStore();
    const write = async (type: string) => {
      await store().insertEvents([eventRow(appId, type, null, now)]);
      return (await messages()).length;
    };
    expect(await write('magic_link.created')).toBe(0);
    expect(await write('magic_link.created')).toBe(0);

    const here = endpointRow(appId, now);
    await store().insertWebhookEndpoint(here, []);
    expect(await write('magic_link.created')).toBe(1);

    // Writes an event every few milliseconds until it queues `more` messages at once: the other process's change
    // is seen within a second. Answers how many messages are queued then.
    const writeUntil = (more: number) =>
      eventually(
        `an event queuing ${more} messages`,
        async () => {
          const before = (await messages()).length;
          const after = await write('magic_link.created');
          return after - before === more ? after : undefined;
        },
        1000,
      );
    const there = endpointRow(appId, now);
    await otherProcess.insertWebhookEndpoint(there, []);
    const queued = await writeUntil(2);

    await otherProcess.updateWebhookEndpoint(appId, there.id, { status: 'disabled', updated_at: now }, []);
    expect(await writeUntil(1)).toBeGreaterThan(queued);

    const beforeDelete = (await messages()).length;
    await store().deleteWebhookEndpoint(appId, here.id, []);
    expect(await write('magic_link.created')).toBe(beforeDelete);
  });

  it('queues one message per subscribed, enabled endpoint in the transaction that writes the event', async () => {
    const all = endpointRow(appId, now);
    const links = endpointRow(appId, now, { event_types: ',magic_link.created,magic_link.redeemed,' });
    const off = endpointRow(appId, now, { status: 'disabled' });
    const other = appRow(now);
    await store().insertApp(other, [], []);
    const foreign = endpointRow(other.id, now);
    for (const ep of [all, links, off, foreign]) await store().insertWebhookEndpoint(ep, []);

    const link = linkRow(user, now);
    const created = eventRow(appId, 'magic_link.created', link.id, now);
    const audit = eventRow(appId, 'api_key.created', null, now);
    await store().createLink(link, undefined, [created, audit]);
    const userEvent = eventRow(appId, 'user.created', user.id, now);
    await store().updateUser(appId, user.id, { updated_at: now }, [userEvent]);

    const rows = await messages();
    const pairs = rows.map((r) => `${r.payload}>${r.recipient}`).sort();
    expect(pairs).toEqual(
      [`${created.id}>${all.id}`, `${created.id}>${links.id}`, `${userEvent.id}>${all.id}`].sort(),
    );
    for (const r of rows) {
      expect(r).toMatchObject({ app_id: appId, status: 'pending', attempts: 0, link_id: null });
      expect(r.id).toMatch(/^whm_/);
    }
    // A transaction that fails writes neither the event nor its messages.
    const before = rows.length;
    await expect(
      store().createLink(linkRow(user, now, { id: link.id }), undefined, [
        eventRow(appId, 'magic_link.created', link.id, now),
      ]),
    ).rejects.toThrow();
    expect((await messages()).length).toBe(before);
  });

  it('keeps the endpoint health and disables it once the failures are old enough', async () => {
    const ep = endpointRow(appId, now);
    await store().insertWebhookEndpoint(ep, []);
    const disabledEvent = (e: WebhookEndpointRow): EventRow =>
      eventRow(e.app_id, 'webhook_endpoint.disabled', e.id, now, {
        data: JSON.stringify({ since: e.failing_since }),
      });

    expect(
      await store().recordWebhookAttempt(attemptRow(ep, now, false), now - 5 * DAY, disabledEvent),
    ).toEqual({
      disabled: false,
    });
    expect((await store().getWebhookEndpoint(appId, ep.id))!.failing_since).toBe(now);
    // A later failure keeps the start of the run.
    await store().recordWebhookAttempt(attemptRow(ep, now + DAY, false), now - 4 * DAY, disabledEvent);
    expect((await store().getWebhookEndpoint(appId, ep.id))!.failing_since).toBe(now);
    // A success ends the run.
    await store().recordWebhookAttempt(attemptRow(ep, now + DAY, true), now - 4 * DAY, disabledEvent);
    expect((await store().getWebhookEndpoint(appId, ep.id))!.failing_since).toBeNull();

    await store().recordWebhookAttempt(attemptRow(ep, now + 2 * DAY, false), now, disabledEvent);
    const result = await store().recordWebhookAttempt(
      attemptRow(ep, now + 8 * DAY, false),
      now + 3 * DAY,
      disabledEvent,
    );
    expect(result).toEqual({ disabled: true });
    const after = (await store().getWebhookEndpoint(appId, ep.id))!;
    expect(after).toMatchObject({ status: 'disabled', disabled_reason: 'failing' });
    expect(
      await store().listEvents(appId, { type: 'webhook_endpoint.disabled' }, { limit: 10 }),
    ).toHaveLength(1);
    // Only once.
    expect(
      await store().recordWebhookAttempt(attemptRow(ep, now + 9 * DAY, false), now + 9 * DAY, disabledEvent),
    ).toEqual({ disabled: false });
    const log = await store().listWebhookAttempts(appId, ep.id, {}, { limit: 50 });
    expect(log).toHaveLength(6);
  });

  it('updates, lists and deletes endpoints of one app only', async () => {
    const ep = endpointRow(appId, now);
    await store().insertWebhookEndpoint(ep, []);
    expect(
      await store().updateWebhookEndpoint('app_other', ep.id, { updated_at: now, description: 'x' }, []),
    ).toBeUndefined();
    const changed = await store().updateWebhookEndpoint(
      appId,
      ep.id,
      { updated_at: now + 1, description: 'x' },
      [],
    );
    expect(changed).toMatchObject({ description: 'x', updated_at: now + 1 });
    expect(await store().listWebhookEndpoints(appId, { limit: 10 })).toHaveLength(1);
    await store().recordWebhookAttempt(attemptRow(ep, now, true), 0, () => {
      throw new Error('not called');
    });
    expect(await store().deleteWebhookEndpoint('app_other', ep.id, [])).toBe(false);
    expect(await store().deleteWebhookEndpoint(appId, ep.id, [])).toBe(true);
    expect(await store().getWebhookEndpoint(appId, ep.id)).toBeUndefined();
    expect(await store().listWebhookAttempts(appId, ep.id, {}, { limit: 10 })).toEqual([]);
  });

  it('records each expiry once, and none for used or revoked links', async () => {
    const expired = linkRow(user, now - DAY, { expires_at: now - MINUTE });
    const redeemed = linkRow(user, now - DAY, {
      expires_at: now - MINUTE,
      status: 'redeemed',
      redeemed_at: now - DAY,
    });
    const revoked = linkRow(user, now - DAY, {
      expires_at: now - MINUTE,
      status: 'revoked',
      revoked_at: now - DAY,
    });
    const live = linkRow(user, now, { expires_at: now + DAY });
    for (const l of [expired, redeemed, revoked, live]) await store().createLink(l, undefined, []);
    const event = (l: { id: string; app_id: string }) => eventRow(l.app_id, 'magic_link.expired', l.id, now);
    expect(await store().sweepExpiredLinks(now, 2, event)).toBe(2);
    expect(await store().sweepExpiredLinks(now, 2, event)).toBe(1);
    expect(await store().sweepExpiredLinks(now, 2, event)).toBe(0);
    const events = await store().listEvents(appId, { type: 'magic_link.expired' }, { limit: 10 });
    expect(events.map((e) => e.subject_id)).toEqual([expired.id]);
    expect(await store().sweepExpiredLinks(now + 2 * DAY, 10, event)).toBe(1);
    expect(await store().listEvents(appId, { type: 'magic_link.expired' }, { limit: 10 })).toHaveLength(2);
  });

  it('reads one event of its own app', async () => {
    const e = eventRow(appId, 'user.created', user.id, now);
    await store().updateUser(appId, user.id, { updated_at: now }, [e]);
    expect(await store().getEvent(appId, e.id)).toMatchObject({ id: e.id, type: 'user.created' });
    expect(await store().getEvent('app_other', e.id)).toBeUndefined();
  });
});
