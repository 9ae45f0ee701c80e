// Every setting the code reads is declared in package.json (else VS Code silently returns the code's fallback and
// the Settings UI never shows it) and listed in the README's settings table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared: Record<string, { default?: unknown; minimum?: number; maximum?: number; enum?: string[]; enumDescriptions?: string[] }> = Object.assign(
  {},
  ...pkg.contributes.configuration.map((g: { properties: object }) => g.properties),
);
const configSource = readFileSync(join(root, 'src/vscode/config.ts'), 'utf8');
const keysBlock = /const KEYS = \{([\s\S]*?)\} as const;/.exec(configSource)![1];
const readKeys = [...keysBlock.matchAll(/:\s*'([^']+)'/g)].map((m) => `offlineDictation.${m[1]}`);

test('every setting in config.ts is declared in package.json and in the README', () => {
  assert.ok(readKeys.length >= 20, `found the KEYS table (${readKeys.length} keys)`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const key of readKeys) {
    assert.ok(declared[key], `${key} is declared in contributes.configuration`);
    assert.ok(readme.includes(`| \`${key}\` |`), `${key} has a row in the README settings table`);
  }
});

test('the capture and memory-sampling settings have the documented defaults and ranges', () => {
  assert.deepEqual(declared['offlineDictation.capture.mode'].enum, ['auto', 'streaming', 'file']);
  assert.equal(declared['offlineDictation.capture.mode'].enumDescriptions?.length, 3);
  assert.equal(declared['offlineDictation.capture.mode'].default, 'auto');
  const buffered = declared['offlineDictation.capture.maxBufferedSeconds'];
  assert.deepEqual([buffered.default, buffered.minimum, buffered.maximum], [120, 1, 1800]);
  const interval = declared['offlineDictation.memory.sampleIntervalSeconds'];
  assert.deepEqual([interval.default, interval.minimum, interval.maximum], [2, 1, 60]);
  // The code's fallbacks agree with the declared defaults.
  assert.match(configSource, /get\('memorySampleIntervalSeconds', 2\)/);
  assert.match(configSource, /get\('maxBufferedSeconds', 120\)/);
  assert.match(configSource, /get<string>\('captureMode', 'auto'\)/);
});
