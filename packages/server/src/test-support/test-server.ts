/**
 * A complete Latchkey for a test: a fresh database of the chosen dialect, migrations, the default app with its
 * API key and an admin key, and the Fastify app to call through `inject()` (or `listen()` for a real socket).
 * The clock is the real one plus an offset the test can move forward.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../http/logger.js';
import type { Context } from '../runtime.js';
import { bootstrap, openRuntime } from '../runtime.js';
import { buildServer } from '../server.js';
import type { DialectName } from '../storage/database.js';
import type { QueryObserver } from '../storage/query-observer.js';
import type { TracingOptions } from '../tracing/tracing.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface TestServer {
  app: FastifyInstance;
  ctx: Context;
  db: TestDatabase;
  appId: string;
  apiKey: string;
  adminKey: string;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  /** inject() with the default app's API key and JSON body handling. */
  api(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    key?: string,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Where log lines go (a test that reads the logs passes a stream); silent otherwise. */
  logDestination?: DestinationStream;
  env?: Record<string, string>;
  /** Where the development transports print messages; silent by default. */
  print?: (line: string) => void;
  /** PostgreSQL only: changes the URL the server connects with (through a proxy, with an application_name…). */
  databaseUrl?: (url: string) => string;
  /** Leave the default app as a new installation has it, instead of the tests' redirect and limits. */
  asInstalled?: boolean;
  /** Where spans go when `env` turns tracing on (an in-memory exporter). */
  tracing?: TracingOptions;
  /** Sees every SQL statement (the statement-count test). */
  observer?: QueryObserver;
}

export const TEST_REDIRECT = 'https://app.example.com/auth/callback';

export const uniqueEmail = (): string => `u${randomBytes(6).toString('hex')}@example.com`;

/**
 * A second app, made with the admin key, for isolation tests. It may redirect to https://other.example.com;
 * `settings` overrides any of its settings (an `undefined` value leaves that setting unset).
 */
export async function createOtherApp(
  server: TestServer,
  settings: Record<string, unknown> = {},
): Promise<{ appId: string; key: string }> {
  const res = await server.api(
    'POST',
    '/v1/apps',
    {
      name: `Other app ${randomBytes(3).toString('hex')}`,
      allowed_redirects: ['https://other.example.com'],
      default_redirect_url: 'https://other.example.com/callback',
      site_url: 'https://other.example.com',
      ...settings,
    },
    server.adminKey,
  );
  if (res.statusCode !== 201) throw new Error(`app creation failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { app: { id: string }; api_key: { key: string } };
  return { appId: body.app.id, key: body.api_key.key };
}

export async function startTestServer(
  dialect: DialectName = 'sqlite',
  options: TestServerOptions = {},
): Promise<TestServer> {
  const db = await createTestDatabase(dialect);
  const env = {
    LATCHKEY_DATA_DIR: db.dataDir,
    LATCHKEY_PUBLIC_URL: 'https://auth.example.com',
    LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
    ...(dialect === 'postgres' ? { DATABASE_URL: options.databaseUrl?.(db.url) ?? db.url } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  let offset = 0;
  const logger = createLogger(options.logDestination ? 'info' : 'silent', options.logDestination);
  const runtime = await openRuntime(config, {
    clock: () => Date.now() + offset,
    logger,
    print: options.print ?? (() => {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const created = await bootstrap(runtime.ctx);
  const app = await buildServer(runtime.ctx, { checkResponses: true });
  const server: TestServer = {
    app,
    ctx: runtime.ctx,
    db,
    appId: created.appId,
    apiKey: created.apiKey.secret,
    adminKey: created.adminKey.secret,
    advance: (ms) => {
      offset += ms;
    },
    api: (method, url, body, key = created.apiKey.secret) =>
      app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
    close: async () => {
      await app.close();
      await runtime.close();
      await db.drop();
    },
  };
  if (options.asInstalled) return server;
  // Most tests redirect to one place; allow it once here. Every request of a test comes from one address, so the
  // per-IP limit of public endpoints is off here; rate-limit tests switch it on.
  const patched = await server.api('PATCH', `/v1/apps/${created.appId}`, {
    allowed_redirects: ['https://app.example.com'],
    default_redirect_url: TEST_REDIRECT,
    site_url: 'https://app.example.com',
    rate_limits: { public_requests_per_ip: { limit: 0 } },
  });
  if (patched.statusCode !== 200) throw new Error(`test server setup failed: ${patched.body}`);
  return server;
}

/** Creates a link for `email` and returns the response body's `magic_link` plus the raw token. */
export async function createTestLink(server: TestServer, body: Record<string, unknown> = {}) {
  const res = await server.api('POST', '/v1/magic-links', { email: 'jane@example.com', ...body });
  if (res.statusCode !== 201) throw new Error(`link creation failed: ${res.statusCode} ${res.body}`);
  const link = res.json().magic_link as {
    id: string;
    url: string;
    secret: string;
    user_id: string;
    redirect_url: string;
  };
  return { ...link, token: link.secret, path: new URL(link.url).pathname };
}

/** POSTs the hosted page of a token and returns the `lk_code` from the redirect. */
export async function redeemHostedForCode(server: TestServer, token: string): Promise<string> {
  const res = await server.app.inject({ method: 'POST', url: `/l/${token}` });
  if (res.statusCode !== 303) throw new Error(`redemption failed: ${res.statusCode}`);
  const code = new URL(res.headers.location as string).searchParams.get('lk_code');
  if (!code) throw new Error('no lk_code in the redirect');
  return code;
}
