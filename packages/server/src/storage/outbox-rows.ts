import { context, propagation } from '@opentelemetry/api';
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
    ...traceContext(),
  };
}

/**
 * The trace context of whatever queues the message (a request, usually), in W3C form, so the send continues its
 * trace however much later and on whichever node it happens. This is the vendor-neutral API that libraries call:
 * with no tracing set up, no propagator is registered and nothing is written (both null).
 */
function traceContext(): { trace_parent: string | null; trace_state: string | null } {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(context.active(), carrier);
  return { trace_parent: carrier.traceparent ?? null, trace_state: carrier.tracestate ?? null };
}
