import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');

test('core, Node adapters and the worker never import vscode (and core does no I/O)', async () => {
  const { violations } = await import(join(root, 'scripts/check-layers.mjs'));
  assert.deepEqual(violations(), []);
});

test('the layer check catches a violation', async () => {
  const dir = join(root, 'src/core/__layer_probe__');
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'bad.ts'), "import * as vscode from 'vscode';\nimport { readFileSync } from 'node:fs';\nexport const x = [vscode, readFileSync];\n");
    const { violations } = await import(join(root, 'scripts/check-layers.mjs') + '?probe');
    const found: string[] = violations();
    assert.equal(found.filter((v) => v.includes('__layer_probe__')).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
