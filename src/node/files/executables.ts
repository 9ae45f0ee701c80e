// Finding programs to spawn (recorders, decoders) without a shell: what PATH lookup a shell would do, limited to
// files that can really be executed.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A regular file this process may execute (on Windows: one that exists). */
export function isExecutable(path: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * First executable called `name` on the PATH of `env`. On Windows only `name.exe` (or the bare name): a `.cmd` or
 * `.bat` cannot be spawned without a shell.
 */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const names = platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) for (const candidate of names) if (isExecutable(join(dir, candidate), platform)) return join(dir, candidate);
  return undefined;
}
