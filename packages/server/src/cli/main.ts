import { LatchkeyError } from '@latchkey/sdk';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { VERSION } from '../server.js';
import { UsageError } from './api-options.js';
import { appsCommand } from './apps-command.js';
import { backupCommand, restoreCommand } from './backup-command.js';
import { EXIT } from './command-basics.js';
import { dashboardCommand } from './dashboard-command.js';
import { doctorCommand } from './doctor-command.js';
import { eventsCommand, statsCommand } from './events-command.js';
import { initCommand } from './init-command.js';
import { keysCommand } from './keys-command.js';
import { linksCommand } from './links-command.js';
import { migrateCommand } from './migrate-command.js';
import { sessionKeysCommand } from './session-keys-command.js';
import { signingKeysCommand } from './signing-keys-command.js';
import { startCommand } from './start-command.js';
import { tokenCommand } from './token-command.js';
import { usersCommand } from './users-command.js';
import { webhooksCommand } from './webhooks-command.js';

export function buildCli(): Command {
  const program = new Command('latchkey')
    .description('Latchkey: self-hosted magic links, sign-in codes and sessions.')
    .version(VERSION)
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  $ latchkey start                          # embedded SQLite in ./data on port 8080
  $ latchkey init --data-dir ./data --json  # create the database and default app, print the keys
  $ DATABASE_URL=postgres://… LATCHKEY_MASTER_KEY=… latchkey migrate
  $ latchkey backup --out /backups/latchkey.db  # a consistent copy while the server runs (SQLite)
  $ latchkey token sign --sub 1234 --key lk_hs_… --redirect-to invoices
  $ export LATCHKEY_URL=http://localhost:8080 LATCHKEY_API_KEY=lk_sk_…
  $ latchkey links create --email ada@example.com
  $ latchkey links bulk --in rows.csv --out links.csv
  $ latchkey webhooks create --endpoint-url https://app.example.com/hooks --events magic_link.redeemed

Every setting can also come from an environment variable; see docs/configuration.md.
Commands that call a running server take --url and --api-key (or LATCHKEY_URL, LATCHKEY_API_KEY) and --json.
Exit codes: 0 ok, 1 API or server error, 2 usage, 3 refused, 4 some bulk rows failed (docs/cli.md).`,
    );
  program.addCommand(startCommand());
  program.addCommand(initCommand());
  program.addCommand(migrateCommand());
  program.addCommand(backupCommand());
  program.addCommand(restoreCommand());
  program.addCommand(tokenCommand());
  program.addCommand(doctorCommand());
  program.addCommand(appsCommand());
  program.addCommand(keysCommand());
  program.addCommand(signingKeysCommand());
  program.addCommand(sessionKeysCommand());
  program.addCommand(linksCommand());
  program.addCommand(usersCommand());
  program.addCommand(webhooksCommand());
  program.addCommand(eventsCommand());
  program.addCommand(statsCommand());
  program.addCommand(dashboardCommand());
  return program;
}

export async function run(argv: string[]): Promise<void> {
  let running: Command | undefined;
  try {
    const program = exitOverrideEverywhere(buildCli());
    program.hook('preAction', (_program, action) => {
      running = action;
    });
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; any other parse problem is a usage error (commander already said why).
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof LatchkeyError) {
      // The server's code and message, never the request's headers (they hold the API key). The field it names is
      // said as the command's own flag when it has one: `--redirect-url`, not the API's `redirect_url`.
      const flag = error.param ? flagOf(running, error.param) : undefined;
      const param = error.param ? ` (${flag ?? error.param})` : '';
      const message = flag && error.param ? nameFlag(error.message, error.param, flag) : error.message;
      process.stderr.write(`latchkey: ${error.code}${param}: ${message}\n`);
      process.exitCode = EXIT.failure;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`latchkey: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  }
}

function exitOverrideEverywhere(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideEverywhere(sub);
  return command;
}

/**
 * Flags every API command has that are not fields of a request body: `--url` is the server's address, so an
 * API field named `url` (a webhook endpoint's) is not it.
 */
const CONNECTION_FLAGS = new Set(['--url', '--api-key', '--app', '--json']);

/** The flag of `command` that sets the API field `param` (`redirect_url` → `--redirect-url`), if it has one. */
function flagOf(command: Command | undefined, param: string): string | undefined {
  const long = `--${param.replaceAll('_', '-')}`;
  if (CONNECTION_FLAGS.has(long)) return undefined;
  return command?.options.some((option) => option.long === long) ? long : undefined;
}

/** The message with the API field's name, where it stands as a word, replaced by the flag. */
function nameFlag(message: string, param: string, flag: string): string {
  return message.replace(new RegExp(`(?<![\\w-])${param}(?![\\w-])`, 'g'), flag);
}
