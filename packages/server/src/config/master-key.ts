import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { ensurePrivateDir } from './private-files.js';

export const MASTER_KEY_FILE = 'master.key';

/**
 * The key that seals signing keys at rest. Given by LATCHKEY_MASTER_KEY, or, in embedded mode only, generated
 * once into the data dir with 0600 permissions. With PostgreSQL every node must share one key, so it must be set.
 */
export function loadMasterKey(config: Config): Buffer {
  if (config.masterKey) return config.masterKey;
  if (config.databaseUrl) {
    throw new ConfigError([
      'LATCHKEY_MASTER_KEY must be set when DATABASE_URL is: every node must use the same key. Make one with `openssl rand -base64 32`.',
    ]);
  }
  const path = join(config.dataDir, MASTER_KEY_FILE);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new ConfigError([`${path} does not hold a 32-byte base64 key; restore it from a backup.`]);
    return key;
  }
  ensurePrivateDir(config.dataDir);
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  // The mode given above is filtered by the umask; set it exactly.
  chmodSync(path, 0o600);
  return key;
}
