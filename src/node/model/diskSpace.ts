// Free disk space before a large write (a model download or conversion): a clear error up front instead of a
// half-written file and ENOSPC minutes later.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CodedError } from '../../core/codedError';

export class DiskSpaceError extends CodedError<'NO_SPACE'> {
  override name = 'DiskSpaceError';
}

/** Bytes available to this user on the file system that holds `path` (or its nearest existing parent). */
export async function freeBytes(path: string): Promise<number> {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const fs = await statfs(dir);
      return fs.bavail * fs.bsize;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw error;
    }
  }
}

/** Keeps this much free beyond the file itself: a disk filled to the last byte breaks everything else on it. */
export const SPARE_BYTES = 100 * 1024 * 1024;

/** Throws a DiskSpaceError when `neededBytes` (plus a spare margin) do not fit in `directory`. */
export async function ensureFreeSpace(directory: string, neededBytes: number, what: string, free: (path: string) => Promise<number> = freeBytes): Promise<void> {
  const available = await free(directory);
  if (available >= neededBytes + SPARE_BYTES) return;
  const mb = (bytes: number) => `${Math.ceil(bytes / 1048576)} MB`;
  throw new DiskSpaceError('NO_SPACE', `Not enough disk space for ${what}: it needs ${mb(neededBytes)} (plus ${mb(SPARE_BYTES)} to spare) in ${directory}, but only ${mb(available)} are free. Free some space (Dictation: Delete Model… removes models you no longer use) and try again.`);
}
