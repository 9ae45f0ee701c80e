// File capture mode of a dictation: from the moment it starts, every sample the recorder delivers is appended to a
// private WAV file in the session temp folder, and a phrase that lies wholly within the file waits for
// transcription as a range of that file rather than as audio in memory.
import { WavCaptureFile } from '../audio/wavCaptureFile';
import type { Phrase } from './dictationSession';
import type { DiskAudio } from './phraseQueue';

export class FileCapture {
  readonly file: WavCaptureFile;

  /** `firstSample`: the stream position (samples since the dictation started) of the file's first sample. */
  constructor(directory: string, readonly firstSample: number, onError: (error: Error) => void) {
    this.file = new WavCaptureFile(directory, onError);
  }

  get path(): string {
    return this.file.path;
  }

  append(pcm: Uint8Array): void {
    this.file.append(pcm);
  }

  /**
   * The phrase as a range of the file, or undefined when the file cannot serve it: it began before file capture did
   * (a switch mid-phrase), its source gives no stream positions, or the file failed.
   */
  rangeOf(phrase: Phrase): DiskAudio | undefined {
    const { startSample, endSample } = phrase;
    if (this.file.failed || startSample === undefined || endSample === undefined || startSample < this.firstSample) return undefined;
    const start = startSample - this.firstSample;
    const end = endSample - this.firstSample;
    return {
      written: this.file.flushed(),
      read: () => this.file.read(start, end),
      // The file is deleted as a whole when the dictation ends.
      discard: async () => undefined,
    };
  }

  /** Patches the header (the recording is complete); a file that already failed has been reported and is left. */
  async finish(): Promise<void> {
    if (!this.file.failed) await this.file.finish();
  }

  delete(): Promise<void> {
    return this.file.delete();
  }
}
