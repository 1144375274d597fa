import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The embedded database holds hashed secrets, sealed keys and every user's email: only the account Latchkey runs as
 * may read it. Modes are set explicitly with chmod rather than trusted to the umask (a umask of 0 would leave files
 * world-readable, and changing the process umask is global and not allowed in worker threads).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps beside the database in WAL mode. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Creates `dir` (and any missing parents) with mode 0700. A directory that already exists keeps its mode: the
 * operator may have made it on purpose (shared with a backup agent's group, say), and the files in it are private
 * on their own.
 */
export function ensurePrivateDir(dir: string): void {
  const target = resolve(dir);
  const firstCreated = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (firstCreated === undefined) return;
  // mkdir's mode is filtered by the umask; every directory this call made, from the target up, is set exactly.
  for (let current = target; ; current = dirname(current)) {
    chmodSync(current, PRIVATE_DIR_MODE);
    if (current === resolve(firstCreated) || dirname(current) === current) break;
  }
}

/**
 * Makes the database file private before SQLite opens it: created empty with mode 0600 when missing; when it exists
 * (an installation from before this rule), it and any `-wal`, `-shm` or `-journal` file beside it lose their group
 * and other permissions. SQLite creates its `-wal` and `-shm` files later, lazily, with the database file's own mode
 * and owner, so they are private as well whatever the umask.
 */
export function preparePrivateDatabaseFile(path: string): void {
  ensurePrivateDir(dirname(path));
  if (createPrivateFile(path)) return;
  for (const file of [path, ...SQLITE_SIDE_FILES.map((suffix) => `${path}${suffix}`)]) tightenFile(file);
}

/** Creates an empty file with mode 0600 exactly; false if it already exists. */
function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    // The mode given to open is filtered by the umask, which might even take the owner's write bit.
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes group and other permissions off an existing file (a missing one is fine). Only when there are some: a file
 * that is already private is not touched, so opening an up-to-date installation writes nothing here.
 */
export function tightenFile(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
}
