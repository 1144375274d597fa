/**
 * `npm ci` must install cleanly on the oldest Node the README and `engines` promise: a dependency that asks for a
 * newer Node prints EBADENGINE on every install and may use what that Node lacks. The lockfile is what installs.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => JSON.parse(readFileSync(new URL(file, root), 'utf8'));

describe('the Node the project promises', () => {
  const promised = read('package.json').engines.node as string;
  const oldest = semver.minVersion(promised)?.version ?? '';

  it('is the same in every published package', () => {
    for (const pkg of ['packages/server/package.json', 'packages/sdk/package.json'])
      expect(read(pkg).engines?.node, pkg).toBe(promised);
  });

  it('satisfies every locked dependency, development ones included', () => {
    const packages = read('package-lock.json').packages as Record<string, { engines?: { node?: string } }>;
    const refusing = Object.entries(packages)
      .filter(([, pkg]) => typeof pkg.engines?.node === 'string')
      .filter(([, pkg]) => !semver.satisfies(oldest, pkg.engines?.node ?? '*', { includePrerelease: true }))
      .map(([path, pkg]) => `${path} wants node ${pkg.engines?.node}`);
    expect(refusing, `these ask for more than Node ${oldest}`).toEqual([]);
  });
});
