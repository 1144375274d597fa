import cluster from 'node:cluster';
import { Command, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import { issueOneTimeLink } from '../dashboard/dashboard-sign-in.js';
import { countOperators, seedOperators } from '../dashboard/operator-service.js';
import { installProcessGuards } from '../process-guards.js';
import {
  type Bootstrap,
  bootstrap,
  type Context,
  openRuntime,
  type Runtime,
  startDelivery,
  startMaintenance,
} from '../runtime.js';
import { buildServer } from '../server.js';
import { superviseWorkers } from './cluster.js';
import { databaseOptions, SERVER_PUBLIC_URL } from './command-basics.js';

interface StartOptions {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  port?: string;
  host?: string;
  publicUrl?: string;
  workers?: string;
}

export function startCommand(): Command {
  return databaseOptions(new Command('start'))
    .description(
      'Serve the API, the link pages and the docs. With no settings: embedded SQLite in ./data on port 8080.',
    )
    .addOption(new Option('--port <port>', 'port to listen on (LATCHKEY_PORT, default 8080)'))
    .addOption(new Option('--host <host>', 'interface to listen on (LATCHKEY_HOST, default 127.0.0.1)'))
    .addOption(new Option('--public-url <url>', 'the URL people reach this server at (LATCHKEY_PUBLIC_URL)'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ latchkey start\n  $ latchkey start --data-dir /var/lib/latchkey --port 9000 --host 0.0.0.0',
    )
    .addOption(
      new Option(
        '--workers <count>',
        'server processes sharing the port, or auto for one per core; above 1 needs PostgreSQL (LATCHKEY_WORKERS, default 1)',
      ),
    )
    .action(async (options: StartOptions) => {
      const config = loadConfig(process.env, options);
      if (cluster.isWorker) {
        // A worker that cannot serve lets go of its channel to the primary, which would keep it alive, and ends;
        // the error is printed like any other, and the primary decides what comes next (cluster.ts).
        return serve(config, 'worker').catch((error: unknown) => {
          cluster.worker?.disconnect();
          throw error;
        });
      }
      if (config.workers > 1) return startWorkers(config);
      return serve(config, 'single');
    });
}

/**
 * Serves on this process: the whole server (`single`), or one of the processes `--workers` forked (`worker`),
 * whose primary already brought the database up to date and printed the banner.
 */
async function serve(config: Config, role: 'single' | 'worker'): Promise<void> {
  const runtime = role === 'single' ? await openRuntime(config) : await openWorkerRuntime(config);
  const { ctx } = runtime;
  if (role === 'single') await prepareInstallation(ctx, config);
  const app = await buildServer(ctx);
  const stopMaintenance = startMaintenance(ctx);
  const stopDelivery = config.delivery.worker ? startDelivery(ctx) : async () => {};
  const stopCheckpoints = runtime.handle.startBackgroundCheckpoints?.() ?? (async () => {});
  // Stops taking requests, lets those in flight finish, releases the outbox worker's messages and the database.
  // Once only: a worker under a terminal gets SIGINT from the terminal and SIGTERM from its primary.
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      ctx.logger.info({ reason }, 'shutting down');
      stopMaintenance();
      await stopDelivery();
      await app.close();
      await stopCheckpoints();
      await runtime.close();
    })();
    return stopping;
  };
  installProcessGuards(process, ctx.logger, {
    shutdown: () => stop('uncaught exception'),
    exit: (code) => process.exit(code),
  });
  const onSignal = (signal: string) => void stop(signal).finally(() => process.exit(0));
  // A second signal stops one process at once (Node's default, once the listener is gone). A worker keeps its
  // listener: under systemd it gets SIGTERM from the service manager and again from its primary.
  const listen = role === 'worker' ? process.on.bind(process) : process.once.bind(process);
  listen('SIGINT', () => onSignal('SIGINT'));
  listen('SIGTERM', () => onSignal('SIGTERM'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await stop('could not listen');
    throw listenFailure(error, config);
  }
  if (role === 'worker') return ctx.logger.debug('worker is serving');
  // What `latchkey doctor`, run from another shell with another environment, compares its own view with.
  await ctx.store.setMeta(SERVER_PUBLIC_URL, config.publicUrl, ctx.clock());
  ctx.logger.info({ publicUrl: config.publicUrl, database: ctx.store.dialect }, 'Latchkey is ready');
}

