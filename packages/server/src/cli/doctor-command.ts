import { Command, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import { loadMasterKey } from '../config/master-key.js';
import { checkDelivery, ENVIRONMENT_WORDS } from '../delivery/delivery-status.js';
import { databaseTarget, openRuntime } from '../runtime.js';
import { migrationsDone } from '../storage/migrate.js';
import { describeReview, reviewIdentifiers } from '../users/identifier-review.js';
import { databaseOptions, EXIT, SERVER_PUBLIC_URL } from './command-basics.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** `latchkey doctor`: checks the configuration, the database and the delivery transports, and says what is wrong. */
export function doctorCommand(): Command {
  return databaseOptions(new Command('doctor'))
    .description(
      'Check the configuration, the database and mail/SMS delivery, in plain words. Sends nothing.',
    )
    .addOption(new Option('--json', 'print {"ok", "checks": [{"name","ok","detail"}]} as JSON'))
    .addHelpText('after', '\nExample:\n  $ LATCHKEY_SMTP_URL=smtp://mail.example.com:587 latchkey doctor')
    .action(
      async (options: { dataDir?: string; databaseUrl?: string; logLevel?: string; json?: boolean }) => {
        const checks = await runChecks(options);
        const ok = checks.every((c) => c.ok);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ok, checks })}\n`);
        } else {
          for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
          process.stdout.write(
            ok
              ? '\nEverything checked is in order.\n'
              : '\nFix the lines marked FAIL and run `latchkey doctor` again.\n',
          );
        }
        process.exitCode = ok ? EXIT.ok : EXIT.failure;
      },
    );
}

async function runChecks(options: { dataDir?: string; databaseUrl?: string }): Promise<Check[]> {
  let config: Config;
  try {
    config = loadConfig(process.env, { ...options, logLevel: 'silent' });
  } catch (error) {
    if (error instanceof ConfigError)
      return [{ name: 'Configuration', ok: false, detail: error.problems.join(' ') }];
    throw error;
  }
  const checks: Check[] = [
    {
      name: 'Configuration',
      ok: true,
      detail: `valid; public URL ${config.publicUrl}; ${ENVIRONMENT_WORDS[config.environment]}`,
    },
  ];
  try {
    loadMasterKey(config);
    checks.push({
      name: 'Master key',
      ok: true,
      detail: config.masterKey ? 'from LATCHKEY_MASTER_KEY' : 'from the data directory',
    });
  } catch (error) {
    checks.push({
      name: 'Master key',
      ok: false,
      detail: error instanceof ConfigError ? error.problems.join(' ') : String(error),
    });
    return checks;
  }
  const target = databaseTarget(config);
  const where = target.kind === 'sqlite' ? `SQLite at ${target.path}` : 'PostgreSQL (DATABASE_URL)';
  let runtime: Awaited<ReturnType<typeof openRuntime>> | undefined;
  try {
    // Doctor only looks: it does not migrate or create keys, so it is safe to run against a live database.
    runtime = await openRuntime(config, { migrate: false });
    await runtime.ctx.store.ping();
    const done = await migrationsDone(runtime.handle.db).catch(() => false);
    checks.push({
      name: 'Database',
      ok: done,
      detail: done
        ? `${where} answers; the schema is up to date`
        : `${where} answers, but migrations have not run: run \`latchkey migrate\``,
    });
    if (config.redisUrl) {
      const redis = await runtime.ctx.rateLimiter.ping().then(
        () => ({ ok: true, detail: 'REDIS_URL answers; rate limits are counted there' }),
        (error: unknown) => ({
          ok: false,
          detail: `${error instanceof Error ? error.message : String(error)}; public sign-in endpoints refuse requests until it answers`,
        }),
      );
      checks.push({ name: 'Rate limits (Redis)', ...redis });
    }
    if (done) {
      // The public URL above is this shell's; the server's may differ (another environment, a service manager's).
      const serverUrl = await runtime.ctx.store.getMeta(SERVER_PUBLIC_URL);
      checks.push({
        name: 'Public URL',
        ok: true,
        detail:
          serverUrl === undefined
            ? `no server has started on this database yet; it will use ${config.publicUrl} unless its environment says otherwise`
            : serverUrl === config.publicUrl
              ? `the server that last started on this database uses ${serverUrl}, as configured here`
              : `the server that last started on this database uses ${serverUrl}; this shell would use ${config.publicUrl} (run doctor with the server's LATCHKEY_PUBLIC_URL to check its setup)`,
      });
      const review = await reviewIdentifiers(runtime.ctx, { apply: false });
      checks.push({
        name: 'User identifiers',
        ok: review.clashes.length === 0,
        detail: `${review.users} user(s); ${describeReview(review)}${review.rewritable > 0 ? `; ${review.rewritable} identifier(s) not in canonical form (the first start after an upgrade rewrites them)` : ''}`,
      });
    }
    // The same checks as the API's POST /v1/delivery/test (the dashboard's "test connection").
    for (const { name, ok, detail } of await checkDelivery(runtime.ctx.delivery)) {
      checks.push({ name, ok, detail });
    }
  } catch (error) {
    checks.push({
      name: 'Database',
      ok: false,
      detail: `${where} does not answer: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    await runtime?.close();
  }
  return checks;
}
