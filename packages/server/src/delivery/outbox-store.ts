/** The store operations of the outbox: claiming, recording and purging messages (delivery/outbox-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { EventRow, MagicLinkRow, OutboxAttemptRow, OutboxRow, Page } from '../storage/rows.js';
import type { Channel, OutboxStatus } from '../storage/schema.js';
import type { Delivery } from './message.js';
import type { TemplateContext } from './templates/template-store.js';

export interface OutboxOutcome {
  id: string;
  worker: string;
  now: number;
  events: EventRow[];
  /** For a sent message: the receiving server confirmed it (the link becomes `delivered`, not just `sent`). */
  delivered?: boolean | undefined;
  /** The attempt's entry in the attempt log, written with the outcome (email and SMS; webhooks keep their own). */
  attempt?: OutboxAttemptRow | undefined;
}

/**
 * A message as the outbox API lists it: every column but the sealed payload, which never leaves storage, and the
 * trace context, which only the worker reads.
 */
export type OutboxMessageRow = Omit<OutboxRow, 'payload' | 'trace_parent' | 'trace_state'>;

export interface OutboxFilter {
  status?: OutboxStatus | undefined;
  channel?: Channel | undefined;
  link_id?: string | undefined;
  created_from?: number | undefined;
  created_to?: number | undefined;
}

/** The writes of a manual retry, decided by the service once it has seen the message and its link. */
export type RetryPlan = (message: OutboxRow, link: MagicLinkRow | undefined) => EventRow[];

export interface OutboxStore {
  /**
   * Claims up to `limit` messages that are due, or whose previous worker's lease ran out, leasing them to `worker`
   * until `leaseUntil`. On PostgreSQL concurrent workers skip each other's rows (`FOR UPDATE SKIP LOCKED`).
   */
  claimOutbox(now: number, leaseUntil: number, limit: number, worker: string): Promise<OutboxRow[]>;
  /**
   * Records a sent message and moves its link to `sent`, or to `delivered` when the outcome says the receiving
   * server confirmed it (never back from a later state).
   */
  markOutboxSent(outcome: OutboxOutcome): Promise<void>;
  /** `markOutboxSent` for several messages in one transaction (a worker's batch). */
  markOutboxSentMany(outcomes: OutboxOutcome[]): Promise<void>;
  /** Schedules another attempt at `retryAt`, or, with `retryAt` null, gives the message up as `delivery_failed`. */
  markOutboxFailed(outcome: OutboxOutcome & { error: string; retryAt: number | null }): Promise<void>;
  /** Deletes sent and abandoned messages a week after their last change, with their attempts; answers how many. */
  purgeOutbox(now: number): Promise<number>;
  /** The app's email and SMS messages (never webhook ones), newest first. */
  listOutbox(appId: string, filter: OutboxFilter, page: Page): Promise<OutboxMessageRow[]>;
  /** One email or SMS message of the app. */
  getOutboxMessage(appId: string, id: string): Promise<OutboxMessageRow | undefined>;
  /** The attempts of these messages of the app, each message's in order. */
  listOutboxAttempts(appId: string, messageIds: readonly string[]): Promise<OutboxAttemptRow[]>;
  /**
   * Queues a given-up message again, due now, keeping its attempt count. `plan` sees the message and its link inside
   * the transaction and returns the events to write, or throws to refuse (nothing is written then). `retried` is
   * false when the message is not `failed` (any more): another retry or a worker got there first. Undefined when the
   * app has no such email or SMS message.
   */
  retryOutboxMessage(
    appId: string,
    id: string,
    now: number,
    plan: RetryPlan,
  ): Promise<{ retried: boolean; message: OutboxMessageRow } | undefined>;
}

/** What the outbox worker and the delivery routes receive. */
export type DeliveryContext = TemplateContext &
  ServiceContext<OutboxStore> & {
    delivery: Delivery;
  };

/** What a service that queues a message needs: a way to tell this process's worker. */
export interface QueueContext {
  delivery: Pick<Delivery, 'wake'>;
}
