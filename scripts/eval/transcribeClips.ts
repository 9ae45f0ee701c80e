// Transcribes WAV clips through the extension's own path (WAV reader → WhisperClient → worker process →
// whisper.cpp), greedy decoding as in dictation. Used by the WER evaluation and the fixture model's proof test.
import { join } from 'node:path';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { findRepoRoot } from '../../src/node/model/fixtureModel';

export interface ClipTranscript {
  readonly wav: string;
  readonly text: string;
  /** Wall time of the transcription alone (model already loaded). */
  readonly ms: number;
  readonly seconds: number;
}

export async function transcribeClips(modelPath: string, wavs: readonly string[], options: { threads?: number } = {}): Promise<ClipTranscript[]> {
  const root = findRepoRoot(__dirname) ?? process.cwd();
  const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
  try {
    await client.ensureModel(modelPath);
    const results: ClipTranscript[] = [];
    for (const wav of wavs) {
      const pcm = await readWavAs16kMono(wav);
      const result = await client.transcribe(pcm, { language: 'en', threads: options.threads ?? 2, beamSize: 1, audioContext: 0 });
      results.push({ wav, text: result.text, ms: result.elapsedMs, seconds: pcm.length / 16000 });
    }
    return results;
  } finally {
    await client.shutdown();
  }
}
