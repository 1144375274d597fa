import { Command } from 'commander';
import { type ApiOptions, apiOptions, clientFrom, limitOption, show, showList, take } from './api-options.js';

/** `latchkey signing-keys`: the HS256 keys stateless links are signed with. */
export function signingKeysCommand(): Command {
  const keys = new Command('signing-keys')
    .description('Signing keys for stateless links: create, list and revoke.')
    .addHelpText(
      'after',
      `
Examples:
  $ latchkey signing-keys create --label invoices   # prints kid and secret once
  $ latchkey signing-keys list
  $ latchkey signing-keys revoke sk_01…             # links signed with it stop working`,
    );

  apiOptions(
    keys.command('create').description('Create a signing key; the secret is printed once, here only.'),
  )
    .option('--label <label>', 'a name to recognise the key by', 'unnamed')
    .action(async (options: ApiOptions & { label: string }) => {
      const created = await clientFrom(options).signingKeys.create({ label: options.label });
      if (options.json) return show(options, { ...created });
      process.stdout.write(`Created ${created.kid} (${created.label}).\n`);
      process.stdout.write(`Secret (shown once, keep it safe): ${created.secret}\n`);
    });

  apiOptions(keys.command('list').description('List signing keys, active and revoked, never their secrets.'))
    .addOption(limitOption())
    .action(async (options: ApiOptions & { limit: number }) => {
      const list = await take(clientFrom(options).signingKeys.list(), options.limit);
      showList(options, list as unknown as Array<Record<string, unknown>>, [
        'kid',
        'label',
        'status',
        'secret_hint',
        'last_used_at',
      ]);
    });

  apiOptions(keys.command('revoke').description('Revoke a signing key at once.').argument('<kid>')).action(
    async (kid: string, options: ApiOptions) => {
      const key = await clientFrom(options).signingKeys.revoke(kid);
      if (options.json) return show(options, { ...key });
      process.stdout.write(`Revoked ${key.kid} (${key.label}).\n`);
    },
  );
  return keys;
}
