// The model store's disk side: every stored model listed (downloaded and imported), a model deleted with the space
// it freed reported, and a download or import refused up front when the disk cannot hold it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../../src/core/model/catalog';
import { DiskSpaceError, ensureFreeSpace, freeBytes } from '../../src/node/model/diskSpace';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { ModelStore } from '../../src/node/model/modelStore';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'model-store-'));
}

test('lists downloaded and imported models, and deleting one frees its bytes (and a partial download beside it)', async () => {
  const dir = scratch();
  try {
    writeFileSync(join(dir, 'ggml-base-q8_0.bin'), Buffer.alloc(3000));
    writeFileSync(join(dir, 'ggml-base-q8_0.bin.partial'), Buffer.alloc(500));
    writeFileSync(join(dir, 'my-finetune.bin'), Buffer.alloc(2000));
    writeFileSync(join(dir, 'notes.txt'), 'not a model');
    const store = new ModelStore(dir);
    const files = await store.files();
    assert.deepEqual(files.map((f) => [f.fileName, f.bytes, f.catalog?.name]), [['ggml-base-q8_0.bin', 3000, 'base-q8_0'], ['my-finetune.bin', 2000, undefined]]);
    assert.equal(await store.removeFile(join(dir, 'ggml-base-q8_0.bin')), 3500);
    assert.deepEqual(readdirSync(dir).sort(), ['my-finetune.bin', 'notes.txt']);
    await assert.rejects(store.removeFile('/etc/hostname'), /not in the model store/);
    assert.ok(existsSync('/etc/hostname'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a download or an import that would not fit is refused before a byte is written, saying how much is needed and free', async () => {
  const dir = scratch();
  try {
    const tiny = () => Promise.resolve(50 * 1048576);
    const store = new ModelStore(join(dir, 'models'), tiny);
    // An unroutable mirror: had the space check not come first, this would fail as a network error instead.
    const refused = await store.download(findModel('base-q8_0')!, { baseUrl: 'http://127.0.0.1:9/' }).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof DiskSpaceError, String(refused));
    assert.match((refused as Error).message, /needs 78 MB \(plus 100 MB to spare\).*only 50 MB are free.*Delete Model/);
    assert.deepEqual(readdirSync(join(dir, 'models')), []);
    if (existsSync(fixtureModelPath())) {
      await assert.rejects(store.importFile(fixtureModelPath()), /Not enough disk space for a copy of ggml-tiny\.en\.bin: it needs 75 MB/);
      assert.deepEqual(readdirSync(join(dir, 'models')), []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('free space is read from the file system, through the nearest existing parent of a folder not created yet', async () => {
  const free = await freeBytes(join(tmpdir(), 'does', 'not', 'exist', 'yet'));
  assert.ok(free > 0);
  await ensureFreeSpace(tmpdir(), 1, 'one byte');
  await assert.rejects(ensureFreeSpace(tmpdir(), free, 'everything'), DiskSpaceError);
});
