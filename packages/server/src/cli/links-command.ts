import type { CreateMagicLinkParams, ListMagicLinksParams } from '@latchkey/sdk';
import { Command, Option } from 'commander';
import { LINK_STATUSES } from '../links/link-present.js';
import { LINK_TYPES } from '../storage/schema.js';
import {
  type ApiOptions,
  apiOptions,
  clientFrom,
  defined,
  jsonObject,
  limitOption,
  show,
  showList,
  take,
  UsageError,
} from './api-options.js';
import { bulkCommand } from './bulk-command.js';

interface CreateOptions extends ApiOptions {
  email?: string;
  phone?: string;
  userId?: string;
  channel?: 'email' | 'phone';
  send?: boolean;
  type?: CreateMagicLinkParams['type'];
  redirectUrl?: string;
  redirectTo?: string;
  magicLinkPath?: string;
  ttl?: number;
  language?: string;
  metadata?: Record<string, unknown>;
  idempotencyKey?: string;
}

const minutes = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError('--ttl must be a whole number of minutes, at least 1.');
  return n;
};

/** `latchkey links`: magic links through the API of a running server. */
export function linksCommand(): Command {
  const links = new Command('links')
    .description('Magic links: create, bulk-create, read, list and revoke.')
    .addHelpText(
      'after',
      `
Examples:
  $ export LATCHKEY_URL=http://localhost:8080 LATCHKEY_API_KEY=lk_sk_…
  $ latchkey links create --email ada@example.com --redirect-to invoices --ttl 30
  $ latchkey links create --email ada@example.com --send        # Latchkey emails it
  $ latchkey links bulk --in rows.csv --out links.csv
  $ latchkey links list --status redeemed --limit 10
  $ latchkey links revoke ml_01…`,
    );

  apiOptions(
    links
      .command('create')
      .description(
        'Create a link for one person and print its URL (the token is in it; it is shown only now).',
      ),
  )
    .option('--email <email>', 'the person, by email (created if unknown)')
    .option('--phone <phone>', 'the person, by phone in international form')
    .option('--user-id <id>', 'the person, by Latchkey user id')
    .addOption(
      new Option('--channel <channel>', 'with --user-id and --send: how to send').choices(['email', 'phone']),
    )
    .option('--send', 'have Latchkey deliver the link by email or SMS')
    .addOption(
      new Option('--type <type>', 'what the link is for').choices(['login', 'verify_identifier', 'invite']),
    )
    .option('--redirect-url <url>', 'where to go after sign-in (must be allowed by the app)')
    .option('--redirect-to <shortcut>', 'a page shortcut of the app, instead of --redirect-url')
    .option('--magic-link-path <path>', "redeem on the app's own site at this path")
    .addOption(new Option('--ttl <minutes>', 'how long the link lives').argParser(minutes))
    .option('--language <tag>', 'language of the pages and message, e.g. de')
    .addOption(
      new Option('--metadata <json>', 'a JSON object kept with the link').argParser(jsonObject('--metadata')),
    )
    .option('--idempotency-key <key>', 'a retry with the same key answers the same link instead of a new one')
    .action(async (options: CreateOptions) => {
      const given = [options.email, options.phone, options.userId].filter((v) => v !== undefined);
      if (given.length !== 1)
        throw new UsageError('Name the person with exactly one of --email, --phone or --user-id.');
      const params = defined({
        email: options.email,
        phone: options.phone,
        user_id: options.userId,
        channel: options.channel,
        send: options.send,
        type: options.type,
        redirect_url: options.redirectUrl,
        redirect_to: options.redirectTo,
        magic_link_path: options.magicLinkPath,
        ttl: options.ttl,
        language: options.language,
        metadata: options.metadata,
      }) as CreateMagicLinkParams;
      const link = await clientFrom(options).magicLinks.create(
        params,
        options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey },
      );
      if (options.json) return show(options, link);
      process.stdout.write(`${link.url}\n`);
      process.stderr.write(
        `${link.id} for ${link.identifier}, expires ${link.expires_at}${options.send ? ', queued for delivery' : ''}\n`,
      );
    });

  links.addCommand(bulkCommand());

  apiOptions(
    links
      .command('get')
      .description("Show a link's status, timeline and deliveries (never its token).")
      .argument('<link_id>'),
  ).action(async (id: string, options: ApiOptions) => {
    show(options, await clientFrom(options).magicLinks.get(id));
  });

  apiOptions(links.command('list').description('List links, newest first.'))
    .option('--user-id <id>', "only this user's links")
    .addOption(new Option('--status <status>', 'only links in this state').choices(LINK_STATUSES))
    .addOption(new Option('--type <type>', 'only links of this type').choices(LINK_TYPES))
    .option('--created-from <time>', 'created at or after (ISO 8601)')
    .option('--created-to <time>', 'created before (ISO 8601)')
    .addOption(limitOption())
    .action(
      async (
        options: ApiOptions & {
          userId?: string;
          status?: ListMagicLinksParams['status'];
          type?: ListMagicLinksParams['type'];
          createdFrom?: string;
          createdTo?: string;
          limit: number;
        },
      ) => {
        const filter = defined({
          user_id: options.userId,
          status: options.status,
          type: options.type,
          created_from: options.createdFrom,
          created_to: options.createdTo,
        }) as ListMagicLinksParams;
        const list = await take(clientFrom(options).magicLinks.list(filter), options.limit);
        showList(options, list, ['id', 'identifier', 'type', 'status', 'expires_at']);
      },
    );

  apiOptions(
    links
      .command('revoke')
      .description('Revoke a link, or with --user every outstanding link of a user.')
      .argument('[link_id]'),
  )
    .option('--user <user_id>', "revoke all of this user's outstanding links")
    .action(async (id: string | undefined, options: ApiOptions & { user?: string }) => {
      if ((id === undefined) === (options.user === undefined)) {
        throw new UsageError(
          'Give a link id, or --user <user_id> to revoke all of a user’s links (not both).',
        );
      }
      const client = clientFrom(options);
      if (options.user !== undefined) {
        const result = await client.magicLinks.revokeAll(options.user);
        if (options.json) return show(options, result);
        process.stdout.write(`Revoked ${result.revoked} link(s) of ${options.user}.\n`);
        return;
      }
      const link = await client.magicLinks.revoke(id!);
      if (options.json) return show(options, link);
      process.stdout.write(`${link.id} is ${link.status}.\n`);
    });
  return links;
}
