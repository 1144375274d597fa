import type { LinkType } from '@latchkey/sdk';
import { Command, Option } from 'commander';
import {
  type ApiOptions,
  apiOptions,
  clientFrom,
  defined,
  limitOption,
  printJson,
  printRecord,
  show,
  showList,
  take,
} from './api-options.js';

/** `latchkey events`: what happened in an app, newest first. */
export function eventsCommand(): Command {
  const events = new Command('events')
    .description('Events: what happened in the app (webhook events and audit entries), newest first.')
    .addHelpText(
      'after',
      `
Examples:
  $ latchkey events list --type magic_link.redeemed --since 2026-01-01
  $ latchkey events list --limit 0 --json > events.json
  $ latchkey events get evt_01…`,
    );

  apiOptions(events.command('list').description('List events, newest first.'))
    .option('--type <type>', 'only this event type, such as user.created')
    .option('--since <time>', 'only events at or after this ISO 8601 date or time')
    .addOption(limitOption())
    .action(async (options: ApiOptions & { type?: string; since?: string; limit: number }) => {
      const list = await take(
        clientFrom(options).events.list(defined({ type: options.type, since: options.since })),
        options.limit,
      );
      if (options.json) return showList(options, list, []);
      const rows = list.map((e) => ({ ...e, data: JSON.stringify(e.data) }));
      showList(options, rows, ['id', 'created_at', 'type', 'subject_id', 'data']);
    });

  apiOptions(events.command('get').description('Show one event.').argument('<event_id>')).action(
    async (id: string, options: ApiOptions) => {
      show(options, await clientFrom(options).events.get(id));
    },
  );
  return events;
}

/** `latchkey stats`: the funnel of the links created in a period. */
export function statsCommand(): Command {
  return apiOptions(
    new Command('stats')
      .description('Link figures: funnel, conversion, time to redeem, invites and failures.')
      .addHelpText(
        'after',
        `
The figures are those of the links created in [--from, --to) (default: the last 30 days, at most 400).

Examples:
  $ latchkey stats
  $ latchkey stats --from 2026-01-01 --to 2026-02-01 --type invite
  $ latchkey stats --json    # with a per-day series`,
      ),
  )
    .option('--from <date>', 'ISO date or date-time (default: 30 days before --to)')
    .option('--to <date>', 'ISO date or date-time, exclusive (default: now)')
    .addOption(
      new Option('--type <type>', 'only links of this type').choices([
        'login',
        'verify_identifier',
        'invite',
      ]),
    )
    .action(async (options: ApiOptions & { from?: string; to?: string; type?: LinkType }) => {
      const stats = await clientFrom(options).stats.get(
        defined({ from: options.from, to: options.to, type: options.type }),
      );
      if (options.json) return printJson(stats);
      const percent = (ratio: number | null) => (ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`);
      printRecord({
        period: `${stats.from} to ${stats.to}`,
        type: stats.type ?? 'all',
        ...stats.funnel,
        sent_to_redeemed: percent(stats.conversion.sent_to_redeemed),
        created_to_redeemed: percent(stats.conversion.created_to_redeemed),
        median_seconds_to_redeem: stats.send_to_redeem_seconds.median,
        invites: stats.invites.invited,
        invites_signed_in: stats.invites.signed_in,
      });
      if (stats.failures.length > 0) {
        process.stdout.write('\n');
        showList(options, stats.failures, ['type', 'reason', 'count']);
      }
    });
}
