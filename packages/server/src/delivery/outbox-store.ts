/** The store operations of the outbox: claiming, recording and purging messages (delivery/outbox-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { EventRow, OutboxRow } from '../storage/rows.js';
import type { Delivery } from './message.js';
import type { TemplateContext } from './templates/template-store.js';

export interface OutboxOutcome {
  id: string;
  worker: string;
  now: number;
  events: EventRow[];
  /** For a sent message: the receiving server confirmed it (the link becomes `delivered`, not just `sent`). */
  delivered?: boolean | undefined;
}

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
  /** Deletes sent and abandoned messages a week after their last change; answers how many. */
  purgeOutbox(now: number): Promise<number>;
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
