import { Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import { issueBreakGlassLink } from '../dashboard/dashboard-sign-in.js';
import { ApiError } from '../errors/api-error.js';
import { openRuntime } from '../runtime.js';
import { databaseOptions, EXIT } from './command-basics.js';

interface LinkOptions {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  email: string;
}

/**
 * `latchkey dashboard link --email …`: the way into the dashboard when email is what is broken. It needs the data
 * directory or the database, that is shell access to the installation, which is already every power the link gives.
 */
export function dashboardCommand(): Command {
  const dashboard = new Command('dashboard').description('The operator dashboard at /dashboard.');
  dashboard.addCommand(
    databaseOptions(new Command('link'))
      .description(
        'Print a one-time sign-in link to the dashboard (valid 15 minutes). An address that is no operator yet is made an owner.',
      )
      .addOption(new Option('--email <address>', 'the operator to sign in as').makeOptionMandatory())
      .addHelpText('after', '\nExample:\n  $ latchkey dashboard link --email ops@example.com')
      .action(async (options: LinkOptions) => {
        const config = loadConfig(process.env, { ...options, logLevel: options.logLevel ?? 'warn' });
        const runtime = await openRuntime(config);
        try {
          const { operator, created, ...link } = await issueBreakGlassLink(runtime.ctx, options.email);
          if (created) process.stdout.write(`${operator.email} was not an operator; it is now an owner.\n`);
          process.stdout.write(
            `One-time sign-in link for ${operator.email} (${operator.role}), valid until ${new Date(link.expiresAt).toISOString()}:\n\n  ${link.url}\n\nIt works once. Anyone who has it can sign in as ${operator.email}: do not paste it anywhere else.\n`,
          );
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          process.stderr.write(`latchkey dashboard link: ${error.message}\n`);
          process.exitCode = EXIT.usage;
        } finally {
          await runtime.close();
        }
      }),
  );
  return dashboard;
}
