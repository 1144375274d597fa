import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { signToken } from '../signed-links/signed-token.js';
import { EXIT } from './command-basics.js';

interface SignOptions {
  sub: string;
  ttl: string;
  redirectTo?: string;
  key?: string;
  kid?: string;
  iss: string;
  url?: string;
  app?: string;
  jti?: string;
  json?: boolean;
}

/** `latchkey token sign`: makes a stateless link offline, exactly as an application's backend would. */
export function tokenCommand(): Command {
  const token = new Command('token').description('Stateless signed links, made offline.');
  token
    .command('sign')
    .description('Sign a login token for a customer and print it with its link. Needs no server.')
    .requiredOption(
      '--sub <id>',
      'the customer: a Latchkey user id or your own customer id (digits become a number)',
    )
    .addOption(new Option('--ttl <seconds>', 'how long the link lives').default('3600'))
    .option('--redirect-to <shortcut>', 'a page shortcut of the app, e.g. invoices')
    .option('--key <secret>', 'the signing key secret (default: LATCHKEY_SIGNING_KEY)')
    .option('--kid <kid>', 'the signing key id, put in the token header (default: LATCHKEY_SIGNING_KID)')
    .addOption(
      new Option('--iss <name>', 'the issuer claim, any name for your service').default('latchkey-cli'),
    )
    .option(
      '--url <public_url>',
      "Latchkey's public URL (default: LATCHKEY_PUBLIC_URL, else http://localhost:8080)",
    )
    .option('--app <app_id>', 'use the /apps/{app_id}/login/{token} path form')
    .option('--jti <id>', 'the token id remembered as used (default: random)')
    .option('--json', 'print {"token","url","expires_at"} as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ LATCHKEY_SIGNING_KEY=lk_hs_… latchkey token sign --sub 1234 --ttl 3600 --redirect-to invoices\n  $ latchkey token sign --sub cus_42 --key lk_hs_… --kid sk_… --json',
    )
    .action((options: SignOptions) => {
      const secret = options.key ?? process.env.LATCHKEY_SIGNING_KEY;
      const ttl = Number(options.ttl);
      if (!secret)
        return fail(
          'Give the signing key secret with --key or LATCHKEY_SIGNING_KEY (it is printed by `latchkey init`).',
        );
      if (!Number.isSafeInteger(ttl) || ttl < 1)
        return fail('--ttl must be a whole number of seconds, at least 1.');
      const kid = options.kid ?? process.env.LATCHKEY_SIGNING_KID;
      const now = Math.floor(Date.now() / 1000);
      const sub: string | number = /^(0|[1-9][0-9]{0,14})$/.test(options.sub)
        ? Number(options.sub)
        : options.sub;
      const claims = {
        sub,
        iss: options.iss,
        iat: now,
        exp: now + ttl,
        // A random jti by default, so two links made in the same second for the same customer stay distinct.
        jti: options.jti ?? randomBytes(12).toString('base64url'),
      };
      const jwt = signToken(claims, secret, kid || undefined);
      const base = (options.url ?? process.env.LATCHKEY_PUBLIC_URL ?? 'http://localhost:8080').replace(
        /\/+$/,
        '',
      );
      const path = options.app ? `/apps/${options.app}/login/${jwt}` : `/login/${jwt}`;
      const url = `${base}${path}${options.redirectTo ? `?redirect_to=${encodeURIComponent(options.redirectTo)}` : ''}`;
      const expiresAt = new Date(claims.exp * 1000).toISOString();
      process.stdout.write(
        options.json ? `${JSON.stringify({ token: jwt, url, expires_at: expiresAt })}\n` : `${url}\n`,
      );
    });
  return token;
}

function fail(message: string): void {
  process.stderr.write(`latchkey token sign: ${message}\n`);
  process.exitCode = EXIT.usage;
}
