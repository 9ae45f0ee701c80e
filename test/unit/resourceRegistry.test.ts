import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceRegistry } from '../../src/node/resources/resourceRegistry';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ResourceRegistry', () => {
  it('creates a private per-session temp folder and removes it on dispose', () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-'));
    try {
      const registry = new ResourceRegistry(root);
      const dir = registry.sessionTempDir();
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      writeFileSync(join(dir, 'spill.raw'), Buffer.alloc(1000));
      assert.equal(registry.tempBytes(), 1000);
      registry.dispose();
      assert.equal(existsSync(dir), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('sweeps folders left by crashed sessions but not those of live ones', () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-'));
    try {
      const dead = join(root, 'session-999999-abc');
      const live = join(root, `session-${process.ppid}-def`);
      const unrelated = join(root, 'something-else');
      for (const d of [dead, live, unrelated]) mkdirSync(d);
      writeFileSync(join(dead, 'capture.wav'), 'x');
      const removed = new ResourceRegistry(root).sweepLeftovers();
      assert.deepEqual(removed, [dead]);
      assert.ok(existsSync(live) && existsSync(unrelated));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('kills processes first, then disposes in reverse order, then deletes files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'registry-'));
    const registry = new ResourceRegistry(root);
    const order: string[] = [];
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    registry.add({ dispose: () => order.push('first') });
    registry.add({ dispose: () => order.push('second') });
    registry.trackProcess('child', child.pid, () => {
      order.push('kill');
      child.kill('SIGKILL');
    });
    const dir = registry.sessionTempDir();
    registry.dispose();
    assert.deepEqual(order, ['kill', 'second', 'first']);
    assert.equal(existsSync(dir), false);
    await new Promise((r) => child.once('exit', r));
    assert.equal(alive(child.pid!), false);
    rmSync(root, { recursive: true, force: true });
  });
});