/** A forked worker's runtime: the primary ran the migrations and the once-per-database work before forking. */
async function openWorkerRuntime(config: Config): Promise<Runtime> {
  const runtime = await openRuntime(config, { migrate: false });
  try {
    await runtime.ctx.keyring.load();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}

/**
 * `--workers` above 1: prepares the database once in this process (migrations, the first start's app and banner),
 * lets go of it, then forks the workers and supervises them until a signal stops them (cluster.ts).
 */
async function startWorkers(config: Config): Promise<void> {
  if (!config.databaseUrl) throw new ConfigError([WORKERS_NEED_POSTGRES]);
  const runtime = await openRuntime(config);
  const { logger } = runtime.ctx;
  try {
    await prepareInstallation(runtime.ctx, config);
    await runtime.ctx.store.setMeta(SERVER_PUBLIC_URL, config.publicUrl, runtime.ctx.clock());
  } finally {
    await runtime.close();
  }
  const ready = { publicUrl: config.publicUrl, database: 'postgres' };
  process.exit(await superviseWorkers({ workers: config.workers, logger, ready }));
}

export const WORKERS_NEED_POSTGRES =
  '--workers (LATCHKEY_WORKERS) above 1 needs PostgreSQL. Embedded SQLite takes one writer at a time, so more ' +
  'processes would only queue for it, and one process is faster there (it commits the writes of concurrent ' +
  'requests together). Keep one process on SQLite; for more, move to PostgreSQL (DATABASE_URL) and use ' +
  '--workers, or run several nodes on it behind a load balancer (docs/deployment.md).';

/**
 * What a first start does once per installation, before anything serves: several nodes may start together on an
 * empty database, and only the one that claims the bootstrap creates the default app (and prints its keys).
 */
async function prepareInstallation(ctx: Context, config: Config): Promise<void> {
  const created =
    (await ctx.store.countApps()) === 0 && (await ctx.store.claimOnce('bootstrap', 'start', ctx.clock()))
      ? await bootstrap(ctx)
      : undefined;
  const dashboard = config.dashboard.enabled
    ? await prepareDashboard(ctx, config, created !== undefined)
    : '';
  // Printed once, outside the JSON log stream, because log pipelines should never hold keys.
  if (created) process.stdout.write(firstStartBanner(config.publicUrl, created, dashboard));
}

/** Why the server could not take its port, and how to choose another, instead of Node's bare `EADDRINUSE`. */
function listenFailure(error: unknown, config: Config): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port}`;
  const another = 'start on another port with `latchkey start --port 8081` (or LATCHKEY_PORT=8081)';
  if (code === 'EADDRINUSE')
    return new Error(
      `Port ${config.port} is already in use on ${config.host} (by another Latchkey or another program). ` +
        `Stop that one, or ${another}.`,
    );
  if (code === 'EACCES')
    return new Error(`This user may not listen on ${where} (ports below 1024 need privileges): ${another}.`);
  if (code === 'EADDRNOTAVAIL')
    return new Error(
      `${config.host} is not an address of this machine: set --host (LATCHKEY_HOST) to one of its own, such as 127.0.0.1 or 0.0.0.0.`,
    );
  return error;
}

/**
 * Makes the owners named in LATCHKEY_DASHBOARD_OPERATORS operators; on the first start of an installation with no
 * operator at all, issues the one-time link that makes its user the first owner. Answers the banner's lines.
 */
async function prepareDashboard(ctx: Context, config: Config, firstStart: boolean): Promise<string> {
  await seedOperators(ctx, config.dashboard.operators);
  if (config.dashboard.operators.length > 0) {
    return `  Dashboard: ${config.publicUrl}/dashboard (sign in as ${config.dashboard.operators.join(', ')})\n`;
  }
  if (!firstStart || (await countOperators(ctx)) > 0) return '';
  const link = await issueOneTimeLink(ctx, null);
  return [
    `  Dashboard: ${config.publicUrl}/dashboard — no operator is set up yet. This one-time link makes you its owner`,
    `  (valid 24 hours; later, \`latchkey dashboard link --email …\` makes a new one):`,
    `    ${link.url}`,
    '',
  ].join('\n');
}

function firstStartBanner(publicUrl: string, created: Bootstrap, dashboard: string): string {
  const appId = created.appId;
  const apiKey = created.apiKey.secret;
  return `
  Latchkey is set up: a default app was created on this first start.

    App id:      ${appId}
    API key:     ${apiKey}
    Admin key:   ${created.adminKey.secret}
    Signing key: ${created.signingKey.row.kid}  ${created.signingKey.secret}
                 (HS256, for stateless links: latchkey token sign --help)

  These keys are shown only this once; store them somewhere safe.

  Try it: sign in at
    ${publicUrl}/login?app=${appId}
  (the message is printed here until LATCHKEY_SMTP_URL is set). You land on Latchkey's own signed-in page, which
  shows what your backend would receive, until you give the app a redirect. Or make a link yourself:
    curl -s ${publicUrl}/v1/magic-links -H "Authorization: Bearer ${apiKey}" \\
      -H 'content-type: application/json' \\
      -d '{"email":"you@example.com"}'

  API reference: ${publicUrl}/docs    Health: ${publicUrl}/healthz
${dashboard}
`;
}
