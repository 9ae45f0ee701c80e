// Phrases that were spoken but not yet transcribed when the extension was deactivated (the window closed or reloaded
// mid-dictation). Deactivation leaves no time to transcribe, so their audio is written to private WAV files in the
// extension's global storage; at the next activation they are transcribed into the dictation history and the files
// deleted. Nothing spoken is lost to a reload.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcm16Wav } from '../../core/audio/wav';
import { readWavAs16kMono } from '../audio/wavFile';

const SAMPLE_RATE = 16000;

export class PhraseRecovery {
  constructor(private readonly directory: string) {}

  /** Synchronous: called from deactivate, which VS Code does not wait for. Returns the files written. */
  save(audio: readonly Float32Array[]): string[] {
    const written: string[] = [];
    if (!audio.length) return written;
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const stamp = Date.now();
    audio.forEach((samples, i) => {
      if (!samples.length) return;
      // Named so that they sort in speaking order.
      const path = join(this.directory, `phrase-${stamp}-${String(i).padStart(3, '0')}.wav`);
      writeFileSync(path, encodePcm16Wav(samples, SAMPLE_RATE), { mode: 0o600 });
      written.push(path);
    });
    return written;
  }

  /** The saved phrases, oldest first. */
  pending(): string[] {
    try {
      return readdirSync(this.directory).filter((n) => n.endsWith('.wav')).sort().map((n) => join(this.directory, n));
    } catch {
      return [];
    }
  }

  /**
   * Transcribes every saved phrase, in order, hands each text to `deliver`, and deletes its file once delivered. A
   * phrase that fails stays for the next activation. Resolves with the texts delivered.
   */
  async recover(transcribe: (pcm: Float32Array) => Promise<string>, deliver: (text: string) => void): Promise<string[]> {
    const texts: string[] = [];
    for (const path of this.pending()) {
      const text = (await transcribe(await readWavAs16kMono(path))).trim();
      if (text) {
        deliver(text);
        texts.push(text);
      }
      rmSync(path, { force: true });
    }
    return texts;
  }
}
