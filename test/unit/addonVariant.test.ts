import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addonCandidates, cpuFlagsFromCpuinfo, supportsAvx2 } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { wordErrorRate } from '../../src/core/text/wer';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');

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
    assert.throws(() => addonCandidates('/nonexistent', { platform: 'linux', arch: 'x64' }), /no speech engine \(whisper.cpp\) build for this platform, linux-x64/);
  });

  it('a worker killed by SIGILL falls back to the next addon build and retries the phrase, whose words come out', async () => {
    // The build ships two addons per platform (and a development build sits in node_modules): there is always a
    // next one to fall back to, so a missing second build is a failure here, not a reason to skip.
    const candidates = addonCandidates(root);
    assert.ok(candidates.length >= 2, `at least two addon builds to choose from: ${candidates.join(', ')}`);
    const modelPath = fixtureModelPath();
    assert.ok(existsSync(modelPath), `the real model is at ${modelPath} (npm run model:fixture)`);
    const warnings: string[] = [];
    const client = new WhisperClient({
      workerScript: join(root, 'dist/whisperWorker.js'),
      host: 'process',
      addonCandidates: candidates,
      idleUnloadMs: 0,
      log: { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
    });
    try {
      await client.ensureModel(modelPath);
      assert.equal(client.addonPath, candidates[0]);
      const firstPid = client.pid!;
      const speech = await readWavAs16kMono(join(evalDir, 'p01_jfk_inaugural_1961.wav'));
      const job = client.transcribe(speech, { language: 'en', threads: 2, beamSize: 1, audioContext: 0 });
      // What an unsupported instruction does to the worker: the kernel sends it SIGILL (mid-transcription: the
      // 11-s clip takes about a second).
      setTimeout(() => process.kill(firstPid, 'SIGILL'), 150);
      const result = await job;
      assert.equal(result.cancelled, false);
      assert.notEqual(client.pid, firstPid, 'a new worker took over');
      assert.equal(client.addonPath, candidates[1], 'with the next build');
      assert.ok(warnings.some((w) => /not supported by this CPU/.test(w)), warnings.join('\n'));
      const reference = readFileSync(join(evalDir, 'p01_jfk_inaugural_1961.txt'), 'utf8');
      assert.ok(wordErrorRate(reference, result.text).wer < 0.1, `the retried phrase's words: ${result.text}`);
    } finally {
      client.dispose();
    }
  });
});
