/**
 * The outbox as operators read it: email and SMS messages with their attempts, and a retry for one that was given
 * up. Webhook messages are not listed here; their endpoints keep a log of their own (webhooks/).
 */
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import { iso } from '../http/present.js';
import type { MagicLinkRow, OutboxAttemptRow, OutboxRow, Page } from '../storage/rows.js';
import type { Channel } from '../storage/schema.js';
import { openPayload } from './outbox-payload.js';
import type { DeliveryContext, OutboxFilter, OutboxMessageRow } from './outbox-store.js';
import { ensureCanSend } from './transports/create-transports.js';

export interface MessagesWithAttempts {
  messages: OutboxMessageRow[];
  attempts: OutboxAttemptRow[];
}

/** A page of the app's messages (one extra row for the cursor, as lists do) and the attempts of those messages. */
export async function listMessages(
  ctx: DeliveryContext,
  appId: string,
  filter: OutboxFilter,
  page: Page,
): Promise<MessagesWithAttempts> {
  const messages = await ctx.store.listOutbox(appId, filter, page);
  const attempts = await ctx.store.listOutboxAttempts(
    appId,
    messages.map((m) => m.id),
  );
  return { messages, attempts };
}

export async function getMessage(
  ctx: DeliveryContext,
  appId: string,
  id: string,
): Promise<{ message: OutboxMessageRow; attempts: OutboxAttemptRow[] }> {
  const message = await ctx.store.getOutboxMessage(appId, id);
  if (!message) throw notFound(id);
  return { message, attempts: await ctx.store.listOutboxAttempts(appId, [id]) };
}

/**
 * Queues a message that was given up (`failed`) again, due now. Its attempt count goes on from where it stopped:
 * a message given up after all its attempts gets one more, one refused for good early keeps the retries it has left
 * under the limit. Refused, with nothing written, for a message that is not failed, whose link was used or revoked,
 * or whose link has expired (the person would get a link that no longer works), and on a production server with no
 * transport for its channel.
 */
export async function retryMessage(
  ctx: DeliveryContext,
  appId: string,
  id: string,
): Promise<{ message: OutboxMessageRow; attempts: OutboxAttemptRow[] }> {
  const now = ctx.clock();
  const result = await ctx.store.retryOutboxMessage(appId, id, now, (message, link) => {
    refuseUnlessRetryable(ctx, message, link, now);
    return [
      makeEvent(
        ctx,
        appId,
        'magic_link.delivery_retried',
        message.link_id ?? message.id,
        {
          magic_link_id: message.link_id,
          message_id: message.id,
          channel: message.channel,
          attempts: message.attempts,
        },
        now,
      ),
    ];
  });
  if (!result) throw notFound(id);
  if (!result.retried) {
    // Another retry (or worker) moved the message on between our read and our write: say where it stands now.
    const current = await ctx.store.getOutboxMessage(appId, id);
    throw notFailed(current ?? result.message);
  }
  ctx.delivery.wake();
  return { message: result.message, attempts: await ctx.store.listOutboxAttempts(appId, [id]) };
}

function refuseUnlessRetryable(
  ctx: DeliveryContext,
  message: OutboxRow,
  link: MagicLinkRow | undefined,
  now: number,
): void {
  if (message.status !== 'failed') throw notFailed(message);
  if (link?.status === 'redeemed' || link?.status === 'revoked') {
    throw new ApiError(
      'conflict',
      `The link message ${message.id} carries was ${link.status === 'redeemed' ? 'already used' : 'revoked'}; sending it again would deliver a link that does not work. Create a new link with send: true instead.`,
    );
  }
  const expiresAt = openPayload(ctx, message).expiresAt;
  if (expiresAt <= now) {
    throw new ApiError(
      'conflict',
      `The link in message ${message.id} expired at ${iso(expiresAt)}; sending it again would deliver a link that no longer works. Create a new link with send: true instead.`,
    );
  }
  ensureCanSend(
    ctx.config,
    message.channel as Channel,
    'Configure it and retry, or create a new link without send and deliver its url yourself.',
  );
}

function notFound(id: string): ApiError {
  return new ApiError('not_found', `No email or SMS message ${id} in this app.`);
}

/** 409 for a message that is not `failed`, saying what it is instead and what to do. */
function notFailed(message: Pick<OutboxMessageRow, 'id' | 'status' | 'sent_at'>): ApiError {
  const state: Record<OutboxMessageRow['status'], string> = {
    pending: 'is already queued and will be sent without a retry',
    sending: 'is being sent right now',
    sent: `was sent${message.sent_at === null ? '' : ` at ${iso(message.sent_at)}`}; to send the person another link, create a new one`,
    failed: 'was given up',
  };
  return new ApiError(
    'conflict',
    `Message ${message.id} ${state[message.status]}. Only a message that was given up (status failed) can be retried.`,
  );
}
