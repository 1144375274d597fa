/**
 * The health of one app at a glance, for the dashboard's Overview and for monitoring: how far behind its outbox is,
 * which webhook endpoints are failing, and how many deliveries failed in the last hour. Each part has a status
 * (`ok`, `warning`, `failing`) by the thresholds below, and the whole is the worst of its parts.
 */
import { iso, isoOrNull } from '../http/present.js';
import type { AppHealthContext } from './app-health-store.js';

export type HealthStatus = 'ok' | 'warning' | 'failing';

/** A message waiting this long means the worker is behind or down (a first attempt is due at once). */
export const OUTBOX_WARNING_SECONDS = 5 * 60;
export const OUTBOX_FAILING_SECONDS = 30 * 60;
const HOUR_MS = 60 * 60 * 1000;

export async function appHealth(ctx: AppHealthContext, appId: string) {
  const now = ctx.clock();
  const since = now - HOUR_MS;
  const facts = await ctx.store.appHealthFacts(appId, since);

  const oldestAge =
    facts.oldestQueuedAt === null ? null : Math.max(0, Math.floor((now - facts.oldestQueuedAt) / 1000));
  const outboxStatus: HealthStatus =
    oldestAge === null || oldestAge < OUTBOX_WARNING_SECONDS
      ? 'ok'
      : oldestAge < OUTBOX_FAILING_SECONDS
        ? 'warning'
        : 'failing';
  // An endpoint disabled for failing gets nothing any more; one still failing is still being retried.
  const webhookStatus: HealthStatus = facts.failingEndpoints.some((e) => e.status === 'disabled')
    ? 'failing'
    : facts.failingEndpoints.length > 0
      ? 'warning'
      : 'ok';
  const failures = facts.failedSends + facts.failedWebhookDeliveries;
  const failureStatus: HealthStatus = failures > 0 ? 'warning' : 'ok';

  return {
    status: worst([outboxStatus, webhookStatus, failureStatus]),
    checked_at: iso(now),
    outbox: {
      status: outboxStatus,
      pending: facts.pending,
      sending: facts.sending,
      oldest_queued_at: isoOrNull(facts.oldestQueuedAt),
      oldest_age_seconds: oldestAge,
    },
    webhooks: {
      status: webhookStatus,
      endpoints: facts.endpoints,
      failing: facts.failingEndpoints.map((e) => ({
        id: e.id,
        url: e.url,
        status: e.status,
        failing_since: isoOrNull(e.failing_since),
      })),
    },
    delivery_failures: {
      status: failureStatus,
      since: iso(since),
      email_and_sms: facts.failedSends,
      webhooks: facts.failedWebhookDeliveries,
    },
  };
}

const ORDER: readonly HealthStatus[] = ['ok', 'warning', 'failing'];

function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'ok');
}
