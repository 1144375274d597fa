import type { DeliveryChannel } from '../delivery/channel.js';
import { sendWebhookMessage } from './webhook-sender.js';
import type { WebhookContext } from './webhook-store.js';

/** The outbox channel of webhook messages: one signed POST per attempt, with its own retry schedule and log. */
export function webhookChannel(ctx: WebhookContext): DeliveryChannel {
  return { id: 'webhook', dispatch: (row, run) => sendWebhookMessage(ctx, row, run.worker) };
}
