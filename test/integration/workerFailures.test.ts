// whisper.cpp failures inside the real extension host: a worker killed mid-transcription (the host survives and the
// audio is transcribed again), and a damaged model (refused before loading, the dictation does not start).
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { wordErrorRate } from '../../src/core/text/wer';
import { api, clip, fixtureModel, setSetting, waitFor } from './support';

suite('Whisper worker failures', function () {
  this.timeout(120_000);

  teardown(async () => {
    await setSetting('modelPath', fixtureModel());
  });

  test('killing the worker mid-transcription leaves the extension host running and the audio is transcribed again', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    await dictation.client.ensureModel(fixtureModel());
    const firstPid = dictation.client.pid!;
    const speech = clip('p02_librivox_sense_and_sensibility_0870');
    const transcription = dictation.files.transcribe(speech.wav);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(firstPid, 'SIGKILL');
    const text = await transcription;
    assert.ok(wordErrorRate(speech.text, text).wer <= 0.1, `retried transcription is complete: ${text}`);
    const secondPid = dictation.client.pid;
    assert.ok(secondPid && secondPid !== firstPid, 'a new worker process took over');
    assert.throws(() => process.kill(firstPid, 0), /ESRCH/, 'the killed worker is gone, not a zombie the registry still holds');
    const workers = dictation.registry.stats().processes.filter((p) => p.label === 'whisper-worker');
    assert.deepEqual(workers.map((p) => p.pid), [secondPid], 'the registry tracks the new worker only');
    // The extension still works end to end after the crash: a dictation-path transcription in the new worker.
    const again = await dictation.files.transcribe(clip('p07_pocketsphinx_goforward').wav);
    assert.ok(wordErrorRate(clip('p07_pocketsphinx_goforward').text, again).wer <= 0.25, `after the crash: ${again}`);
    assert.equal(dictation.client.pid, secondPid, 'and the same new worker served it');
  });

  test('a truncated model is detected before loading and dictation does not start', async () => {
    const dictation = await api();
    const scratch = mkdtempSync(join(tmpdir(), 'corrupt-'));
    try {
      const broken = join(scratch, 'ggml-broken.bin');
      copyFileSync(fixtureModel(), broken);
      truncateSync(broken, 30_000_000);
      await setSetting('modelPath', broken);
      await vscode.commands.executeCommand('offlineDictation.start');
      await waitFor(() => !dictation.controller.active, 10_000, 'dictation to give up');
      assert.match(dictation.controller.lastError?.message ?? '', /ends early|incomplete download/);
      await waitFor(() => dictation.registry.stats().processes.every((p) => p.label !== 'recorder'), 5000, 'no recorder left running');
      assert.ok(dictation.client.running, 'the worker survived the bad model (it was never handed to whisper.cpp)');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
