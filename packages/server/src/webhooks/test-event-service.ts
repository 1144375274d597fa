/**
 * The test event: `webhook.test` sent to one endpoint now, while the person who asked waits, through the same signer
 * and the same pinned connection as every delivery (webhook-sender.ts `postWebhook`), and logged in the endpoint's
 * attempt log.
 *
 * It is not stored as an event of the app: a test is no state change, and as an event it would be fanned out to
 * every endpoint subscribed to all types, shown in the events API and the live tail, and counted nowhere useful.
 * Its id is a fresh `evt_…` (the `webhook-id` receivers deduplicate on); its attempt's `message_id` is a `wht_…`
 * id, since no outbox message carries it, which is how the attempt log tells tests apart.
 */
import { newId } from '../crypto/tokens.js';
import { iso } from '../http/present.js';
import type { WebhookAttemptRow } from '../storage/rows.js';
import { WEBHOOK_TEST_EVENT } from './event-types.js';
import { postWebhook } from './webhook-sender.js';
import { getEndpoint } from './webhook-service.js';
import type { WebhookContext } from './webhook-store.js';

export const TEST_EVENT_TYPE = Object.keys(WEBHOOK_TEST_EVENT)[0] as keyof typeof WEBHOOK_TEST_EVENT;

/** The prefix of a test attempt's `message_id` (`wht_…`). */
export const TEST_MESSAGE_PREFIX = 'wht';

/**
 * Sends the test event and answers the logged attempt, whatever its outcome: a refused or failing receiver is the
 * answer the caller asked for, not an error of this request. A disabled endpoint is tested too (that is how one checks
 * a fix before enabling it again), and a test never changes the endpoint's health: it neither clears nor starts a run
 * of failures, and never disables it.
 */
export async function sendTestEvent(
  ctx: WebhookContext,
  appId: string,
  endpointId: string,
): Promise<WebhookAttemptRow> {
  const endpoint = await getEndpoint(ctx, appId, endpointId);
  const at = ctx.clock();
  const eventId = newId('evt', at, ctx.random);
  const body = JSON.stringify({
    type: TEST_EVENT_TYPE,
    timestamp: iso(at),
    data: {
      webhook_endpoint_id: endpoint.id,
      message: 'This is a test event from Latchkey. Nothing happened; answer 2xx to acknowledge it.',
    },
  });
  const started = performance.now();
  const outcome = await postWebhook(ctx, endpoint, { id: eventId, body });
  const now = ctx.clock();
  const attempt: WebhookAttemptRow = {
    id: newId('wha', now, ctx.random),
    app_id: appId,
    endpoint_id: endpoint.id,
    event_id: eventId,
    message_id: newId(TEST_MESSAGE_PREFIX, now, ctx.random),
    attempt: 1,
    ok: outcome.ok ? 1 : 0,
    status_code: outcome.statusCode,
    latency_ms: Math.round(performance.now() - started),
    response_excerpt: outcome.excerpt,
    error: outcome.error,
    created_at: now,
  };
  await ctx.store.logWebhookAttempt(attempt);
  return attempt;
}
