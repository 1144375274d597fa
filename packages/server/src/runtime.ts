import { join } from 'node:path';
import type { Logger } from 'pino';
import { rollupLinkStats } from './analytics/stats-rollup.js';
import { type CreatedKey, createApp, newApiKey, updateApp } from './apps/app-service.js';
import { welcomeUrl } from './apps/app-settings.js';
import { claimDefaultApp } from './apps/default-app.js';
import type { Config } from './config/config.js';
import { loadMasterKey } from './config/master-key.js';
import type { ServiceContext } from './context.js';
import { SecretBox } from './crypto/secret-box.js';
import { pooledRandomBytes, type RandomBytes } from './crypto/tokens.js';
import type { DeliveryChannel } from './delivery/channel.js';
import { DevOutbox } from './delivery/dev-outbox.js';
import { linkMessageChannels } from './delivery/link-message-channels.js';
import type { Delivery, Fetch } from './delivery/message.js';
import { OutboxWorker, type OutboxWorkerOptions } from './delivery/outbox-worker.js';
import { createTransports } from './delivery/transports/create-transports.js';
import { makeEvent } from './events/event-factory.js';
import { createLogger } from './http/logger.js';
import { sweepExpiredLinks } from './links/link-expiry.js';
import { createRateLimiter } from './rate-limit/create-rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { SessionKeyring } from './sessions/session-keyring.js';
import { type CreatedSigningKey, createSigningKey } from './signed-links/signing-key-service.js';
import { type DatabaseHandle, type DatabaseTarget, openDatabase } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { bothObservers, type QueryObserver } from './storage/query-observer.js';
import { createStore, type Store } from './store.js';
import { startTracing, type TracingOptions } from './tracing/tracing.js';
import { describeReview, reviewIdentifiers } from './users/identifier-review.js';
import { WEBHOOK_EVENT_TYPES } from './webhooks/event-types.js';
import type { ResolveHost } from './webhooks/url-policy.js';
import { webhookChannel } from './webhooks/webhook-channel.js';

/**
 * Everything the services of this process use: the base context, the store with every capability's slice, and
 * what particular capabilities add (session keys, delivery, the network, the rate limiter). Each capability is
 * typed against its own part of this (`LinkContext`, `UserContext`, …); this is the one object that is all of them.
 */
export interface Context extends ServiceContext<Store> {
  keyring: SessionKeyring;
  delivery: Delivery;
  fetch: Fetch;
  rateLimiter: RateLimiter;
  /** DNS for webhook destination checks; the system resolver when absent. */
  resolveHost?: ResolveHost | undefined;
}

export interface Runtime {
  ctx: Context;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** The network, for SMS and hook transports; tests may pass their own. */
  fetch?: Fetch;
  /** Where the development transports print messages (default: standard output). */
  print?: (line: string) => void;
  clock?: () => number;
  random?: RandomBytes;
  /** Run migrations on open (the default; `latchkey start` and `init` do). */
  migrate?: boolean;
  /** Where spans go when the config turns tracing on (tests give an in-memory exporter). */
  tracing?: TracingOptions;
  /** Sees every SQL statement besides tracing's (the test that counts statements per request). */
  observer?: QueryObserver;
}

export function databaseTarget(config: Config): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'sqlite', path: join(config.dataDir, 'latchkey.db') };
}

/** Opens the database, brings the schema up to date and loads the session keys: everything a server or CLI needs. */
export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const masterKey = loadMasterKey(config);
  // Before the database opens, so its statements get spans; nothing is loaded when tracing is off.
  const tracing = await startTracing(config.tracing, options.tracing);
  let handle: DatabaseHandle;
  try {
    handle = openDatabase(databaseTarget(config), {
      observer: bothObservers(tracing?.observer, options.observer),
    });
  } catch (error) {
    await tracing?.shutdown();
    throw error;
  }
  try {
    if (options.migrate !== false) {
      await migrateToLatest(handle.db);
      await handle.configListener?.listenNow();
    }
    const store = createStore(handle, { webhookEventTypes: WEBHOOK_EVENT_TYPES });
    const clock = options.clock ?? Date.now;
    const random = options.random ?? pooledRandomBytes();
    const secretBox = new SecretBox(masterKey, random);
    const keyring = new SessionKeyring(store, secretBox, clock);
    if (options.migrate !== false) await keyring.load();
    const devOutbox = new DevOutbox();
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const transports = createTransports(config, {
      fetch: fetchImpl,
      devOutbox,
      ...(options.print ? { print: options.print } : {}),
    });
    const logger = options.logger ?? createLogger(config.logLevel);
    const rateLimiter = createRateLimiter(config, store, logger);
    const ctx: Context = {
      config,
      store,
      clock,
      random,
      keyring,
      secretBox,
      logger,
      fetch: fetchImpl,
      delivery: { ...transports, devOutbox, wake: () => {} },
      rateLimiter,
    };
    if (options.migrate !== false) await reviewIdentifiersOnce(ctx);
    return {
      ctx,
      handle,
      close: async () => {
        await Promise.allSettled([transports.email.close(), rateLimiter.close()]);
        await handle.close();
        // Last, so the spans of everything above are sent before the process ends.
        await tracing?.shutdown();
      },
    };
  } catch (error) {
    await handle.close();
    await tracing?.shutdown();
    throw error;
  }
}

/**
 * Once per database after the identifier rules changed (December 2026): puts lone users' identifiers in canonical
 * form and reports the users the new rules would make one (users/identifier-review.ts). One node of several does it.
 */
