/**
 * A delivery channel sends the outbox messages of one kind (`channel` of the row: email, phone, webhook) and records
 * each outcome itself. The outbox worker only claims, leases and dispatches: it knows no channel, and channels
 * register with it where the process is put together (runtime.ts).
 */

import type { OutboxRow } from '../storage/rows.js';
import type { OutboxOutcome } from './outbox-store.js';

/** What the worker offers a channel for one claim of messages. */
export interface DispatchRun {
  /** The claiming worker's id: leases and records are made under it. */
  worker: string;
  /**
   * Records a sent message together with the others that finish in the same turn of the event loop, in one
   * transaction. Resolves once this message's record is written.
   */
  recordSent(outcome: OutboxOutcome): Promise<void>;
  /**
   * Reads `key` once per claim: a claim mostly holds messages of a few apps, so their settings and templates are
   * read once, and a change made meanwhile applies from the next claim.
   */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

export interface DeliveryChannel {
  /** The outbox `channel` value this channel sends. */
  readonly id: string;
  /**
   * Sends one claimed message and records its outcome (sent, retry later, or failed for good). May throw when even
   * the record cannot be written: the worker then leaves the message leased, and another attempt follows when the
   * lease runs out.
   */
  dispatch(row: OutboxRow, run: DispatchRun): Promise<void>;
}
