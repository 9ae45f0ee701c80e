// The team engine in the real VS Code: the real whisper.cpp server (built by scripts/build-whisper-server.mjs, the
// fixture model, --inference-path /v1/audio/transcriptions) behind a fault proxy, both started by this suite on
// 127.0.0.1. Nothing leaves without consent; real speech dictated through the virtual microphone arrives in the
// editor; a long recording transcribed with 2 parallel requests is as accurate as with the local model (WER within
// +1 point); a phrase the server fails is transcribed locally and the person is told once.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RemoteEngineError } from '../../src/core/remote/remoteEngineError';
import { aggregateWer, wordErrorRate, type WerScore } from '../../src/core/text/wer';
import type { ConsentPrompt } from '../../src/vscode/engineFactory';
import { FaultProxy } from '../support/faultProxy';
import { assembleLongRecording } from '../support/longRecording';
import { startWhisperServer, whisperServerBinary, type RunningWhisperServer } from '../support/whisperServer';
import { api, clip, evalDir, fixtureModel, freshEditor, play, setSetting } from './support';

const LONG_CLIPS = ['p01_jfk_inaugural_1961', 'p02_librivox_sense_and_sensibility_0870', 'p13_librispeech_61-70968-0000', 'p14_librispeech_1995-1837-0001', 'p15_librispeech_1272-141231-0002', 'p16_cmu_arctic_awb_a0007', 'p07_pocketsphinx_goforward'];
const DICTATED = ['p01_jfk_inaugural_1961', 'p14_librispeech_1995-1837-0001'];

