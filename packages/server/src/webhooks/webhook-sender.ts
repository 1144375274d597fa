/**
 * Sends one queued webhook message (an outbox row with channel `webhook`) and records the outcome: the attempt log,
 * the endpoint's health, and the outbox row's next step. The outbox worker calls it; leases, crash recovery and
 * at-least-once delivery are the outbox's.
 */

import { newId } from '../crypto/tokens.js';
import { jitterFraction } from '../delivery/backoff.js';
import { signStandardWebhook } from '../delivery/standard-webhooks.js';
import { makeEvent } from '../events/event-factory.js';
import { iso } from '../http/present.js';
import type { EventRow, OutboxRow, WebhookEndpointRow } from '../storage/rows.js';
import { noteSendOutcome, startOutgoingRequest } from '../tracing/delivery-spans.js';
import { DestinationRefusedError, pinnedDispatcher } from './pinned-dispatcher.js';
import { destinationProblem, hostOf, systemResolveHost } from './url-policy.js';
import { signingSecrets } from './webhook-service.js';
import type { WebhookContext } from './webhook-store.js';

/**
 * Waits before attempts 2, 3, …: about three days in all (71.6 hours), front-loaded so a short outage costs
 * seconds and a long one is still covered. Each wait gets up to 10 % of jitter.
 */
export const WEBHOOK_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  20 * 3_600_000,
];

/** An endpoint whose every attempt failed for this long is disabled (with a `webhook_endpoint.disabled` event). */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3_600_000;

export const TIMEOUT_MS = 10_000;
const EXCERPT_BYTES = 1024;

export interface AttemptOutcome {
  ok: boolean;
  statusCode: number | null;
  excerpt: string | null;
  error: string | null;
}

export async function sendWebhookMessage(ctx: WebhookContext, row: OutboxRow, worker: string): Promise<void> {
  const endpoint = await ctx.store.getWebhookEndpoint(row.app_id, row.recipient);
  const event = endpoint ? await ctx.store.getEvent(row.app_id, row.payload) : undefined;
  if (!endpoint || !event || endpoint.status !== 'enabled') {
    // Nothing to retry: the endpoint was deleted or disabled after the message was queued.
    const error = !endpoint
      ? 'The endpoint was deleted.'
      : !event
        ? 'The event no longer exists.'
        : 'The endpoint is disabled.';
    noteSendOutcome('failed');
    await ctx.store.markOutboxFailed({
      id: row.id,
      worker,
      now: ctx.clock(),
      events: [],
      error,
      retryAt: null,
    });
    return;
  }
  const started = performance.now();
  const outcome = await postWebhook(ctx, endpoint, { id: event.id, body: webhookBody(event) });
  const now = ctx.clock();
  const attempt = {
    id: newId('wha', now, ctx.random),
    app_id: row.app_id,
    endpoint_id: endpoint.id,
    event_id: event.id,
    message_id: row.id,
    attempt: row.attempts,
    ok: outcome.ok ? 1 : 0,
    status_code: outcome.statusCode,
    latency_ms: Math.round(performance.now() - started),
    response_excerpt: outcome.excerpt,
    error: outcome.error,
    created_at: now,
  };
  const { disabled } = await ctx.store.recordWebhookAttempt(attempt, now - DISABLE_AFTER_FAILING_MS, (ep) =>
    makeEvent(ctx, ep.app_id, 'webhook_endpoint.disabled', ep.id, {
      webhook_endpoint_id: ep.id,
      reason: `every attempt failed since ${iso(ep.failing_since ?? now)}; last: ${describe(outcome)}`,
      failing_since: iso(ep.failing_since ?? now),
    }),
  );
  if (disabled)
    ctx.logger.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled after failing for days');
  if (outcome.ok) {
    noteSendOutcome('sent');
    await ctx.store.markOutboxSent({ id: row.id, worker, now, events: [] });
    return;
  }
  const delay = WEBHOOK_RETRY_DELAYS_MS[row.attempts - 1];
  const jitter = jitterFraction(ctx.random);
  noteSendOutcome(delay === undefined || disabled ? 'failed' : 'retry');
  await ctx.store.markOutboxFailed({
    id: row.id,
    worker,
    now,
    events: [],
    error: describe(outcome),
    retryAt: delay === undefined || disabled ? null : now + Math.round(delay * (1 + jitter / 10)),
  });
}

