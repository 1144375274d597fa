import { newId } from '../crypto/tokens.js';
import type { EventRow } from '../storage/rows.js';
import type { EventContext } from './event-store.js';

/** Every state change is recorded as an event row, written in the same transaction as the change itself. */
export type EventType =
  | 'app.created'
  | 'app.updated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.updated'
  | 'user.created'
  | 'user.updated'
  | 'user.deleted'
  | 'user.verified'
  | 'magic_link.created'
  | 'magic_link.sent'
  | 'magic_link.delivered'
  | 'magic_link.delivery_failed'
  | 'magic_link.delivery_retried'
  | 'magic_link.opened'
  | 'magic_link.redeemed'
  | 'magic_link.revoked'
  | 'login.started'
  | 'login.approved'
  | 'login.denied'
  | 'login.code_failed'
  | 'session.created'
  | 'session.refreshed'
  | 'session.revoked'
  | 'signing_key.created'
  | 'signing_key.revoked'
  | 'signed_link.redeemed'
  | 'session_key.rotated'
  | 'magic_link.expired'
  | 'login.code_failed'
  | 'rate_limit.hit'
  | 'webhook_endpoint.created'
  | 'webhook_endpoint.updated'
  | 'webhook_endpoint.deleted'
  | 'webhook_endpoint.secret_rotated'
  | 'webhook_endpoint.disabled'
  | 'operator.created'
  | 'operator.updated'
  | 'operator.removed'
  | 'operator.signed_in'
  | 'dashboard.change';

export function makeEvent(
  ctx: Pick<EventContext, 'clock' | 'random'>,
  appId: string | null,
  type: EventType,
  subjectId: string | null,
  data: Record<string, unknown>,
  at: number = ctx.clock(),
): EventRow {
  return {
    id: newId('evt', at, ctx.random),
    app_id: appId,
    type,
    subject_id: subjectId,
    data: JSON.stringify(data),
    created_at: at,
  };
}
