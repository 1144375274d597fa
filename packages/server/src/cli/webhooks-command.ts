import type { WebhookEndpointWithSecret, WebhookEventType } from '@latchkey/sdk';
import { Command, Option } from 'commander';
import {
  type ApiOptions,
  apiOptions,
  clientFrom,
  defined,
  limitOption,
  show,
  showList,
  take,
  UsageError,
} from './api-options.js';

interface EndpointFields extends ApiOptions {
  endpointUrl?: string;
  events?: Array<WebhookEventType | '*'>;
  description?: string;
}

/** `--events a,b`: event types between commas; `*` for all of them. The server says which types are unknown. */
function eventList(value: string): Array<WebhookEventType | '*'> {
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length === 0) {
    throw new UsageError(
      '--events needs at least one event type, such as user.created,magic_link.redeemed, or *.',
    );
  }
  return types as Array<WebhookEventType | '*'>;
}

const eventsOption = () =>
  new Option('--events <types>', 'event types between commas, or * for all (see docs/webhooks.md)').argParser(
    eventList,
  );

/** Prints a new secret once, for `create` and `rotate-secret`. */
function showWithSecret(options: ApiOptions, endpoint: WebhookEndpointWithSecret, verb: string): void {
  if (options.json) {
    show(options, { ...endpoint });
    return;
  }
  process.stdout.write(`${verb} ${endpoint.id} (${endpoint.url}).\n`);
  process.stdout.write(`Secret (shown once, keep it safe): ${endpoint.secret}\n`);
}

const COLUMNS = ['id', 'url', 'status', 'event_types', 'failing_since', 'description'];

/** `latchkey webhooks`: the endpoints Latchkey POSTs signed events to, and their delivery log. */
export function webhooksCommand(): Command {
  const webhooks = new Command('webhooks')
    .description('Webhook endpoints: create, list, change, rotate their secret, see deliveries, redeliver.')
    .addHelpText(
      'after',
      `
Examples:
  $ latchkey webhooks create --endpoint-url https://app.example.com/hooks \\
      --events magic_link.redeemed,user.created     # prints the signing secret once
  $ latchkey webhooks list
  $ latchkey webhooks update whe_01… --events '*' --description 'all events'
  $ latchkey webhooks update whe_01… --disable       # --enable to send again
  $ latchkey webhooks rotate-secret whe_01…          # the old secret signs beside the new one for 24 hours
  $ latchkey webhooks attempts whe_01… --event evt_01…
  $ latchkey webhooks redeliver whe_01… --event evt_01…
  $ latchkey webhooks delete whe_01…`,
    );

  apiOptions(
    webhooks
      .command('create')
      .description('Create an endpoint; its signing secret is printed once, here only.'),
  )
    .requiredOption(
      '--endpoint-url <url>',
      'the http(s) URL that receives the POSTs (--url is the Latchkey server)',
    )
    .addOption(eventsOption())
    .option('--description <text>', 'a note to recognise the endpoint by')
    .action(async (options: EndpointFields & { endpointUrl: string }) => {
      const created = await clientFrom(options).webhookEndpoints.create({
        url: options.endpointUrl,
        ...defined({ event_types: options.events, description: options.description }),
      });
      showWithSecret(options, created, 'Created');
    });

  apiOptions(webhooks.command('list').description('List endpoints, never their secrets.'))
    .addOption(limitOption())
    .action(async (options: ApiOptions & { limit: number }) => {
      const list = await take(clientFrom(options).webhookEndpoints.list(), options.limit);
      showList(options, list as unknown as Array<Record<string, unknown>>, COLUMNS);
    });

  apiOptions(webhooks.command('get').description('Show an endpoint.').argument('<endpoint_id>')).action(
    async (id: string, options: ApiOptions) => {
      show(options, await clientFrom(options).webhookEndpoints.get(id));
    },
  );

  apiOptions(
    webhooks
      .command('update')
      .description("Change an endpoint's URL, events or description, or disable and enable it.")
      .argument('<endpoint_id>'),
  )
    .option('--endpoint-url <url>', 'a new URL for the endpoint')
    .addOption(eventsOption())
    .option('--description <text>', 'a new description')
    .addOption(new Option('--disable', 'stop sending to it').conflicts('enable'))
    .option('--enable', 'send to it again (also after it was disabled for failing)')
    .action(async (id: string, options: EndpointFields & { enable?: boolean; disable?: boolean }) => {
      const patch = defined({
        url: options.endpointUrl,
        event_types: options.events,
        description: options.description,
        enabled: options.enable ? true : options.disable ? false : undefined,
      });
      if (Object.keys(patch).length === 0) {
        throw new UsageError(
          'Say what to change: --endpoint-url, --events, --description, --enable or --disable.',
        );
      }
      show(options, await clientFrom(options).webhookEndpoints.update(id, patch));
    });

  apiOptions(
    webhooks
      .command('delete')
      .description('Delete an endpoint and its delivery log.')
      .argument('<endpoint_id>'),
  ).action(async (id: string, options: ApiOptions) => {
    await clientFrom(options).webhookEndpoints.delete(id);
    if (options.json) show(options, { id, deleted: true });
    else process.stdout.write(`Deleted ${id}.\n`);
  });

  apiOptions(
    webhooks
      .command('rotate-secret')
      .description(
        'Make a new signing secret, printed once; the old one keeps signing beside it for 24 hours.',
      )
      .argument('<endpoint_id>'),
  ).action(async (id: string, options: ApiOptions) => {
    showWithSecret(
      options,
      await clientFrom(options).webhookEndpoints.rotateSecret(id),
      'Rotated the secret of',
    );
  });

  apiOptions(
    webhooks
      .command('attempts')
      .description("An endpoint's delivery log: every attempt, newest first.")
      .argument('<endpoint_id>'),
  )
    .option('--event <event_id>', 'only the attempts of this event')
    .addOption(limitOption())
    .action(async (id: string, options: ApiOptions & { event?: string; limit: number }) => {
      const attempts = clientFrom(options).webhookEndpoints.attempts(
        id,
        defined({ event_id: options.event }),
      );
      const list = await take(attempts, options.limit);
      showList(options, list as unknown as Array<Record<string, unknown>>, [
        'created_at',
        'event_id',
        'attempt',
        'ok',
        'status_code',
        'latency_ms',
        'error',
      ]);
    });

  apiOptions(
    webhooks
      .command('redeliver')
      .description('Send one event to the endpoint again, with the same webhook-id.')
      .argument('<endpoint_id>'),
  )
    .requiredOption('--event <event_id>', 'the event to send again (evt_…)')
    .action(async (id: string, options: ApiOptions & { event: string }) => {
      const queued = await clientFrom(options).webhookEndpoints.redeliver(id, options.event);
      if (options.json) return show(options, { ...queued });
      process.stdout.write(`Queued ${queued.event_id} for ${id} again.\n`);
    });
  return webhooks;
}
