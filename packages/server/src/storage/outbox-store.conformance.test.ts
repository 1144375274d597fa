/**
 * The outbox part of the storage contract (`OutboxStore` and the outbox purge), run unchanged against SQLite and
 * PostgreSQL. Claims are not scoped to an app, so every test gets a database of its own.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  appRow,
  DAY,
  email,
  eventRow,
  id,
  linkRow,
  MINUTE,
  SECOND,
  userRow,
  useStore,
} from '../test-support/store-rows.js';
import type { EventRow, MagicLinkRow, OutboxRow, UserRow } from './rows.js';
import type { LinkStatus } from './schema.js';

const LEASE = 30 * SECOND;

const event = (appId: string, type: string, subjectId: string, at: number) =>
  eventRow(appId, type, subjectId, at, { data: JSON.stringify({ magic_link_id: subjectId }) });

describe.each(DIALECTS)('outbox store on %s', (dialect) => {
  const { store, db, openStore } = useStore(dialect, { perTest: true });
  let appId: string;
  let user: UserRow;

  beforeEach(async () => {
    const at = Date.now();
    const app = appRow(at);
    appId = app.id;
    await store().insertApp(app, [], []);
    user = userRow(appId, at, { email: email() });
    await store().insertUser(user, []);
  });

  /** A link for the test user with its queued message, stored in one transaction the way createLink does it. */
  async function queue(
    at: number,
    options: { dueAt?: number; link?: Partial<MagicLinkRow>; message?: Partial<OutboxRow> } = {},
  ): Promise<{ link: MagicLinkRow; message: OutboxRow }> {
    const link = linkRow(user, at, options.link);
    const message: OutboxRow = {
      id: id('msg', at),
      app_id: appId,
      link_id: link.id,
      channel: 'email',
      recipient: link.identifier,
      payload: 'sealed-payload',
      status: 'pending',
      attempts: 0,
      next_attempt_at: options.dueAt ?? at,
      lease_until: null,
      worker: null,
      last_error: null,
      created_at: at,
      updated_at: at,
      sent_at: null,
      trace_parent: null,
      trace_state: null,
      ...options.message,
    };
    await store().createLink(link, undefined, [event(appId, 'magic_link.created', link.id, at)], message);
    return { link, message };
  }

  async function outboxRow(message: OutboxRow): Promise<OutboxRow> {
    const [row] = await store().listOutboxForLink(appId, message.link_id!);
    if (!row) throw new Error(`message ${message.id} is gone`);
    return row;
  }

  async function linkStatus(link: MagicLinkRow): Promise<LinkStatus> {
    const row = await store().getLink(appId, link.id);
    if (!row) throw new Error(`link ${link.id} is gone`);
    return row.status;
  }

  async function eventsOf(link: MagicLinkRow, type: string): Promise<EventRow[]> {
    return store().listEvents(appId, { type, subject_id: link.id }, { limit: 100 });
  }

  describe('claimOutbox', () => {
    it('claims due pending messages and leases them to the worker, counting the attempt', async () => {
      const now = Date.now();
      const a = await queue(now - 2 * SECOND);
      const b = await queue(now - SECOND);

      const claimed = await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

      expect(claimed.map((row) => row.id).sort()).toEqual([a.message.id, b.message.id].sort());
      for (const row of claimed) {
        expect(row).toMatchObject({
          status: 'sending',
          attempts: 1,
          lease_until: now + LEASE,
          worker: 'wkr_a',
          payload: 'sealed-payload',
        });
        expect(typeof row.attempts).toBe('number');
        expect(typeof row.next_attempt_at).toBe('number');
        expect(typeof row.created_at).toBe('number');
      }
      expect(await outboxRow(a.message)).toMatchObject({ status: 'sending', attempts: 1, worker: 'wkr_a' });
      // Leased: a second worker finds nothing to do.
      expect(await store().claimOutbox(now, now + LEASE, 10, 'wkr_b')).toEqual([]);
    });

    it('claims the oldest due messages first and at most `limit` of them', async () => {
      const now = Date.now();
      const queued = [];
      for (let i = 5; i >= 1; i--) queued.push(await queue(now - i * SECOND));
      const first = await store().claimOutbox(now, now + LEASE, 2, 'wkr_a');
      expect(first.map((row) => row.id).sort()).toEqual(
        [queued[0]!.message.id, queued[1]!.message.id].sort(),
      );
      const rest = await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      expect(rest).toHaveLength(3);
    });

    it('skips messages that are not due yet and claims them once they are', async () => {
      const now = Date.now();
      const later = await queue(now, { dueAt: now + 10 * SECOND });

      expect(await store().claimOutbox(now, now + LEASE, 10, 'wkr_a')).toEqual([]);
      expect(await outboxRow(later.message)).toMatchObject({ status: 'pending', attempts: 0 });

      const claimed = await store().claimOutbox(now + 10 * SECOND, now + 10 * SECOND + LEASE, 10, 'wkr_a');
      expect(claimed.map((row) => row.id)).toEqual([later.message.id]);
    });

    it('claims again a message whose lease ran out (its worker died), counting another attempt', async () => {
      const now = Date.now();
      const { message } = await queue(now);
      expect(await store().claimOutbox(now, now + LEASE, 10, 'wkr_dead')).toHaveLength(1);

      const afterLease = now + LEASE + SECOND;
      const again = await store().claimOutbox(afterLease, afterLease + LEASE, 10, 'wkr_b');

      expect(again.map((row) => row.id)).toEqual([message.id]);
      expect(again[0]).toMatchObject({ status: 'sending', attempts: 2, worker: 'wkr_b' });
    });

    it('does not claim a message while its lease is live', async () => {
      const now = Date.now();
      await queue(now);
      expect(await store().claimOutbox(now, now + LEASE, 10, 'wkr_a')).toHaveLength(1);

      expect(await store().claimOutbox(now + LEASE - SECOND, now + 2 * LEASE, 10, 'wkr_b')).toEqual([]);
      expect(await store().claimOutbox(now + LEASE, now + 2 * LEASE, 10, 'wkr_b')).toEqual([]);
    });

    it('does not claim sent or failed messages', async () => {
      const now = Date.now();
      await queue(now, { message: { status: 'sent', sent_at: now } });
      await queue(now, { message: { status: 'failed' } });
      expect(await store().claimOutbox(now + DAY, now + DAY + LEASE, 10, 'wkr_a')).toEqual([]);
    });

    it('lets a stale worker not release a message another worker has leased since', async () => {
      const now = Date.now();
      const { message } = await queue(now);
      expect(await store().claimOutbox(now, now + LEASE, 10, 'wkr_slow')).toHaveLength(1);
      const afterLease = now + LEASE + SECOND;
      expect(await store().claimOutbox(afterLease, afterLease + LEASE, 10, 'wkr_b')).toHaveLength(1);

      // The first worker finally gives up on its (expired) attempt and asks for a retry right away.
      await store().markOutboxFailed({
        id: message.id,
        worker: 'wkr_slow',
        now: afterLease + SECOND,
        events: [],
        error: 'SMTP: timed out',
        retryAt: afterLease + SECOND,
      });

      // wkr_b's lease is live: nobody else may send the message now.
      expect(await store().claimOutbox(afterLease + 2 * SECOND, afterLease + LEASE, 10, 'wkr_c')).toEqual([]);
      expect(await outboxRow(message)).toMatchObject({ status: 'sending', worker: 'wkr_b' });
    });

    it('gives every one of 100 messages to exactly one of 5 concurrent workers', async () => {
      const now = Date.now();
      const queued = new Set<string>();
      for (let i = 0; i < 100; i++) queued.add((await queue(now - 100 + i)).message.id);
      // Each worker has its own connection (pool), as separate processes would.
      const stores = Array.from({ length: 5 }, openStore);
      const claims = new Map<string, string[]>();
      const rounds = await Promise.all(
        stores.map(async (workerStore, n) => {
          const worker = `wkr_${n}`;
          let batches = 0;
          for (;;) {
            const at = Date.now();
            // A lease far longer than the test: a row claimed twice was claimed while its lease was live.
            const rows = await workerStore.claimOutbox(at, at + DAY, 10, worker);
            if (rows.length === 0) return batches;
            batches += 1;
            for (const row of rows) claims.set(row.id, [...(claims.get(row.id) ?? []), worker]);
            expect(rows.length).toBeLessThanOrEqual(10);
          }
        }),
      );

      expect(rounds.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(10);
      const twice = [...claims].filter(([, workers]) => workers.length > 1);
      expect(twice).toEqual([]);
      expect(new Set(claims.keys())).toEqual(queued);
      const rows = await db().selectFrom('outbox').select(['status', 'attempts']).execute();
      expect(rows).toHaveLength(100);
      expect(rows.every((row) => row.status === 'sending' && Number(row.attempts) === 1)).toBe(true);
    });
  });

  describe('markOutboxSent', () => {
    it('records the message as sent and moves its link to sent, with the events, once', async () => {
      const now = Date.now();
      const { link, message } = await queue(now);
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

      const sentAt = now + SECOND;
      await store().markOutboxSent({
        id: message.id,
        worker: 'wkr_a',
        now: sentAt,
        events: [event(appId, 'magic_link.sent', link.id, sentAt)],
      });

      expect(await outboxRow(message)).toMatchObject({
        status: 'sent',
        sent_at: sentAt,
        lease_until: null,
        last_error: null,
      });
      expect(await store().getLink(appId, link.id)).toMatchObject({ status: 'sent', sent_at: sentAt });
      expect(await eventsOf(link, 'magic_link.sent')).toHaveLength(1);

      // A second report (another worker sent it too after a lease ran out) changes nothing.
      await store().markOutboxSent({
        id: message.id,
        worker: 'wkr_b',
        now: sentAt + SECOND,
        events: [event(appId, 'magic_link.sent', link.id, sentAt + SECOND)],
      });
      expect(await outboxRow(message)).toMatchObject({ status: 'sent', sent_at: sentAt });
      expect(await store().getLink(appId, link.id)).toMatchObject({ status: 'sent', sent_at: sentAt });
      expect(await eventsOf(link, 'magic_link.sent')).toHaveLength(1);
    });

    it('records a batch in one call: each message and link once, skipping one already recorded', async () => {
      const now = Date.now();
      const queued = [await queue(now), await queue(now), await queue(now)];
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      const [first, ...rest] = queued;
      const sentAt = now + SECOND;
      const outcome = ({ link, message }: (typeof queued)[number]) => ({
        id: message.id,
        worker: 'wkr_a',
        now: sentAt,
        events: [event(appId, 'magic_link.sent', link.id, sentAt)],
      });
      await store().markOutboxSent(outcome(first!));
      await store().markOutboxSentMany(queued.map(outcome));
      for (const { link, message } of queued) {
        expect(await outboxRow(message)).toMatchObject({ status: 'sent', sent_at: sentAt });
        expect(await store().getLink(appId, link.id)).toMatchObject({ status: 'sent' });
        expect(await eventsOf(link, 'magic_link.sent')).toHaveLength(1);
      }
      expect(rest).toHaveLength(2);
      await store().markOutboxSentMany([]);
    });

    it.each<[LinkStatus, Partial<MagicLinkRow>]>([
      ['opened', { opened_at: 1 }],
      ['redeemed', { opened_at: 1, redeemed_at: 2 }],
      ['revoked', { revoked_at: 1 }],
    ])('never moves a link back from %s', async (status, stamps) => {
      const now = Date.now();
      const { link, message } = await queue(now, { link: { status, ...stamps } });
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

      await store().markOutboxSent({ id: message.id, worker: 'wkr_a', now: now + SECOND, events: [] });

      expect(await outboxRow(message)).toMatchObject({ status: 'sent' });
      expect(await linkStatus(link)).toBe(status);
    });

    it('moves a link that had failed delivery to sent when a later attempt got through', async () => {
      const now = Date.now();
      const { link, message } = await queue(now, { link: { status: 'delivery_failed' } });
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      await store().markOutboxSent({ id: message.id, worker: 'wkr_a', now: now + SECOND, events: [] });
      expect(await linkStatus(link)).toBe('sent');
    });

    it('moves a link to delivered, with its time, when the receiving server confirmed the message', async () => {
      const now = Date.now();
      const { link, message } = await queue(now);
      const other = await queue(now);
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      await store().markOutboxSentMany([
        { id: message.id, worker: 'wkr_a', now: now + SECOND, events: [], delivered: true },
        { id: other.message.id, worker: 'wkr_a', now: now + SECOND, events: [] },
      ]);
      const read = await store().getLink(appId, link.id);
      expect(read).toMatchObject({ status: 'delivered', sent_at: now + SECOND, delivered_at: now + SECOND });
      // Sent in the same batch but not confirmed: only sent.
      expect(await store().getLink(appId, other.link.id)).toMatchObject({
        status: 'sent',
        delivered_at: null,
      });
    });

    it('never moves an opened link back to delivered', async () => {
      const now = Date.now();
      const { link, message } = await queue(now, { link: { status: 'opened', opened_at: now } });
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      await store().markOutboxSent({
        id: message.id,
        worker: 'wkr_a',
        now: now + SECOND,
        events: [],
        delivered: true,
      });
      expect(await store().getLink(appId, link.id)).toMatchObject({
        status: 'opened',
        delivered_at: now + SECOND,
      });
    });
  });

  describe('markOutboxFailed', () => {
    it('with retryAt, puts the message back for a later attempt and leaves the link alone', async () => {
      const now = Date.now();
      const { link, message } = await queue(now);
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

      const retryAt = now + 5 * SECOND;
      await store().markOutboxFailed({
        id: message.id,
        worker: 'wkr_a',
        now: now + SECOND,
        events: [],
        error: 'SMTP ECONNECTION/ECONNREFUSED with 127.0.0.1:2525: connect ECONNREFUSED',
        retryAt,
      });

      expect(await outboxRow(message)).toMatchObject({
        status: 'pending',
        attempts: 1,
        next_attempt_at: retryAt,
        lease_until: null,
        last_error: 'SMTP ECONNECTION/ECONNREFUSED with 127.0.0.1:2525: connect ECONNREFUSED',
      });
      expect(await linkStatus(link)).toBe('created');
      expect(await store().claimOutbox(retryAt - 1, retryAt + LEASE, 10, 'wkr_a')).toEqual([]);
      const again = await store().claimOutbox(retryAt, retryAt + LEASE, 10, 'wkr_a');
      expect(again.map((row) => row.id)).toEqual([message.id]);
      expect(again[0]!.attempts).toBe(2);
    });

    it('keeps only the first 1000 characters of the error', async () => {
      const now = Date.now();
      const { message } = await queue(now);
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      await store().markOutboxFailed({
        id: message.id,
        worker: 'wkr_a',
        now,
        events: [],
        error: 'x'.repeat(5000),
        retryAt: now + SECOND,
      });
      expect((await outboxRow(message)).last_error).toHaveLength(1000);
    });

    it.each<LinkStatus>(['created', 'sent'])(
      'with retryAt null, gives the message up and fails a %s link, with its event',
      async (status) => {
        const now = Date.now();
        const { link, message } = await queue(now, { link: { status } });
        await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

        await store().markOutboxFailed({
          id: message.id,
          worker: 'wkr_a',
          now: now + SECOND,
          events: [event(appId, 'magic_link.delivery_failed', link.id, now + SECOND)],
          error: 'SMTP RCPT TO refused by 127.0.0.1:2525: 550 No such user here',
          retryAt: null,
        });

        expect(await outboxRow(message)).toMatchObject({ status: 'failed', lease_until: null });
        expect(await linkStatus(link)).toBe('delivery_failed');
        // The failure has its own time; delivered_at is left for a confirmed delivery.
        expect(await store().getLink(appId, link.id)).toMatchObject({
          delivery_failed_at: now + SECOND,
          delivered_at: null,
        });
        expect(await eventsOf(link, 'magic_link.delivery_failed')).toHaveLength(1);
        // Given up: no worker picks it up again.
        expect(await store().claimOutbox(now + DAY, now + DAY + LEASE, 10, 'wkr_a')).toEqual([]);
      },
    );

    it('records a batch in one call: each message and link once, skipping one already recorded', async () => {
      const now = Date.now();
      const queued = [await queue(now), await queue(now), await queue(now)];
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      const [first, ...rest] = queued;
      const sentAt = now + SECOND;
      const outcome = ({ link, message }: (typeof queued)[number]) => ({
        id: message.id,
        worker: 'wkr_a',
        now: sentAt,
        events: [event(appId, 'magic_link.sent', link.id, sentAt)],
      });
      await store().markOutboxSent(outcome(first!));
      await store().markOutboxSentMany(queued.map(outcome));
      for (const { link, message } of queued) {
        expect(await outboxRow(message)).toMatchObject({ status: 'sent', sent_at: sentAt });
        expect(await store().getLink(appId, link.id)).toMatchObject({ status: 'sent' });
        expect(await eventsOf(link, 'magic_link.sent')).toHaveLength(1);
      }
      expect(rest).toHaveLength(2);
      await store().markOutboxSentMany([]);
    });

    it.each<[LinkStatus, Partial<MagicLinkRow>]>([
      ['opened', { opened_at: 1 }],
      ['redeemed', { opened_at: 1, redeemed_at: 2 }],
      ['revoked', { revoked_at: 1 }],
    ])('with retryAt null, leaves a %s link as it is', async (status, stamps) => {
      const now = Date.now();
      const { link, message } = await queue(now, { link: { status, ...stamps } });
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');

      await store().markOutboxFailed({
        id: message.id,
        worker: 'wkr_a',
        now: now + SECOND,
        events: [],
        error: 'SMTP: refused',
        retryAt: null,
      });

      expect(await outboxRow(message)).toMatchObject({ status: 'failed' });
      expect(await linkStatus(link)).toBe(status);
    });

    it('does nothing to a message that is no longer being sent', async () => {
      const now = Date.now();
      const { link, message } = await queue(now);
      await store().claimOutbox(now, now + LEASE, 10, 'wkr_a');
      await store().markOutboxSent({ id: message.id, worker: 'wkr_a', now: now + SECOND, events: [] });

      await store().markOutboxFailed({
        id: message.id,
        worker: 'wkr_a',
        now: now + 2 * SECOND,
        events: [event(appId, 'magic_link.delivery_failed', link.id, now + 2 * SECOND)],
        error: 'late',
        retryAt: null,
      });

      expect(await outboxRow(message)).toMatchObject({ status: 'sent', last_error: null });
      expect(await linkStatus(link)).toBe('sent');
      expect(await eventsOf(link, 'magic_link.delivery_failed')).toEqual([]);
    });
  });

  describe('purgeExpired', () => {
    it('removes sent and failed messages older than 7 days, and nothing else', async () => {
      const now = Date.now();
      const old = now - 7 * DAY - MINUTE;
      const recent = now - 7 * DAY + MINUTE;
      const oldSent = await queue(old, { message: { status: 'sent', sent_at: old } });
      const oldFailed = await queue(old, { message: { status: 'failed', last_error: 'refused' } });
      const recentSent = await queue(recent, { message: { status: 'sent', sent_at: recent } });
      const recentFailed = await queue(recent, { message: { status: 'failed' } });
      const oldPending = await queue(old, { dueAt: now + DAY });
      const oldSending = await queue(old, { message: { status: 'sending', lease_until: now + DAY } });

      expect(await store().purgeOutbox(now)).toBe(2);
      const left = (await db().selectFrom('outbox').select('id').execute()).map((row) => row.id).sort();
      expect(left).toEqual(
        [recentSent, recentFailed, oldPending, oldSending].map((q) => q.message.id).sort(),
      );
      expect(left).not.toContain(oldSent.message.id);
      expect(left).not.toContain(oldFailed.message.id);
      // The links stay: only the messages go.
      expect(await store().getLink(appId, oldSent.link.id)).toBeDefined();
      expect(await store().purgeOutbox(now)).toBe(0);
    });
  });
});
