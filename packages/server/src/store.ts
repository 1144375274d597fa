/**
 * The store: every capability's slice of storage operations (declared beside its service, implemented beside it
 * on Kysely), put together over one database. SQLite and PostgreSQL share every query; the conformance suites in
 * storage/ run the same tests against both.
 */

import { analyticsQueries } from './analytics/analytics-queries.js';
import type { AnalyticsStore } from './analytics/analytics-store.js';
import { appQueries } from './apps/app-queries.js';
import type { AppStore } from './apps/app-store.js';
import { operatorQueries } from './dashboard/operator-queries.js';
import type { OperatorStore } from './dashboard/operator-store.js';
import { outboxQueries } from './delivery/outbox-queries.js';
import type { OutboxStore } from './delivery/outbox-store.js';
import { templateQueries } from './delivery/templates/template-queries.js';
import type { TemplateStore } from './delivery/templates/template-store.js';
import { eventQueries } from './events/event-queries.js';
import type { EventStore } from './events/event-store.js';
import { idempotencyQueries } from './http/idempotency-queries.js';
import type { IdempotencyStore } from './http/idempotency-store.js';
import { campaignQueries } from './links/campaigns/campaign-queries.js';
import type { CampaignStore } from './links/campaigns/campaign-store.js';
import { linkQueries } from './links/link-queries.js';
import type { LinkStore } from './links/link-store.js';
import { loginFlowQueries } from './login/login-flow-queries.js';
import type { LoginFlowStore } from './login/login-flow-store.js';
import { appHealthQueries } from './ops/app-health-queries.js';
import type { AppHealthStore } from './ops/app-health-store.js';
import { opsQueries } from './ops/ops-queries.js';
import type { OpsStore } from './ops/ops-store.js';
import { rateLimitQueries } from './rate-limit/rate-limit-queries.js';
import type { RateLimitStore } from './rate-limit/rate-limit-store.js';
import { sessionQueries } from './sessions/session-queries.js';
import type { SessionStore } from './sessions/session-store.js';
import { signedLinkQueries } from './signed-links/signed-link-queries.js';
import type { SignedLinkStore } from './signed-links/signed-link-store.js';
import type { DatabaseHandle } from './storage/database.js';
import { configureWebhookFanOut } from './storage/query-helpers.js';
import { userQueries } from './users/user-queries.js';
import type { UserStore } from './users/user-store.js';
import { webhookQueries } from './webhooks/webhook-queries.js';
import type { WebhookStore } from './webhooks/webhook-store.js';

export interface Store
  extends AppStore,
    UserStore,
    LinkStore,
    SessionStore,
    SignedLinkStore,
    OutboxStore,
    TemplateStore,
    LoginFlowStore,
    EventStore,
    RateLimitStore,
    IdempotencyStore,
    WebhookStore,
    AnalyticsStore,
    OpsStore,
    AppHealthStore,
    OperatorStore,
    CampaignStore {
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Event types that are delivered to webhook endpoints; writing one queues a message per subscribed endpoint. */
  webhookEventTypes: Iterable<string>;
}

export function createStore(handle: DatabaseHandle, options: StoreOptions): Store {
  const { db } = handle;
  const endpointCache = configureWebhookFanOut(db, options.webhookEventTypes, handle.externalVersion);
  return {
    ...appQueries(db, handle.externalVersion),
    ...userQueries(db),
    ...linkQueries(db),
    ...sessionQueries(db),
    ...signedLinkQueries(db),
    ...outboxQueries(db, handle.dialect),
    ...templateQueries(db),
    ...loginFlowQueries(db),
    ...eventQueries(db),
    ...rateLimitQueries(db),
    ...idempotencyQueries(db),
    ...webhookQueries(db, endpointCache),
    ...analyticsQueries(db, handle.dialect),
    ...opsQueries(db, handle.dialect),
    ...appHealthQueries(db),
    ...operatorQueries(db),
    ...campaignQueries(db),
    close: () => handle.close(),
  };
}
