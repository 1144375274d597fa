import { Command, Option } from 'commander';
import {
  type ApiOptions,
  apiOptions,
  clientFrom,
  jsonObject,
  limitOption,
  show,
  showList,
  take,
} from './api-options.js';

interface AppFields extends ApiOptions {
  name?: string;
  allowedRedirect?: string[];
  defaultRedirectUrl?: string;
  siteUrl?: string;
  settings?: Record<string, unknown>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function settingsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--allowed-redirect <url>',
        'an allowed redirect origin or prefix (repeat; replaces the list)',
      ).argParser(collect),
    )
    .option('--default-redirect-url <url>', 'where links go when they name no redirect')
    .option('--site-url <url>', "the app's own site, for embedded redemption")
    .addOption(
      new Option(
        '--settings <json>',
        'any other settings as a JSON object (docs/configuration.md)',
      ).argParser(jsonObject('--settings')),
    );
}

function settingsFrom(options: AppFields): Record<string, unknown> {
  return {
    ...options.settings,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.allowedRedirect === undefined ? {} : { allowed_redirects: options.allowedRedirect }),
    ...(options.defaultRedirectUrl === undefined ? {} : { default_redirect_url: options.defaultRedirectUrl }),
    ...(options.siteUrl === undefined ? {} : { site_url: options.siteUrl }),
  };
}

/** `latchkey apps`: list, read, create (admin key) and change apps. */
export function appsCommand(): Command {
  const apps = new Command('apps').description('Apps and their settings.').addHelpText(
    'after',
    `
Examples:
  $ latchkey apps list --api-key lk_admin_…
  $ latchkey apps create --name Billing --allowed-redirect https://billing.example.com --api-key lk_admin_…
  $ latchkey apps update app_01… --default-redirect-url https://app.example.com/auth/callback
  $ latchkey apps get app_01… --json`,
  );

  apiOptions(apps.command('list').description('List apps (admin key).'))
    .addOption(limitOption())
    .action(async (options: ApiOptions & { limit: number }) => {
      const list = await take(clientFrom(options).apps.list(), options.limit);
      showList(options, list, ['id', 'name', 'created_at']);
    });

  apiOptions(apps.command('get').description("Show an app's settings.").argument('<app_id>')).action(
    async (appId: string, options: ApiOptions) => {
      show(options, await clientFrom(options).apps.get(appId));
    },
  );

  settingsOptions(
    apiOptions(
      apps
        .command('create')
        .description('Create an app (admin key); prints its first API key, once.')
        .requiredOption('--name <name>', "the app's name"),
    ),
  ).action(async (options: AppFields) => {
    const created = await clientFrom(options).apps.create({ ...settingsFrom(options), name: options.name! });
    if (options.json) return show(options, created as unknown as Record<string, unknown>);
    process.stdout.write(`Created ${created.app.id} (${created.app.name}).\n`);
    process.stdout.write(`API key (shown once, keep it safe): ${created.api_key.key}\n`);
  });

  settingsOptions(
    apiOptions(
      apps
        .command('update')
        .description("Change an app's settings; lists are replaced as a whole.")
        .argument('<app_id>')
        .option('--name <name>', "the app's name"),
    ),
  ).action(async (appId: string, options: AppFields) => {
    show(options, await clientFrom(options).apps.update(appId, settingsFrom(options)));
  });
  return apps;
}
