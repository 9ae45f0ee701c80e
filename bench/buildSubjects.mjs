// What every benchmark builds first: the extension bundle, the addon builds, and whisper.cpp's own CLI compiled
// from the same sources with the flags of the addon variant this machine will load, so the reference is fair.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Builds everything; returns the addon variant in use and the path of the matching reference CLI. */
export function buildBenchSubjects(root) {
  execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/build-addon.mjs')], { cwd: root, stdio: 'inherit' });
  const avx2 = process.arch === 'x64' && /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && process.env.DICTATION_ADDON_VARIANT !== 'baseline';
  const variant = avx2 ? 'avx2' : 'baseline';
  execFileSync(process.execPath, [join(root, 'scripts/build-whisper-cli.mjs'), variant], { cwd: root, stdio: 'inherit' });
  return { variant, whisperCli: join(root, '.cache/whisper-cli', variant, 'whisper-cli') };
}
