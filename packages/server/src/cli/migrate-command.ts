import { Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import { databaseTarget } from '../runtime.js';
import { openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { databaseOptions } from './command-basics.js';

export function migrateCommand(): Command {
  return databaseOptions(new Command('migrate'))
    .description(
      'Bring the database schema up to date (start does this too; safe to run on several nodes at once).',
    )
    .addOption(new Option('--json', 'print {"applied": [...]} as JSON'))
    .action(
      async (options: { dataDir?: string; databaseUrl?: string; logLevel?: string; json?: boolean }) => {
        const config = loadConfig(process.env, options);
        const handle = openDatabase(databaseTarget(config));
        try {
          const { applied } = await migrateToLatest(handle.db);
          if (options.json) process.stdout.write(`${JSON.stringify({ applied })}\n`);
          else
            process.stdout.write(
              applied.length === 0 ? 'The schema is up to date.\n' : `Applied: ${applied.join(', ')}\n`,
            );
        } finally {
          await handle.close();
        }
      },
    );
}
