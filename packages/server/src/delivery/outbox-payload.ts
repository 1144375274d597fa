import type { Context } from '../context.js';
import type { Channel, LinkType } from '../storage/schema.js';
import type { OutboxRow } from '../storage/store.js';

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
  ctx: Pick<Context, 'secretBox'>,
  messageId: string,
  payload: OutboxPayload,
): string {
  return ctx.secretBox.seal(JSON.stringify(payload), messageId);
}

export function openPayload(ctx: Pick<Context, 'secretBox'>, row: OutboxRow): OutboxPayload {
  return JSON.parse(ctx.secretBox.open(row.payload, row.id)) as OutboxPayload;
}
