import { newId } from '../crypto/tokens.js';
import { newOutboxRow } from '../storage/outbox-rows.js';
import type { OutboxRow } from '../storage/rows.js';
import type { Channel, LinkType } from '../storage/schema.js';
import type { DeliveryContext } from './outbox-store.js';

/**
 * What a queued message needs to be rendered and sent. It holds the live link (and code), so it is sealed under
 * the master key before it is stored, with the message id as associated data.
 */
export interface OutboxPayload {
  v: 1;
  url: string;
  code?: string | undefined;
  type: LinkType;
  language: string | null;
  identifier: string;
  identifierKind: Channel;
  expiresAt: number;
}

export function sealPayload(
  ctx: Pick<DeliveryContext, 'secretBox'>,
  messageId: string,
  payload: OutboxPayload,
): string {
  return ctx.secretBox.seal(JSON.stringify(payload), messageId);
}

export function openPayload(ctx: Pick<DeliveryContext, 'secretBox'>, row: OutboxRow): OutboxPayload {
  return JSON.parse(ctx.secretBox.open(row.payload, row.id)) as OutboxPayload;
}

/** A new message for the outbox, due now, with its payload sealed under its own id. */
export function queuedOutboxRow(
  ctx: Pick<DeliveryContext, 'secretBox' | 'random'>,
  target: { appId: string; linkId: string | null; channel: Channel; recipient: string },
  payload: OutboxPayload,
  now: number,
): OutboxRow {
  const id = newId('msg', now, ctx.random);
  return newOutboxRow({ id, ...target, payload: sealPayload(ctx, id, payload), now });
}
