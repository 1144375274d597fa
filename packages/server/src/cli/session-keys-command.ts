import { Command } from 'commander';
import { type ApiOptions, apiOptions, clientFrom, show, showList } from './api-options.js';

/** `latchkey session-keys`: the ES256 keys that sign session tokens (admin key). */
export function sessionKeysCommand(): Command {
  const keys = new Command('session-keys')
    .description('Session-token signing keys: list and rotate (admin key).')
    .addHelpText(
      'after',
      `
Examples:
  $ latchkey session-keys list --api-key lk_admin_…
  $ latchkey session-keys rotate --api-key lk_admin_…   # old tokens keep verifying for 24 hours`,
    );

  apiOptions(
    keys.command('list').description('List the keys, newest first, and whether each is in the JWKS.'),
  ).action(async (options: ApiOptions) => {
    const list = await clientFrom(options).sessionKeys.list();
    showList(options, list as unknown as Array<Record<string, unknown>>, [
      'kid',
      'status',
      'published',
      'created_at',
      'retired_at',
    ]);
  });

  apiOptions(
    keys
      .command('rotate')
      .description(
        'Sign session tokens with a new key from now on; the old keys stay in the JWKS for 24 hours, so their tokens keep verifying.',
      ),
  ).action(async (options: ApiOptions) => {
    const rotated = await clientFrom(options).sessionKeys.rotate();
    if (options.json) return show(options, rotated);
    process.stdout.write(`Session tokens are now signed with ${rotated.kid}.\n`);
  });
  return keys;
}
