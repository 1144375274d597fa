import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Writes a `.br` and a `.gz` beside every script, stylesheet and SVG of the build, compressed once at their best
 * level, which the server sends to browsers that accept them (@fastify/static's `preCompressed`). The server then
 * compresses nothing at run time, and needs no compression plugin.
 */
export function precompress(): Plugin {
  let assetsDir = '';
  return {
    name: 'latchkey-precompress',
    apply: 'build',
    configResolved(config) {
      assetsDir = join(config.build.outDir, config.build.assetsDir);
    },
    writeBundle() {
      for (const name of readdirSync(assetsDir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const file = join(assetsDir, name);
        const content = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}
