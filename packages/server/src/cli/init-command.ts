import { Command, Option } from 'commander';
import { newApiKey } from '../apps/app-service.js';
import { defaultAppId } from '../apps/default-app.js';
import { loadConfig } from '../config/config.js';
import { makeEvent } from '../events/event-factory.js';
import { bootstrap, issueAdminKey, openRuntime } from '../runtime.js';
import { createSigningKey } from '../signed-links/signing-key-service.js';
import { databaseOptions, EXIT } from './command-basics.js';

interface InitResult {
  app_id: string;
  api_key: string;
  admin_key: string;
  signing_key: { kid: string; secret: string };
}

interface InitOptions {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
  forceNewKey?: boolean;
}

export function initCommand(): Command {
  return databaseOptions(new Command('init'))
    .description(
      'Create the database and the default app, and print its API key, an admin key and a signing key (once).',
    )
    .addOption(new Option('--json', 'print {"app_id","api_key","admin_key","signing_key"} as JSON'))
    .addOption(
      new Option('--force-new-key', 'on an existing database: issue a new default-app key and admin key'),
    )
    .addHelpText('after', '\nExample:\n  $ latchkey init --data-dir ./data --json')
    .action(async (options: InitOptions) => {
      const config = loadConfig(process.env, { ...options, logLevel: options.logLevel ?? 'warn' });
      const runtime = await openRuntime(config);
      try {
        const { ctx } = runtime;
        let result: InitResult;
        if ((await ctx.store.countApps()) === 0) {
          const created = await bootstrap(ctx);
          result = {
            app_id: created.appId,
            api_key: created.apiKey.secret,
            admin_key: created.adminKey.secret,
            signing_key: { kid: created.signingKey.row.kid, secret: created.signingKey.secret },
          };
        } else if (options.forceNewKey) {
          const appId =
            (await defaultAppId(ctx)) ?? (await ctx.store.listApps({ limit: 1_000_000 })).at(-1)!.id;
          const key = newApiKey(ctx, 'app', appId, 'init --force-new-key');
          await ctx.store.insertApiKey(key.row, [
            makeEvent(ctx, appId, 'api_key.created', key.row.id, { label: key.row.label }),
          ]);
          const admin = await issueAdminKey(ctx, 'init --force-new-key');
          const signing = await createSigningKey(ctx, appId, 'init --force-new-key', null);
          result = {
            app_id: appId,
            api_key: key.secret,
            admin_key: admin.secret,
            signing_key: { kid: signing.row.kid, secret: signing.secret },
          };
        } else {
          process.stderr.write(
            'latchkey init: this database is already initialised, so no key was printed (keys are shown only once).\n' +
              'Use your existing keys, or run `latchkey init --force-new-key` to issue new ones (old keys keep working until revoked).\n',
          );
          process.exitCode = EXIT.refused;
          return;
        }
        if (options.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else {
          process.stdout.write(
            `Default app: ${result.app_id}\nAPI key (default app): ${result.api_key}\nAdmin key: ${result.admin_key}\n` +
              `Signing key (stateless links): ${result.signing_key.kid} ${result.signing_key.secret}\n\nThese keys are shown once; store them now.\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}
