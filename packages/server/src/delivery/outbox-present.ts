/**
 * Email and SMS messages as the API shows them (the outbox routes, and a link's `deliveries`): where they stand and
 * every attempt with the provider's answer. Never the payload, which holds the live link and code.
 */
import { iso, isoOrNull } from '../http/present.js';
import type { OutboxAttemptRow } from '../storage/rows.js';
import type { OutboxMessageRow } from './outbox-store.js';

export function presentAttempt(row: OutboxAttemptRow) {
  return {
    attempt: row.attempt,
    at: iso(row.at),
    ok: row.ok === 1,
    permanent: row.permanent === 1,
    answer: row.answer,
    duration_ms: row.duration_ms,
  };
}

/**
 * One message. `attempts` stays the count it always was; the log of those attempts is `attempt_log`, oldest first.
 * The columns are picked one by one, so a payload on the row given would still never be shown.
 */
export function presentMessage(row: OutboxMessageRow, attempts: readonly OutboxAttemptRow[]) {
  return {
    id: row.id,
    link_id: row.link_id,
    channel: row.channel,
    recipient: row.recipient,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_error: row.last_error,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    sent_at: isoOrNull(row.sent_at),
    attempt_log: attempts.filter((a) => a.message_id === row.id).map(presentAttempt),
  };
}
