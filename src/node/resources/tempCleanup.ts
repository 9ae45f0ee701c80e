// Deletes the contents of the extension's temp folder and says what was removed.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface CleanupResult {
  files: number;
  bytes: number;
}

async function measure(path: string): Promise<CleanupResult> {
  const info = await stat(path);
  if (!info.isDirectory()) return { files: 1, bytes: info.size };
  const parts = await Promise.all((await readdir(path)).map((name) => measure(join(path, name)).catch(() => ({ files: 0, bytes: 0 }))));
  return parts.reduce((a, b) => ({ files: a.files + b.files, bytes: a.bytes + b.bytes }), { files: 0, bytes: 0 });
}

/** Empties `directory` (keeping the folder itself). */
export async function emptyDirectory(directory: string): Promise<CleanupResult> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return { files: 0, bytes: 0 };
  }
  const total = { files: 0, bytes: 0 };
  for (const name of names) {
    const path = join(directory, name);
    try {
      const size = await measure(path);
      await rm(path, { recursive: true, force: true });
      total.files += size.files;
      total.bytes += size.bytes;
    } catch {
      // in use or already gone: reported as not deleted
    }
  }
  return total;
}
