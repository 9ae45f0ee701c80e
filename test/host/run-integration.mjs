#!/usr/bin/env node
// `npm run test:integration`: the mocha suites of test/integration inside a real VS Code extension host.
// Offline (default): @vscode/test-electron's runTests with vscodeExecutablePath = code-test-host.js, i.e.
// code-server 4.100.3 + headless Chromium. On a connected machine, DICTATION_TEST_DESKTOP=1 lets test-electron
// download desktop VS Code instead (needs a display, e.g. xvfb-run).
import { runTests } from '@vscode/test-electron';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addSecondMic, removeSecondMic, startVirtualMic, stopVirtualMic } from './virtualMic.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const hostDir = join(root, 'test/host');
const desktop = process.env.DICTATION_TEST_DESKTOP === '1';
if (!desktop && !existsSync(join(hostDir, 'node_modules/code-server'))) {
  console.log('test host missing: running test/host/setup.sh');
  execFileSync('bash', [join(hostDir, 'setup.sh')], { stdio: 'inherit' });
}

const userDataDir = mkdtempSync(join(tmpdir(), 'dictation-it-'));

/**
 * What a crashed window leaves behind: a session temp folder (named after its process, which no longer exists)
 * holding a spilled phrase. The extension must sweep it when it activates; test/integration/activation checks.
 */
function seedCrashedSession(hostTmpDir) {
  const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const folder = join(hostTmpDir, `offline-dictation-${process.getuid?.() ?? 'user'}`, `session-${deadPid}-crashed`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(join(folder, 'phrase-1.f32'), Buffer.alloc(4096), { mode: 0o600 });
  return folder;
}
// The extension host's temp folder (TMPDIR; code-test-host.js keeps it as CODE_TEST_TMPDIR), seeded before VS Code starts.
const hostTmpDir = join(userDataDir, 'tmp');
mkdirSync(hostTmpDir, { mode: 0o700 });
const crashedSession = seedCrashedSession(hostTmpDir);
/**
 * The extension as a .vsix of another platform would install it: its manifest, bundle and media, but no native/
 * and no node_modules, so no whisper.cpp build for this platform (test/integration/noNativeBuild.test.ts).
 */
function stageWithoutNativeBuild() {
  const dir = join(userDataDir, 'no-native-build');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  for (const name of readdirSync(root)) if (/^package(\.nls(\..+)?)?\.json$/.test(name)) cpSync(join(root, name), join(dir, name));
  for (const name of ['media', 'l10n']) if (existsSync(join(root, name))) cpSync(join(root, name), join(dir, name), { recursive: true });
  for (const name of ['extension.js', 'whisperWorker.js']) cpSync(join(root, 'dist', name), join(dir, 'dist', name));
  return dir;
}
const NO_NATIVE_BUILD_SUITE = 'Without a native build for this platform';
const grep = process.env.DICTATION_TEST_GREP;

let exitCode = 1;
const micEnv = startVirtualMic();
try {
  // Two microphones for the microphone-selection tests (test/integration/microphone.test.ts).
  const secondMicEnv = micEnv ? addSecondMic(micEnv) : undefined;
  const launch = (extensionDevelopmentPath, profile, env) => runTests({
    ...(desktop ? { version: '1.100.3' } : { vscodeExecutablePath: join(hostDir, 'code-test-host.js') }),
    extensionDevelopmentPath,
    extensionTestsPath: join(root, 'dist/test/integration/index.js'),
    // Profile folders of our own: test-electron's default extensions folder (.vscode-test/ inside the extension)
    // makes the web workbench skip the development extension.
    launchArgs: [join(root, 'test/fixtures/workspace'), `--user-data-dir=${join(userDataDir, profile)}`, `--extensions-dir=${join(userDataDir, `${profile}-exts`)}`],
    extensionTestsEnv: { ...micEnv, ...secondMicEnv, DICTATION_REPO_ROOT: root, DICTATION_CRASHED_SESSION: crashedSession, CODE_TEST_TMPDIR: hostTmpDir, TMPDIR: hostTmpDir, ...env },
  });
  if (grep !== NO_NATIVE_BUILD_SUITE) await launch(root, 'ud', {});
  // A second window whose extension has no build for this platform: only its own suite runs there.
  if (!grep || new RegExp(grep).test(NO_NATIVE_BUILD_SUITE)) {
    await launch(stageWithoutNativeBuild(), 'ud2', { DICTATION_TEST_NO_ADDON: '1', DICTATION_TEST_GREP: NO_NATIVE_BUILD_SUITE });
  }
  exitCode = 0;
} catch (error) {
  console.error(`integration tests failed: ${error instanceof Error ? error.message : error}`);
} finally {
  if (micEnv) removeSecondMic(micEnv);
  stopVirtualMic();
  if (process.env.CODE_TEST_KEEP) console.log(`profile kept in ${userDataDir}`);
  else rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
