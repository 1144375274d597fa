/**
 * The root entry in a browser or edge bundle: esbuild, targeting browsers, bundles `@latchkey/sdk` the way an app's
 * bundler would (through the package's exports, so from dist/: `npm run build` first), and the bundle must pull in
 * no Node module and run where only web globals exist.
 */
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Records every Node builtin the bundle asks for (leaving it out), so the test can name them. */
function nodeBuiltins(found: string[]): Plugin {
  return {
    name: 'node-builtins',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        found.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
}

async function bundleRootEntry() {
  const builtins: string[] = [];
  const result = await build({
    stdin: { contents: "export * from '@latchkey/sdk';", resolveDir: SDK_DIR, loader: 'js' },
    absWorkingDir: SDK_DIR,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'LatchkeySdk',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeBuiltins(builtins)],
  });
  return { builtins, inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0]?.text ?? '' };
}

describe('@latchkey/sdk in a browser bundle', () => {
  it('pulls in no Node module and none of the Node entry', async () => {
    const { builtins, inputs } = await bundleRootEntry();
    expect(builtins).toEqual([]);
    expect(inputs).toContainEqual('dist/index.js');
    expect(inputs.filter((input) => /-node\.js$|^dist\/node\.js$/.test(input))).toEqual([]);
  });

  it('runs with only web globals, and signs and verifies with Web Crypto', async () => {
    const { code } = await bundleRootEntry();
    // What browsers and edge runtimes share; no Buffer, process or require.
    const web = {
      crypto,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      URL,
      URLSearchParams,
      Headers,
      fetch,
      console,
    };
    const context = createContext({ ...web });
    runInContext(code, context);
    const sdk = context.LatchkeySdk;
    expect(sdk.verifyWebhook).toBeUndefined();
    const secret = 'lk_hs_PyOzRpLVvoocUcrUxE8woHWk9QUbr4O09ENcLOPhCoY';
    const token: string = await sdk.generateSignInTokenAsync('cus_1', 60, { secret });
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const client = new sdk.Latchkey({ baseUrl: 'https://auth.example.com' });
    expect(await client.signInTokens.signInUrlAsync('cus_1', 60, { secret })).toMatch(
      /^https:\/\/auth\.example\.com\/login\//,
    );
    await expect(client.webhooks.verifyAsync('{}', {}, 'whsec_AAAA')).rejects.toMatchObject({
      code: 'webhook_invalid',
    });
  });
});
