/**
 * Email and SMS messages as the API shows them (the outbox routes, and a link's `deliveries`): where they stand and
 * every attempt with the provider's answer. Never the payload, which holds the live link and code.
 */
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { OutboxAttemptRow } from '../storage/rows.js';
import type { Channel } from '../storage/schema.js';
import type { OutboxMessageRow } from './outbox-store.js';

/** One send of a message and what the provider answered. */
export const OutboxAttempt = Named(
  'OutboxAttempt',
  Type.Object(
    {
      attempt: Type.Integer({ minimum: 1, description: '1 for the first try, then counting.' }),
      at: Timestamp,
      ok: Type.Boolean(),
      permanent: Type.Boolean({ description: 'The failure was final: retrying could not help.' }),
      answer: Type.String({
        description:
          'The provider’s answer on one line (`250 2.0.0 OK queued`, or the failure), scrubbed of links and codes.',
      }),
      duration_ms: Type.Integer({ minimum: 0 }),
    },
    { description: 'A send of the message' },
  ),
);

export function presentAttempt(row: OutboxAttemptRow): Static<typeof OutboxAttempt> {
  return {
    attempt: row.attempt,
    at: iso(row.at),
    ok: row.ok === 1,
    permanent: row.permanent === 1,
    answer: row.answer,
    duration_ms: row.duration_ms,
  };
}

/** An email or SMS message, never with its content. */
export const OutboxMessage = Named(
  'OutboxMessage',
  Type.Object(
    {
      id: Id('msg'),
      link_id: Nullable(Id('ml')),
      channel: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
      recipient: Type.String({ description: 'The email address or E.164 phone number.' }),
      status: Type.Union([
        Type.Literal('pending'),
        Type.Literal('sending'),
        Type.Literal('sent'),
        Type.Literal('failed'),
      ]),
      attempts: Type.Integer({ minimum: 0, description: 'How many sends were made.' }),
      next_attempt_at: Nullable({
        ...Timestamp,
        description: 'When the next send is due; null unless pending.',
      }),
      last_error: Nullable(Type.String({ description: 'Why the last send failed.' })),
      created_at: Timestamp,
      updated_at: Timestamp,
      sent_at: Nullable(Timestamp),
      attempt_log: Type.Array(OutboxAttempt, { description: 'Every send, oldest first.' }),
    },
    {
      description: 'An email or SMS message',
      examples: [
        {
          id: 'msg_01jf3m7r9t1v3x5z7b9d1f3h5k',
          link_id: 'ml_01jf3m7r8s0t2v4x6z8b0d2f4h',
          channel: 'email',
          recipient: 'jane@example.com',
          status: 'sent',
          attempts: 1,
          next_attempt_at: null,
          last_error: null,
          created_at: '2026-12-06T10:00:00.000Z',
          updated_at: '2026-12-06T10:00:01.000Z',
          sent_at: '2026-12-06T10:00:01.000Z',
          attempt_log: [
            {
              attempt: 1,
              at: '2026-12-06T10:00:01.000Z',
              ok: true,
              permanent: false,
              answer: '250 2.0.0 OK queued',
              duration_ms: 412,
            },
          ],
        },
      ],
    },
  ),
);

/**
 * One message. `attempts` stays the count it always was; the log of those attempts is `attempt_log`, oldest first.
 * The columns are picked one by one, so a payload on the row given would still never be shown.
 */
export function presentMessage(
  row: OutboxMessageRow,
  attempts: readonly OutboxAttemptRow[],
): Static<typeof OutboxMessage> {
  return {
    id: row.id,
    link_id: row.link_id,
    // Only email and SMS messages are read here (outbox-queries.ts); webhook messages have their own log.
    channel: row.channel as Channel,
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
