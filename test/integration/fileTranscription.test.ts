// "Dictation: Transcribe Audio File…" in the real VS Code: a long recording assembled from the public clips is
// transcribed through the command (SRT in a new editor), as accurately as the clips one by one and with cues on the
// speech; a cancel keeps what is done and the re-run transcribes every chunk once; the cache command deletes what it
// stored; bad input gives a clear error and leaves nothing behind.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { aggregateWer, wordErrorRate } from '../../src/core/text/wer';
import type { TranscriptionError } from '../../src/core/transcription/transcriptionError';
import type { FileCommandResult } from '../../src/vscode/fileTranscriber';
import { assembleLongRecording, assertCuesAlign, parseSrt, type LongRecording } from '../support/longRecording';
import { api, evalDir, fixtureModel, setSetting } from './support';

const CLIPS = ['p01_jfk_inaugural_1961', 'p02_librivox_sense_and_sensibility_0870', 'p13_librispeech_61-70968-0000', 'p14_librispeech_1995-1837-0001', 'p15_librispeech_1272-141231-0002', 'p16_cmu_arctic_awb_a0007', 'p07_pocketsphinx_goforward'];
/** Short chunks for the cancel test, so that the minute of recording has several chunks to stop between. */
const SHORT_CHUNK_SECONDS = 15;

function filesUnder(directory: string): string[] {
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(directory, e.name)) : [join(directory, e.name)]));
}

suite('Transcribe Audio File', function () {
  this.timeout(300_000);
  const scratch = mkdtempSync(join(tmpdir(), 'file-transcription-it-'));
  let recording: LongRecording;

  suiteSetup(async () => {
    await setSetting('modelPath', fixtureModel());
    recording = await assembleLongRecording(evalDir, CLIPS, join(scratch, 'meeting.wav'));
    await (await api()).files.clearCache();
  });
  suiteTeardown(async () => {
    await setSetting('files.chunkSeconds', undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('the command writes SRT cues on the speech, as accurate as transcribing the clips one by one', async () => {
    const dictation = await api();
    const run = (await vscode.commands.executeCommand('offlineDictation.transcribeFile', vscode.Uri.file(recording.path), { format: 'srt' })) as FileCommandResult;
    assert.ok(run, 'the command returns its result');
    assert.equal(vscode.window.activeTextEditor?.document, run.document, 'the transcript opens in a new editor');
    assert.ok(run.result.chunks >= 2, `the recording was cut into chunks at the default length (${run.result.chunks})`);
    const cues = parseSrt(run.document.getText());
    assertCuesAlign(cues, recording.clips);

    const together = wordErrorRate(recording.clips.map((c) => c.reference).join(' '), cues.map((c) => c.text).join(' '));
    const oneByOne = aggregateWer(await Promise.all(recording.clips.map(async (c) => wordErrorRate(c.reference, await dictation.files.transcribe(c.wav)))));
    console.log(`long file WER ${(together.wer * 100).toFixed(1)} % vs clip by clip ${(oneByOne.wer * 100).toFixed(1)} %`);
    assert.ok(together.wer <= oneByOne.wer + 0.01, `chunked ${together.wer} vs one by one ${oneByOne.wer}`);
  });

  test('a cancel returns within a second with what is done; the re-run transcribes every chunk exactly once', async () => {
    const dictation = await api();
    await dictation.files.clearCache();
    await setSetting('files.chunkSeconds', SHORT_CHUNK_SECONDS);
    const jobsBefore = (await dictation.client.stats())?.jobsCompleted ?? 0;
    const abort = new AbortController();
    let abortedAt = 0;
    const first = await dictation.files.transcribeFile({
      path: recording.path,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.chunksDone >= 1 && !abort.signal.aborted) {
          abortedAt = Date.now();
          abort.abort();
        }
      },
    });
    const returnedAfterMs = Date.now() - abortedAt;
    assert.equal(first.cancelled, true);
    assert.ok(returnedAfterMs < 1000, `returned ${returnedAfterMs} ms after the cancel`);
    assert.ok(first.chunks >= 1 && first.text.length > 0, 'what was done is kept');

    const second = await dictation.files.transcribeFile({ path: recording.path });
    assert.equal(second.cancelled, false);
    assert.ok(second.chunksFromCache >= first.chunks, `${second.chunksFromCache} chunks from the cache after ${first.chunks} done`);
    assert.ok(second.text.startsWith(first.text), 'the re-run continues the same transcript');
    const jobsAfter = (await dictation.client.stats())?.jobsCompleted ?? 0;
    assert.equal(jobsAfter - jobsBefore, second.chunks, `${jobsAfter - jobsBefore} Whisper jobs for ${second.chunks} chunks over both runs`);
  });

  test('"Clear Transcription Cache" deletes the stored chunks it reports', async () => {
    const dictation = await api();
    await dictation.files.transcribeFile({ path: recording.path });
    assert.ok(filesUnder(dictation.files.cacheRoot).some((f) => /chunk-\d+\.json$/.test(f)), 'the job left chunks in the cache');
    const cleared = (await vscode.commands.executeCommand('offlineDictation.clearTranscriptionCache')) as { jobs: number; bytes: number };
    assert.ok(cleared.jobs >= 1 && cleared.bytes > 0, JSON.stringify(cleared));
    assert.deepEqual(filesUnder(dictation.files.cacheRoot).filter((f) => /chunk-\d+\.json$/.test(f)), []);
  });

  test('bad input gets a clear error and leaves no temporary file', async () => {
    const dictation = await api();
    const tempBefore = filesUnder(dictation.registry.sessionTempDir()).length;
    const notAudio = join(scratch, 'notes.wav');
    writeFileSync(notAudio, 'these are meeting notes, not a recording\n');
    const empty = join(scratch, 'empty.wav');
    writeFileSync(empty, '');
    const cases: [Parameters<typeof dictation.files.transcribeFile>[0], string][] = [
      [{ path: notAudio }, 'NOT_AUDIO'],
      [{ path: empty }, 'EMPTY_FILE'],
      [{ path: join(scratch, 'missing.wav') }, 'FILE_NOT_FOUND'],
      [{ path: recording.path, fromSeconds: 600, toSeconds: 700 }, 'BAD_RANGE'],
    ];
    for (const [request, code] of cases) {
      await assert.rejects(dictation.files.transcribeFile(request), (error: TranscriptionError) => {
        assert.equal(error.code, code, `${request.path}: ${error.message}`);
        assert.ok(error.message.length > 20, `a sentence, not a code: ${error.message}`);
        return true;
      });
    }
    assert.equal(filesUnder(dictation.registry.sessionTempDir()).length, tempBefore, 'no temp file left');
  });
});
