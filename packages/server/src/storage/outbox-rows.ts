import type { OutboxRow } from './rows.js';
import type { Channel } from './schema.js';

/**
 * A message as it enters the outbox: pending, due at `now`, never tried. The one place that shape is written, for
 * link messages (sealed payload), webhook messages queued with their events, and manual redeliveries.
 */
export function newOutboxRow(input: {
  id: string;
  appId: string;
  linkId: string | null;
  channel: Channel | 'webhook';
  /** An address, a phone number, or a webhook endpoint id. */
  recipient: string;
  /** A sealed message payload, or the id of the event a webhook message delivers. */
  payload: string;
  now: number;
}): OutboxRow {
  return {
    id: input.id,
    app_id: input.appId,
    link_id: input.linkId,
    channel: input.channel,
    recipient: input.recipient,
    payload: input.payload,
    status: 'pending',
    attempts: 0,
    next_attempt_at: input.now,
    lease_until: null,
    worker: null,
    last_error: null,
    created_at: input.now,
    updated_at: input.now,
    sent_at: null,
  };
}
