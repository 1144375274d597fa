import { Command, Option } from 'commander';
import { newApiKey } from '../apps/app-service.js';
import { loadConfig } from '../config/config.js';
import { makeEvent } from '../events/event-factory.js';
import { bootstrap, issueAdminKey, openRuntime } from '../runtime.js';
import { databaseOptions, EXIT } from './main.js';

interface InitOptions {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
  forceNewKey?: boolean;
}

export function initCommand(): Command {
  return databaseOptions(new Command('init'))
    .description('Create the database and the default app, and print its API key and an admin key (once).')
    .addOption(new Option('--json', 'print {"app_id","api_key","admin_key"} as JSON'))
    .addOption(
      new Option('--force-new-key', 'on an existing database: issue a new default-app key and admin key'),
    )
    .addHelpText('after', '\nExample:\n  $ latchkey init --data-dir ./data --json')
    .action(async (options: InitOptions) => {
      const config = loadConfig(process.env, { ...options, logLevel: options.logLevel ?? 'warn' });
      const runtime = await openRuntime(config);
      try {
        const { ctx } = runtime;
        let result: { app_id: string; api_key: string; admin_key: string };
        if ((await ctx.store.countApps()) === 0) {
          const created = await bootstrap(ctx);
          result = {
            app_id: created.appId,
            api_key: created.apiKey.secret,
            admin_key: created.adminKey.secret,
          };
        } else if (options.forceNewKey) {
          // The default app is the first one ever created; lists are newest first.
          const oldest = (await ctx.store.listApps({ limit: 1_000_000 })).at(-1)!;
          const key = newApiKey(ctx, 'app', oldest.id, 'init --force-new-key');
          await ctx.store.insertApiKey(key.row, [
            makeEvent(ctx, oldest.id, 'api_key.created', key.row.id, { label: key.row.label }),
          ]);
          const admin = await issueAdminKey(ctx, 'init --force-new-key');
          result = { app_id: oldest.id, api_key: key.secret, admin_key: admin.secret };
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
            `Default app: ${result.app_id}\nAPI key (default app): ${result.api_key}\nAdmin key: ${result.admin_key}\n\nThese keys are shown once; store them now.\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}
