import { type Command, Option } from 'commander';

/**
 * Exit codes (docs/cli.md): 0 success, 1 the server answered with an error or could not be reached (or another
 * failure), 2 invalid configuration or usage, 3 refused (e.g. init on existing data), 4 a bulk run in which some
 * rows failed.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3, partial: 4 } as const;

/** Options every command that opens the database shares. */
export function databaseOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--data-dir <dir>', 'where embedded SQLite and the master key live (LATCHKEY_DATA_DIR)'),
    )
    .addOption(new Option('--database-url <url>', 'PostgreSQL instead of SQLite (DATABASE_URL)'))
    .addOption(
      new Option(
        '--log-level <level>',
        'fatal, error, warn, info, debug, trace or silent (LATCHKEY_LOG_LEVEL)',
      ),
    );
}

/** The `latchkey_meta` key under which a starting server records its public URL, for `doctor` to compare with. */
export const SERVER_PUBLIC_URL = 'server_public_url';
