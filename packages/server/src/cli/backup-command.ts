import { Command, Option } from 'commander';
import { type Config, loadConfig } from '../config/config.js';
import { databaseTarget } from '../runtime.js';
import { BackupRefused, backupSqlite, restoreSqlite } from '../storage/sqlite-backup.js';
import { UsageError } from './api-options.js';
import { databaseOptions } from './command-basics.js';

interface Options {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
}

function sqlitePath(config: Config, what: string): string {
  const target = databaseTarget(config);
  if (target.kind !== 'sqlite')
    throw new UsageError(
      `${what} is for embedded SQLite; on PostgreSQL use pg_dump and pg_restore (docs/deployment.md#backups).`,
    );
  return target.path;
}

const MASTER_KEY_NOTE =
  'The master key is not in the backup: keep {data dir}/master.key (or LATCHKEY_MASTER_KEY) with it, apart from it; without the key a restored database cannot open its signing keys.';

/** `latchkey backup --out FILE`: a consistent copy of the running server's SQLite database. */
export function backupCommand(): Command {
  return databaseOptions(new Command('backup'))
    .description('Copy the embedded SQLite database while the server runs (SQLite online backup).')
    .requiredOption('--out <file>', 'where the copy goes (written 0600; must not exist)')
    .addOption(new Option('--json', 'print {"out", "bytes"} as JSON'))
    .addHelpText(
      'after',
      '\nExample:\n  $ latchkey backup --data-dir /var/lib/latchkey --out /backups/latchkey-$(date +%F).db',
    )
    .action(async (options: Options & { out: string }) => {
      const path = sqlitePath(loadConfig(process.env, options), 'backup');
      const { bytes } = await refusedAsUsage(() => backupSqlite(path, options.out));
      if (options.json) process.stdout.write(`${JSON.stringify({ out: options.out, bytes })}\n`);
      else
        process.stdout.write(
          `Backed up ${path} to ${options.out} (${bytes.toLocaleString('en')} bytes).\n${MASTER_KEY_NOTE.replace('{data dir}', options.dataDir ?? './data')}\n`,
        );
    });
}

/** `latchkey restore --from FILE`: a backup put back in place of the database, on a stopped server. */
export function restoreCommand(): Command {
  return databaseOptions(new Command('restore'))
    .description('Put a backup in place of the embedded SQLite database. Stop the server first.')
    .requiredOption('--from <file>', 'a file made by latchkey backup')
    .addHelpText(
      'after',
      '\nExample:\n  $ latchkey restore --data-dir /var/lib/latchkey --from /backups/latchkey-2026-12-01.db',
    )
    .action(async (options: Options & { from: string }) => {
      const path = sqlitePath(loadConfig(process.env, options), 'restore');
      await refusedAsUsage(async () => restoreSqlite(options.from, path));
      process.stdout.write(
        `Restored ${options.from} to ${path}. Start the server with the master key the backup was made under.\n`,
      );
    });
}

async function refusedAsUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupRefused) throw new UsageError(error.message);
    throw error;
  }
}
