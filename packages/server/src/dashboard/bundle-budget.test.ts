/**
 * The budget of the dashboard's first screen: the JavaScript its index.html loads before anything shows (the entry
 * module and every chunk it preloads), gzipped, at most 150 KB. Screens that come later should be split off
 * (dynamic import) rather than grow this. Reads the build that `npm test` makes first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BUILT_DASHBOARD } from './dashboard-static.js';

const BUDGET_BYTES = 150 * 1024;

/** The scripts a page loads up front: module scripts and modulepreload links, as paths under the build folder. */
export function firstScreenScripts(html: string): string[] {
  const sources = [
    ...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((match) => match[1]!);
  return [...new Set(sources)].map((src) => {
    if (!src.startsWith('/dashboard/')) throw new Error(`a script from outside the dashboard: ${src}`);
    return src.slice('/dashboard/'.length);
  });
}

describe('the dashboard bundle budget', () => {
  it('finds scripts and modulepreloads in a page', () => {
    const html =
      '<script type="module" crossorigin src="/dashboard/assets/index-a.js"></script>' +
      '<link rel="modulepreload" crossorigin href="/dashboard/assets/react-b.js">';
    expect(firstScreenScripts(html)).toEqual(['assets/index-a.js', 'assets/react-b.js']);
  });

  it(`keeps the first screen's JavaScript within ${BUDGET_BYTES / 1024} KB gzipped`, () => {
    const index = join(BUILT_DASHBOARD, 'index.html');
    if (!existsSync(index)) throw new Error(`No dashboard build at ${index}: run npm run build first.`);
    const scripts = firstScreenScripts(readFileSync(index, 'utf8'));
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((file) => ({
      file,
      raw: readFileSync(join(BUILT_DASHBOARD, file)).length,
      gzip: gzipSync(readFileSync(join(BUILT_DASHBOARD, file))).length,
    }));
    const total = sizes.reduce((sum, size) => sum + size.gzip, 0);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    console.log(
      [
        `dashboard first screen: ${kb(total)} of JavaScript gzipped (budget ${kb(BUDGET_BYTES)})`,
        ...sizes.map((s) => `  ${s.file}: ${kb(s.raw)}, ${kb(s.gzip)} gzipped`),
      ].join('\n'),
    );
    expect(total, `first-screen JavaScript is ${kb(total)} gzipped`).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
