import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addonCandidates, cpuFlagsFromCpuinfo, supportsAvx2 } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';

const root = resolve(__dirname, '../..');

describe('addon variant selection', () => {
  it('reads CPU flags from /proc/cpuinfo text', () => {
    const flags = cpuFlagsFromCpuinfo('processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c bmi2\nbogomips\t: 1\n');
    assert.ok(supportsAvx2(flags));
    assert.ok(!supportsAvx2(cpuFlagsFromCpuinfo('flags\t\t: fpu sse2 avx\n')));
    assert.ok(!supportsAvx2(cpuFlagsFromCpuinfo('')));
  });

  it('prefers the AVX2 build only where the CPU has it, and honours an override', () => {
    const x64 = { platform: 'linux' as const, arch: 'x64' };
    const withAvx2 = addonCandidates(root, { ...x64, avx2: true });
    const without = addonCandidates(root, { ...x64, avx2: false });
    if (existsSync(join(root, 'native/linux-x64/avx2/smart-whisper.node'))) {
      assert.match(withAvx2[0], /native\/linux-x64\/avx2\//);
      assert.match(withAvx2[1], /native\/linux-x64\/baseline\//);
    }
    assert.ok(without.every((p) => !p.includes('/avx2/')), 'no AVX2 build for a CPU without AVX2');
    assert.ok(addonCandidates(root, { ...x64, avx2: true, override: 'baseline' }).every((p) => !p.includes('/avx2/')));
  });

  it('fails with a clear message where no build exists for the platform', () => {
    assert.throws(() => addonCandidates('/nonexistent', { platform: 'linux', arch: 'x64' }), /No whisper.cpp addon for linux-x64/);
  });

  it('a worker killed by SIGILL falls back to the next addon build and retries the phrase', async () => {
    const candidates = addonCandidates(root);
    if (candidates.length < 2) return;
    const warnings: string[] = [];
    const client = new WhisperClient({
      workerScript: join(root, 'dist/whisperWorker.js'),
      host: 'process',
      addonCandidates: candidates,
      idleUnloadMs: 0,
      allowEmptyModel: true,
      log: { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
    });
    const model = resolve(root, '../shared/models/for-tests-ggml-tiny.en.bin');
    await client.ensureModel(model);
    assert.equal(client.addonPath, candidates[0]);
    const job = client.transcribe(new Float32Array(16000 * 20), { language: 'en', threads: 2, beamSize: 1, audioContext: 0 });
    // What an unsupported instruction does to the worker: the kernel sends it SIGILL.
    setTimeout(() => process.kill(client.pid!, 'SIGILL'), 100);
    const result = await job;
    assert.equal(result.cancelled, false);
    assert.equal(client.addonPath, candidates[1]);
    assert.ok(warnings.some((w) => /not supported by this CPU/.test(w)));
    client.dispose();
  });
});