async function reviewIdentifiersOnce(ctx: Context): Promise<void> {
  if (!(await ctx.store.claimOnce('identifier_rules', '2026-12', ctx.clock()))) return;
  const review = await reviewIdentifiers(ctx, { apply: true });
  if (review.clashes.length > 0 || review.invalid.length > 0) {
    ctx.logger.warn(
      { clashes: review.clashes, invalid: review.invalid.length },
      `Identifier review: ${describeReview(review)}. \`latchkey doctor\` lists them again.`,
    );
  } else if (review.rewritable > 0) {
    ctx.logger.info({ rewritten: review.rewritable }, 'Identifier review: identifiers put in canonical form');
  }
}

export interface Bootstrap {
  appId: string;
  apiKey: CreatedKey;
  adminKey: CreatedKey;
  signingKey: CreatedSigningKey;
}

/** Creates the default app, its API key and an admin key: what a new installation starts from. */
export async function bootstrap(ctx: Context): Promise<Bootstrap> {
  const { app, key } = await createApp(
    ctx,
    {
      name: 'Default app',
      // A local quick start can redirect to a development server at once; change it with PATCH /v1/apps/{id}.
      // Until the operator says where, sign-ins end on Latchkey's own signed-in page (welcome/).
      settings: { allowed_redirects: ['http://localhost:3000', `${ctx.config.publicUrl}/welcome`] },
    },
    null,
  );
  await updateApp(
    ctx,
    app.id,
    { default_redirect_url: welcomeUrl(ctx.config.publicUrl, app.id) },
    { keyId: 'bootstrap', kind: 'admin', appId: null },
  );
  const adminKey = await issueAdminKey(ctx, 'bootstrap');
  const signingKey = await createSigningKey(ctx, app.id, 'default', null);
  // Stateless links without a `kid` on the shared host belong to this app (docs/signed-links.md).
  await claimDefaultApp(ctx, app.id);
  return { appId: app.id, apiKey: key, adminKey, signingKey };
}

export async function issueAdminKey(ctx: Context, label: string): Promise<CreatedKey> {
  const adminKey = newApiKey(ctx, 'admin', null, label);
  await ctx.store.insertApiKey(adminKey.row, [
    makeEvent(ctx, null, 'api_key.created', adminKey.row.id, { label, kind: 'admin' }),
  ]);
  return adminKey;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60_000;

/**
 * Visits of a link's page are kept 90 days: long enough to answer "who opened it?" for any link (30 days at most)
 * and the complaint that follows it, short enough not to keep a record of people's clicks for good. Links
 * themselves are kept (they feed analytics), so their visits go by age.
 */
const LINK_VISIT_RETENTION_MS = 90 * 24 * 60 * 60_000;

/**
 * Deletes, every ten minutes, what has no use after its expiry (records of used stateless tokens, exchange codes,
 * refresh tokens, stored `Idempotency-Key` answers, visits of links' pages after 90 days), records
 * `magic_link.expired` for links that expired unused, and rolls up the analytics of settled days. Safe on any number of nodes at once: each run only deletes rows past their
 * time, and each expiry and each day's figures are recorded once.
 */
export function startMaintenance(ctx: Context): () => void {
  const run = async () => {
    try {
      const now = ctx.clock();
      const purged = {
        outboxMessages: await ctx.store.purgeOutbox(now),
        usedTokens: await ctx.store.purgeUsedTokens(now),
        ...(await ctx.store.purgeSessionSecrets(now)),
        loginFlows: await ctx.store.purgeLoginFlows(now),
        rateLimits: await ctx.rateLimiter.purgeExpired(now),
        idempotencyKeys: await ctx.store.purgeIdempotencyKeys(now),
        linkVisits: await ctx.store.purgeLinkVisits(now - LINK_VISIT_RETENTION_MS),
      };
      // Picks up a session-key rotation made on another node, so this one signs with the new key too.
      await ctx.keyring.refresh(MAINTENANCE_INTERVAL_MS / 2);
      ctx.logger.debug({ purged }, 'purged expired rows');
    } catch (error) {
      ctx.logger.warn({ err: error }, 'purging expired rows failed; will retry');
    }
    try {
      const swept = await sweepExpiredLinks(ctx);
      ctx.logger.debug({ swept }, 'recorded link expiries');
    } catch (error) {
      ctx.logger.warn({ err: error }, 'recording link expiries failed; will retry');
    }
    try {
      const rolled = await rollupLinkStats(ctx);
      ctx.logger.debug({ rolled }, 'rolled up the figures of settled days');
    } catch (error) {
      ctx.logger.warn({ err: error }, 'rolling up link figures failed; will retry');
    }
  };
  const timer = setInterval(() => void run(), MAINTENANCE_INTERVAL_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}

/** Every channel the outbox worker sends through: email and SMS messages carrying links, and webhooks. */
export function deliveryChannels(ctx: Context): DeliveryChannel[] {
  return [...linkMessageChannels(ctx), webhookChannel(ctx)];
}

/** Starts this process's outbox worker and lets new messages wake it; returns a function that stops it. */
export function startDelivery(ctx: Context, options: OutboxWorkerOptions = {}): () => Promise<void> {
  const worker = new OutboxWorker(ctx, deliveryChannels(ctx), options);
  ctx.delivery.wake = () => worker.queued();
  worker.start();
  return async () => {
    ctx.delivery.wake = () => {};
    await worker.stop();
  };
}
