// Small helpers for writing files so that readers only ever see a complete file or none.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A private, unique temp name next to `finalPath` (same directory, so rename is atomic). */
export function siblingTempPath(finalPath: string, tag: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** fsync a directory so a rename inside it survives a crash; not possible on every platform, so best effort. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open directories; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Writes a small file atomically (temp file with mode 0o600, fsync, rename). */
export async function writeFileAtomically(path: string, content: string | Uint8Array): Promise<void> {
  const temp = siblingTempPath(path, 'tmp');
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await removeIfPresent(temp);
    throw error;
  }
}