function describe(outcome: AttemptOutcome): string {
  return outcome.error ?? `HTTP ${outcome.statusCode}`;
}

/** The body of a delivery: the same bytes on every attempt, since it is built from the stored event only. */
export function webhookBody(event: EventRow): string {
  return JSON.stringify({ type: event.type, timestamp: iso(event.created_at), data: JSON.parse(event.data) });
}

/** What one POST carries: the `webhook-id` (an event id) and the exact bytes that are signed and sent. */
export interface WebhookDelivery {
  id: string;
  body: string;
}

/**
 * One POST of an event: every delivery, and the test event (test-event-service.ts), so both are signed and connected
 * alike. The destination is checked twice, for different reasons: first here, so a refused destination is recorded
 * plainly and `ctx.fetch` is never called for it (even a fetch that ignores the dispatcher); then by the connection itself (pinnedDispatcher), which resolves the name once more, checks that
 * answer and connects only to it, so a DNS answer that changes after the first check cannot redirect the delivery.
 *
 * The dispatcher is passed as fetch's `dispatcher` option, which the global fetch honours. An injected fetch
 * (tests, benchmarks) receives it too: one that hands the options on to the global fetch or undici's keeps the pin;
 * one that ignores them is not pinned, which is harmless only because such fakes open no socket to the URL.
 */
export async function postWebhook(
  ctx: WebhookContext,
  endpoint: WebhookEndpointRow,
  delivery: WebhookDelivery,
): Promise<AttemptOutcome> {
  const url = new URL(endpoint.url);
  const allowPrivate = ctx.config.webhooks.allowPrivate;
  const resolveHost = ctx.resolveHost ?? systemResolveHost;
  // Checked again now: a name that was public when the endpoint was saved may point inside the network today.
  const problem = await destinationProblem(url, allowPrivate, resolveHost);
  if (problem !== undefined) return refused(problem);
  const { id, body } = delivery;
  const now = ctx.clock();
  const timestamp = Math.floor(now / 1000);
  const signature = signingSecrets(ctx, endpoint, now)
    .map((secret) => signStandardWebhook(secret, id, timestamp, body))
    .join(' ');
  const dispatcher = await pinnedDispatcher(hostOf(url), allowPrivate, resolveHost);
  // The receiver may continue the trace from `traceparent` (sent only while tracing; outside the signed content).
  const outgoing = startOutgoingRequest('POST', url);
  try {
    const init: RequestInit & { dispatcher: typeof dispatcher } = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Latchkey-Webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
        ...outgoing.headers,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      dispatcher,
    };
    const response = await ctx.fetch(url, init);
    outgoing.end({ status: response.status });
    const excerpt = await readExcerpt(response);
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      statusCode: response.status,
      excerpt,
      error: ok
        ? null
        : response.status >= 300 && response.status < 400
          ? `HTTP ${response.status}: redirects are not followed`
          : null,
    };
  } catch (error) {
    const answer = failure(error);
    outgoing.end({ error: answer.error?.startsWith('No answer') ? 'timeout' : 'no_answer' });
    return answer;
  } finally {
    // Nothing is kept for the next delivery: it resolves and checks its own connection.
    await dispatcher.destroy().catch(() => {});
  }
}

const refused = (problem: string): AttemptOutcome => ({
  ok: false,
  statusCode: null,
  excerpt: null,
  error: `Refused: ${problem}.`,
});

/** A fetch that failed before any answer: refused by the policy at connect time, timed out, or not connected. */
function failure(error: unknown): AttemptOutcome {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause instanceof DestinationRefusedError) return refused(cause.problem);
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return {
    ok: false,
    statusCode: null,
    excerpt: null,
    error: timedOut
      ? `No answer within ${TIMEOUT_MS / 1000} s.`
      : `Could not connect: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`,
  };
}

/** The first KiB of the answer, read no further (a receiver may answer with a large or endless body). */
async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short still leaves what arrived.
  } finally {
    void reader.cancel().catch(() => {});
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(
    Buffer.concat(chunks).subarray(0, EXCERPT_BYTES),
  );
  return text === '' ? null : text;
}
