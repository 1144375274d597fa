/**
 * Real small file systems for storage fault tests: a tmpfs of a few megabytes that a test can fill to the last byte,
 * and an ext4 image on a loop device that the kernel can be told to turn read-only under open files. Mounting needs
 * root (CI runs as root); where it is not permitted the tests skip, saying why.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface SmallDisk {
  /** The mount point. */
  dir: string;
  unmount(): void;
}

export interface FillableDisk extends SmallDisk {
  /** Writes a filler file until the file system has no byte left. */
  fill(): void;
  /** Deletes the filler file. */
  free(): void;
}

export interface BreakableDisk extends SmallDisk {
  /**
   * Makes the kernel record a file-system error; mounted with `errors=remount-ro`, ext4 then turns read-only at once,
   * open files included (what a failing disk does to a running server). Only unmounting ends it.
   */
  turnReadOnly(): void;
}

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why a tmpfs cannot be mounted here, or undefined when it can (tried once, with a mount and an unmount). */
export function tmpfsUnavailable(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 'latchkey-probe-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    run('umount', [probe]);
    return undefined;
  } catch (error) {
    return `mounting a tmpfs is not permitted here (needs root): ${firstLine(error)}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

export function mountTmpfs(sizeBytes: number): FillableDisk {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-tmpfs-'));
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => fillUp(filler),
    free: () => unlinkSync(filler),
    unmount: () => unmountAndRemove(dir),
  };
}

/** Why an ext4 image cannot be loop-mounted here (no loop devices, no mkfs.ext4, not root), or undefined. */
export function loopExt4Unavailable(): string | undefined {
  try {
    const disk = mountExt4(1 << 20);
    disk.unmount();
    return undefined;
  } catch (error) {
    return `loop-mounting an ext4 image is not possible here (needs root, loop devices and mkfs.ext4): ${firstLine(error)}`;
  }
}

export function mountExt4(sizeBytes: number): BreakableDisk {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-ext4-'));
  const image = `${dir}.img`;
  try {
    writeFileSync(image, '');
    run('truncate', ['-s', String(sizeBytes), image]);
    run('mkfs.ext4', ['-q', '-F', image]);
    run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(image, { force: true });
    throw error;
  }
  const device = basename(execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).trim());
  return {
    dir,
    turnReadOnly: () => writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, '1'),
    unmount: () => {
      unmountAndRemove(dir);
      rmSync(image, { force: true });
    },
  };
}

function fillUp(path: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = openSync(path, 'w');
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last chunk may have been written in part: fill what is left in small chunks.
  const tail = openSync(path, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(512, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(tail);
  }
}

function unmountAndRemove(dir: string): void {
  run('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return (stderr || (error as Error).message).split('\n')[0] ?? '';
}