suite('Team engine (remote whisper.cpp server)', function () {
  this.timeout(300_000);
  const scratch = mkdtempSync(join(tmpdir(), 'remote-engine-it-'));
  let server: RunningWhisperServer | undefined;
  let proxy: FaultProxy;
  let originalPrompt: ConsentPrompt;
  const agree: ConsentPrompt = (_message, _detail, ...buttons) => Promise.resolve(buttons[0]);

  suiteSetup(async function () {
    if (!whisperServerBinary()) {
      if (process.env.CI) throw new Error('whisper-server is not built in CI (npm run build:whisper-server)');
      this.skip();
    }
    server = await startWhisperServer({ model: fixtureModel(), threads: 2 });
    proxy = await FaultProxy.start(server.port);
    const dictation = await api();
    originalPrompt = dictation.engines.prompt;
    await dictation.engines.revokeConsent();
    await setSetting('modelPath', fixtureModel());
    await setSetting('engine', 'remote');
    await setSetting('remote.url', proxy.baseUrl);
  });

  suiteTeardown(async () => {
    const dictation = await api();
    if (originalPrompt) dictation.engines.prompt = originalPrompt;
    await dictation.engines.revokeConsent();
    for (const key of ['engine', 'remote.url', 'remote.parallelRequests', 'remote.chunkSeconds', 'recorder.program']) await setSetting(key, undefined);
    await proxy?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  teardown(async () => {
    const dictation = await api();
    if (dictation.controller.active) await dictation.controller.cancel();
    await setSetting('engine', 'remote');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    proxy?.reset();
  });

  /** Dictates the clips through the virtual microphone with the current engine; the WER of each clip's text. */
  async function dictate(names: readonly string[], duringDictation?: () => void): Promise<WerScore[]> {
    const scores: WerScore[] = [];
    for (const name of names) {
      const editor = await freshEditor('');
      await vscode.commands.executeCommand('offlineDictation.start');
      const speech = clip(name);
      await play(speech.wav);
      duringDictation?.();
      await vscode.commands.executeCommand('offlineDictation.stop');
      scores.push(wordErrorRate(speech.text, editor.document.getText()));
      console.log(`  ${name}: "${editor.document.getText()}"`);
    }
    return scores;
  }

  function needMicrophone(context: Mocha.Context): void {
    if (process.env.PULSE_SERVER) return;
    if (process.env.CI) throw new Error('no virtual microphone (PULSE_SERVER is not set) in CI');
    context.skip();
  }

  test('nothing is sent before consent: dictation and file transcription stop with a clear message', async () => {
    const dictation = await api();
    dictation.engines.prompt = () => Promise.resolve(undefined); // the dialog dismissed
    await setSetting('recorder.program', 'sox');
    await vscode.commands.executeCommand('offlineDictation.start');
    assert.equal(dictation.controller.active, false, 'dictation did not start');
    assert.equal((dictation.controller.lastError as RemoteEngineError | undefined)?.code, 'NO_CONSENT');
    await assert.rejects(dictation.files.transcribeFile({ path: clip('p07_pocketsphinx_goforward').wav }), (error: RemoteEngineError) => error.code === 'NO_CONSENT' && /consent/.test(error.message));
    assert.equal(proxy.requests.length, 0, 'no audio reached the server');
    assert.equal(dictation.engines.hasConsent(new URL(proxy.baseUrl).origin), false);
  });

  test('real speech dictated through the server lands in the editor, the status bar showing where the audio goes', async function () {
    needMicrophone(this);
    const dictation = await api();
    dictation.engines.prompt = agree;
    await setSetting('recorder.program', 'sox');
    let statusText = '';
    let statusTooltip = '';
    const remote = aggregateWer(
      await dictate(DICTATED, () => {
        statusText = dictation.statusBar.text;
        statusTooltip = dictation.statusBar.tooltip;
      }),
    );
    assert.ok(dictation.engines.hasConsent(new URL(proxy.baseUrl).origin), 'the consent is remembered');
    const sent = proxy.requests.filter((r) => r.fault === 'pass');
    assert.ok(sent.length >= DICTATED.length, `${sent.length} phrase request(s) reached the server`);
    assert.equal(FaultProxy.fields(sent[0]).response_format, 'verbose_json');
    assert.match(statusText, /\$\(cloud-upload\)/, 'the status bar marks that audio goes to a server');
    assert.ok(statusTooltip.includes(new URL(proxy.baseUrl).origin), statusTooltip);
    assert.equal(dictation.engines.fallbacks, 0, 'every phrase came from the server');

    // The bar of the local dictation tests. Dictating the same clips twice cuts phrases a little differently each time
    // (one word of 52 moved local dictation between 1.9 and 5.8 % in two runs), so the +1 point comparison with the
    // local model is made on identical audio: per phrase in test/unit/remoteEngine.test.ts, per file below.
    console.log(`dictation WER through the server: ${(remote.wer * 100).toFixed(1)} % (${remote.refWords} words)`);
    assert.ok(remote.wer <= 0.15, `WER ${remote.wer}`);
  });

  test('a phrase the server fails is transcribed on this machine, and the person is told once', async function () {
    needMicrophone(this);
    const dictation = await api();
    dictation.engines.prompt = agree;
    await setSetting('recorder.program', 'sox');
    proxy.always({ kind: 'status', status: 500 });
    const noticesBefore = dictation.engines.fallbackNotices;
    const fallbacksBefore = dictation.engines.fallbacks;
    const editor = await freshEditor('');
    await vscode.commands.executeCommand('offlineDictation.start');
    await play(clip('p16_cmu_arctic_awb_a0007').wav);
    await play(clip('p07_pocketsphinx_goforward').wav);
    await vscode.commands.executeCommand('offlineDictation.stop');
    const text = editor.document.getText();
    assert.match(text, /go forward/i, `the words arrived: ${text}`);
    assert.ok(dictation.engines.fallbacks - fallbacksBefore >= 2, 'each phrase went to the local model');
    assert.equal(dictation.engines.fallbackNotices - noticesBefore, 1, 'told once per dictation');
    assert.ok(proxy.requests.length >= 3, 'the server was tried (with retries)');
  });

  test('a long recording through the server with 2 parallel requests: as accurate as local, and its cache never mixes with the local job', async () => {
    const dictation = await api();
    dictation.engines.prompt = agree;
    await dictation.files.clearCache();
    await setSetting('remote.parallelRequests', 2);
    // The minute of speech in several requests (the default, 120 s, would send it whole).
    await setSetting('remote.chunkSeconds', 15);
    const recording = await assembleLongRecording(evalDir, LONG_CLIPS, join(scratch, 'meeting.wav'));
    const reference = recording.clips.map((c) => c.reference).join(' ');
    const remote = await dictation.files.transcribeFile({ path: recording.path });
    assert.equal(proxy.maxInFlight, 2, 'two chunks were at the server at once');
    assert.ok(remote.chunks >= 2 && remote.chunksTranscribed === remote.chunks);

    await setSetting('engine', 'local');
    const local = await dictation.files.transcribeFile({ path: recording.path });
    assert.equal(local.chunksFromCache, 0, 'the local job does not reuse the server\'s chunks');
    const remoteWer = wordErrorRate(reference, remote.text);
    const localWer = wordErrorRate(reference, local.text);
    console.log(`long file WER: remote ${(remoteWer.wer * 100).toFixed(1)} % vs local ${(localWer.wer * 100).toFixed(1)} % (${remoteWer.refWords} words)`);
    assert.ok(remoteWer.wer <= localWer.wer + 0.01, `remote ${remoteWer.wer} vs local ${localWer.wer}`);

    await setSetting('engine', 'remote');
    proxy.reset();
    const again = await dictation.files.transcribeFile({ path: recording.path });
    assert.equal(again.chunksFromCache, again.chunks, 'the server\'s own job resumes from its cache');
    assert.equal(again.text, remote.text);
    assert.equal(proxy.requests.length, 0);
  });
});
