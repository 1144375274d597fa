import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { Type } from 'typebox';
import { errorResponse } from '../http/openapi.js';
import type { RouteGroups, RouteScope } from '../http/routes.js';
import { checkReady, outboxDepth, Readiness } from './ops-service.js';
import type { OpsContext } from './ops-store.js';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** Each server gets its own registry, so several servers in one test process do not share counters. */
export function createMetrics(ctx: OpsContext): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });
  // Read when scraped: how many messages wait in the outbox, shared by every node of the installation.
  new Gauge({
    name: 'latchkey_outbox_messages',
    help: 'Messages in the outbox by status (pending: waiting for a worker; sending: claimed, in flight)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const depth = await outboxDepth(ctx);
      this.set({ status: 'pending' }, depth.pending);
      this.set({ status: 'sending' }, depth.sending);
    },
  });
  // What the alert rules of docs/deployment.md watch, read from the database when scraped (one node's view is every
  // node's: the outbox and the attempts are shared).
  // The three gauges below are collected together on each scrape: they share one read of the database.
  const HOUR_MS = 3_600_000;
  let reading: ReturnType<typeof ctx.store.deliveryHealth> | undefined;
  const health = () => {
    reading ??= ctx.store.deliveryHealth(ctx.clock() - HOUR_MS).finally(() => {
      reading = undefined;
    });
    return reading;
  };
  new Gauge({
    name: 'latchkey_outbox_oldest_age_seconds',
    help: 'Age of the oldest message waiting or in flight in the outbox (0 when none is)',
    registers: [registry],
    async collect() {
      const { oldestQueuedAt } = await health();
      this.set(oldestQueuedAt === null ? 0 : Math.max(0, (ctx.clock() - oldestQueuedAt) / 1000));
    },
  });
  new Gauge({
    name: 'latchkey_webhook_endpoints_failing',
    help: 'Webhook endpoints whose deliveries have been failing, and endpoints disabled for failing',
    registers: [registry],
    async collect() {
      this.set((await health()).failingEndpoints);
    },
  });
  new Gauge({
    name: 'latchkey_delivery_failures_last_hour',
    help: 'Failed delivery attempts in the last hour, by kind (message: email or SMS; webhook)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const facts = await health();
      this.set({ kind: 'message' }, facts.failedSends);
      this.set({ kind: 'webhook' }, facts.failedWebhookDeliveries);
    },
  });
  return {
    registry,
    requests: new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}

/** Counts every request of the server (registered at the root, so it sees every scope). */
export function countRequests(app: RouteScope, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: URLs carry tokens and would explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}

const Alive = Type.Object(
  { status: Type.Literal('ok') },
  { description: 'The process is up and serving requests' },
);

export function opsRoutes(ctx: OpsContext, metrics: Metrics): RouteGroups {
  return {
    public: async (app) => {
      app.get(
        '/healthz',
        {
          schema: {
            operationId: 'getLiveness',
            tags: ['operations'],
            summary: 'The process is up',
            description:
              'Touches no database: a liveness probe, never a reason to route traffic (see /readyz).',
            response: { 200: Alive },
          },
        },
        async () => ({ status: 'ok' as const }),
      );

      app.get(
        '/readyz',
        {
          schema: {
            operationId: 'getReadiness',
            tags: ['operations'],
            summary: 'The database answers, migrations are done and Redis (with REDIS_URL) answers',
            response: {
              200: Readiness,
              503: {
                ...errorResponse(503),
                description:
                  'Not ready (`not_ready`): the database does not answer, migrations have not run, or Redis (REDIS_URL) does not answer; the message says which.',
              },
            },
          },
        },
        async () => checkReady(ctx),
      );

      app.get(
        '/metrics',
        {
          schema: {
            operationId: 'getMetrics',
            tags: ['operations'],
            summary: 'Prometheus metrics',
            description:
              'The Prometheus text exposition format (version 0.0.4): request counts and durations by route pattern, the outbox depth and age, failing webhook endpoints, delivery failures of the last hour, and the process’s own metrics, all prefixed `latchkey_`.',
            response: {
              200: {
                description: 'The metrics, in the Prometheus text format',
                content: {
                  'text/plain': {
                    schema: Type.String({
                      examples: [
                        '# HELP latchkey_outbox_messages Messages in the outbox by status (pending: waiting for a worker; sending: claimed, in flight)\n# TYPE latchkey_outbox_messages gauge\nlatchkey_outbox_messages{status="pending"} 0\nlatchkey_outbox_messages{status="sending"} 0\n',
                      ],
                    }),
                  },
                },
              },
            },
          },
        },
        async (_request, reply) =>
          reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
      );
    },
  };
}
