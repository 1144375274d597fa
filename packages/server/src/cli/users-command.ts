import { Command, Option } from 'commander';
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
} from './api-options.js';
import { usersImportCommand } from './users-import.js';

interface UserFields extends ApiOptions {
  email?: string;
  phone?: string;
  externalId?: string;
  metadata?: Record<string, unknown>;
}

function userOptions(command: Command): Command {
  return command
    .option('--email <email>', 'email address')
    .option('--phone <phone>', 'phone number in international form, +14155550123')
    .option('--external-id <id>', 'your own id for the user')
    .addOption(
      new Option('--metadata <json>', 'a JSON object kept with the user').argParser(jsonObject('--metadata')),
    );
}

const fields = (o: UserFields) =>
  defined({ email: o.email, phone: o.phone, external_id: o.externalId, metadata: o.metadata });

const COLUMNS = ['id', 'email', 'phone', 'external_id', 'last_login_at'];

/** `latchkey users`: the people of an app. */
export function usersCommand(): Command {
  const users = new Command('users').description('Users: create, find, change and delete.').addHelpText(
    'after',
    `
Examples:
  $ latchkey users create --email ada@example.com --external-id cus_1234
  $ latchkey users list --email ada@example.com
  $ latchkey users update usr_01… --metadata '{"plan":"pro"}'
  $ latchkey users delete usr_01…      # also revokes the user's links and sessions
  $ latchkey users import --from passage passage-users.json`,
  );

  userOptions(apiOptions(users.command('create').description('Create a user.'))).action(
    async (options: UserFields) => {
      show(options, await clientFrom(options).users.create(fields(options)));
    },
  );

  apiOptions(users.command('list').description('List users, or find one by email, phone or external id.'))
    .option('--email <email>', 'only the user with this email')
    .option('--phone <phone>', 'only the user with this phone')
    .option('--external-id <id>', 'only the user with this external id')
    .addOption(limitOption())
    .action(async (options: UserFields & { limit: number }) => {
      const filter = defined({ email: options.email, phone: options.phone, external_id: options.externalId });
      const list = await take(clientFrom(options).users.list(filter), options.limit);
      showList(options, list as unknown as Array<Record<string, unknown>>, COLUMNS);
    });

  apiOptions(users.command('get').description('Show a user.').argument('<user_id>')).action(
    async (id: string, options: ApiOptions) => {
      show(options, await clientFrom(options).users.get(id));
    },
  );

  userOptions(
    apiOptions(users.command('update').description("Change a user's fields.").argument('<user_id>')),
  ).action(async (id: string, options: UserFields) => {
    show(options, await clientFrom(options).users.update(id, fields(options)));
  });

  apiOptions(
    users
      .command('delete')
      .description("Delete a user and revoke the user's links and sessions.")
      .argument('<user_id>'),
  ).action(async (id: string, options: ApiOptions) => {
    await clientFrom(options).users.delete(id);
    if (options.json) show(options, { id, deleted: true });
    else process.stdout.write(`Deleted ${id}.\n`);
  });
  usersImportCommand(users);
  return users;
}
