/**
 * The health of one app at a glance, for the dashboard's Overview and for monitoring: how far behind its outbox is,
 * which webhook endpoints are failing, and how many deliveries failed in the last hour. Each part has a status
 * (`ok`, `warning`, `failing`) by the thresholds below, and the whole is the worst of its parts.
 */
import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { AppHealthContext } from './app-health-store.js';

export type HealthStatus = 'ok' | 'warning' | 'failing';

const Status = Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('failing')]);

/** The health of one app, as `GET /v1/health` answers it. */
export const AppHealth = Named(
  'AppHealth',
  Type.Object(
    {
      status: { ...Status, description: 'The worst of the parts’ statuses.' },
      checked_at: Timestamp,
      outbox: Type.Object({
        status: { ...Status, description: '`warning` after 5 minutes of waiting, `failing` after 30.' },
        pending: Type.Integer({ minimum: 0, description: 'Messages waiting for a worker.' }),
        sending: Type.Integer({ minimum: 0, description: 'Messages claimed by a worker, in flight.' }),
        oldest_queued_at: Nullable(Timestamp),
        oldest_age_seconds: Nullable(
          Type.Integer({ minimum: 0, description: 'Seconds the oldest message has waited.' }),
        ),
      }),
      webhooks: Type.Object({
        status: {
          ...Status,
          description: '`warning` while an endpoint is failing, `failing` once one was disabled for it.',
        },
        endpoints: Type.Integer({ minimum: 0, description: 'The app’s webhook endpoints.' }),
        failing: Type.Array(
          Type.Object({
            id: Id('whe'),
            url: Type.String(),
            status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
            failing_since: Nullable(Timestamp),
          }),
          { description: 'Endpoints still failing, and those disabled for failing.' },
        ),
      }),
      delivery_failures: Type.Object({
        status: { ...Status, description: '`warning` when any delivery failed in the last hour.' },
        since: Timestamp,
        email_and_sms: Type.Integer({ minimum: 0, description: 'Failed email and SMS sends since `since`.' }),
        webhooks: Type.Integer({ minimum: 0, description: 'Failed webhook deliveries since `since`.' }),
      }),
    },
    {
      description: 'The app’s delivery health',
      examples: [
        {
          status: 'warning',
          checked_at: '2026-12-06T10:00:00.000Z',
          outbox: {
            status: 'ok',
            pending: 0,
            sending: 1,
            oldest_queued_at: '2026-12-06T09:59:58.000Z',
            oldest_age_seconds: 2,
          },
          webhooks: {
            status: 'warning',
            endpoints: 2,
            failing: [
              {
                id: 'whe_01jf3k8m9q2x7v5t4r6n8p0c2d',
                url: 'https://api.example.com/latchkey/webhooks',
                status: 'enabled',
                failing_since: '2026-12-06T08:12:00.000Z',
              },
            ],
          },
          delivery_failures: {
            status: 'warning',
            since: '2026-12-06T09:00:00.000Z',
            email_and_sms: 0,
            webhooks: 14,
          },
        },
      ],
    },
  ),
);

/** A message waiting this long means the worker is behind or down (a first attempt is due at once). */
export const OUTBOX_WARNING_SECONDS = 5 * 60;
export const OUTBOX_FAILING_SECONDS = 30 * 60;
const HOUR_MS = 60 * 60 * 1000;

export async function appHealth(ctx: AppHealthContext, appId: string): Promise<Static<typeof AppHealth>> {
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
