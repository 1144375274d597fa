import { Command } from 'commander';
import { type ApiOptions, apiOptions, clientFrom, limitOption, show, showList, take } from './api-options.js';

/** `latchkey keys`: the API keys of an app, or admin keys. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('API keys: create, list and revoke.').addHelpText(
    'after',
    `
Examples:
  $ latchkey keys create --label ci            # prints the new key once
  $ latchkey keys list --json
  $ latchkey keys revoke key_01…
  $ latchkey keys create --admin --label ops --api-key lk_admin_…`,
  );

  apiOptions(keys.command('create').description('Create an API key; the key is printed once, here only.'))
    .option('--label <label>', 'a name to recognise the key by', 'unnamed')
    .option('--admin', 'an admin key (needs an admin key)')
    .action(async (options: ApiOptions & { label: string; admin?: boolean }) => {
      const created = await clientFrom(options).apiKeys.create({
        label: options.label,
        ...(options.admin ? { kind: 'admin' as const } : {}),
      });
      if (options.json) return show(options, { ...created });
      process.stdout.write(`Created ${created.id} (${created.label}).\n`);
      process.stdout.write(`Key (shown once, keep it safe): ${created.key}\n`);
    });

  apiOptions(keys.command('list').description('List keys, never their secrets.'))
    .option('--admin', 'list admin keys (needs an admin key)')
    .addOption(limitOption())
    .action(async (options: ApiOptions & { admin?: boolean; limit: number }) => {
      const list = await take(
        clientFrom(options).apiKeys.list(options.admin ? { kind: 'admin' } : {}),
        options.limit,
      );
      showList(options, list as unknown as Array<Record<string, unknown>>, [
        'id',
        'kind',
        'label',
        'key_hint',
        'last_used_at',
        'revoked_at',
      ]);
    });

  apiOptions(keys.command('revoke').description('Revoke a key at once.').argument('<key_id>')).action(
    async (id: string, options: ApiOptions) => {
      const key = await clientFrom(options).apiKeys.revoke(id);
      if (options.json) return show(options, { ...key });
      process.stdout.write(`Revoked ${key.id} (${key.label}).\n`);
    },
  );
  return keys;
}
