// Mocha entry point that VS Code's extension host calls (extensionTestsPath): runs every *.test.js built next to
// this file. Suites use mocha's TDD interface (suite/test).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.DICTATION_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of testFiles(__dirname).sort()) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      // A closing summary in the plain form CI logs recognise.
      console.log(`integration: ${stats?.passes ?? 0} passed, ${failures} failed, ${stats?.pending ?? 0} skipped`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
