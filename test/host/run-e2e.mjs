#!/usr/bin/env node
// `npm run test:e2e`: UI tests against the packaged .vsix in a real VS Code (code-server + headless Chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../../..');
if (!existsSync(join(root, 'test/host/node_modules/code-server'))) execFileSync('bash', [join(root, 'test/host/setup.sh')], { stdio: 'inherit' });
const tests = readdirSync(join(root, 'test/e2e')).filter((f) => f.endsWith('.e2e.test.ts')).map((f) => join('test/e2e', f));
try {
  execFileSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...tests], { cwd: root, stdio: 'inherit' });
} catch {
  process.exit(1);
}
