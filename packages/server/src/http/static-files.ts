import fastifyStatic from '@fastify/static';
import type { RouteScope } from './routes.js';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Serves the files under `root` at `prefix` (`GET` and `HEAD {prefix}*`) as cacheable for a year and immutable:
 * only for files whose names change with their content (a build's hashed assets). A `.br` or `.gz` file beside a
 * file is sent instead when the browser accepts it. A missing file is the server's ordinary 404.
 */
export async function serveImmutableFiles(
  app: RouteScope,
  options: { root: string; prefix: string },
): Promise<void> {
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: options.prefix,
    // No reply.sendFile for the rest of the scope, and no directory listings or index files.
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    maxAge: ONE_YEAR_MS,
    immutable: true,
    preCompressed: true,
    // The plugin picks the compressed file by Accept-Encoding but does not say so; a shared cache, told the answer
    // is public and immutable, would otherwise hand gzip to a client that never asked for it.
    setHeaders: (res) => res.setHeader('vary', 'accept-encoding'),
  });
}
