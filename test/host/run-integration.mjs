#!/usr/bin/env node
// `npm run test:integration`: the mocha suites of test/integration inside a real VS Code extension host.
// Offline (default): @vscode/test-electron's runTests with vscodeExecutablePath = code-test-host.js, i.e.
// code-server 4.100.3 + headless Chromium. On a connected machine, DICTATION_TEST_DESKTOP=1 lets test-electron
// download desktop VS Code instead (needs a display, e.g. xvfb-run).
import { runTests } from '@vscode/test-electron';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVirtualMic, stopVirtualMic } from './virtualMic.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const hostDir = join(root, 'test/host');
const desktop = process.env.DICTATION_TEST_DESKTOP === '1';
if (!desktop && !existsSync(join(hostDir, 'node_modules/code-server'))) {
  console.log('test host missing: running test/host/setup.sh');
  execFileSync('bash', [join(hostDir, 'setup.sh')], { stdio: 'inherit' });
}

const userDataDir = mkdtempSync(join(tmpdir(), 'dictation-it-'));
let exitCode = 1;
const micEnv = startVirtualMic();
try {
  await runTests({
    ...(desktop ? { version: '1.100.3' } : { vscodeExecutablePath: join(hostDir, 'code-test-host.js') }),
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist/test/integration/index.js'),
    // Profile folders of our own: test-electron's default extensions folder (.vscode-test/ inside the extension)
    // makes the web workbench skip the development extension.
    launchArgs: [join(root, 'test/fixtures/workspace'), `--user-data-dir=${join(userDataDir, 'ud')}`, `--extensions-dir=${join(userDataDir, 'exts')}`],
    extensionTestsEnv: { ...micEnv, DICTATION_REPO_ROOT: root },
  });
  exitCode = 0;
} catch (error) {
  console.error(`integration tests failed: ${error instanceof Error ? error.message : error}`);
} finally {
  stopVirtualMic();
  if (process.env.CODE_TEST_KEEP) console.log(`profile kept in ${userDataDir}`);
  else rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
