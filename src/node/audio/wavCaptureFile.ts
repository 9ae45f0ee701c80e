// File-based capture: the recorder's 16 kHz mono s16le PCM appended, as it arrives, to a private WAV file (mode
// 0600) so that audio waiting for transcription can be read back by sample range instead of being held in memory.
// The header is written first with a data size of 0 — the convention for a stream still being written, which
// readers (core/audio/wav.ts among them) take as "to the end of the file" — and patched with the real sizes when
// recording ends. Writes are positional and run one after another, so a read waits only for the writes before it.
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWavSamples, encodeWavHeader } from '../../core/audio/wav';
import { removeIfPresent } from '../files/atomicFile';

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;

export class WavCaptureFile {
  readonly path: string;
  private readonly handle: Promise<FileHandle>;
  /** The chain of writes; each link resolves when its bytes are on disk. */
  private written: Promise<void>;
  private bytesAppended = 0;
  /** Bytes appended whose write has not finished (held in memory until then). */
  private bytesInFlight = 0;
  private failure?: Error;
  private closed?: Promise<void>;

  /**
   * Creates the file at once (exclusively: an existing file is never overwritten or shared). Errors surface through
   * `onError` once and through `flushed()`/`read()`; appends after a failure are ignored by the file (their audio
   * stays with whoever still holds it).
   */
  constructor(directory: string, private readonly onError: (error: Error) => void = () => undefined, readonly sampleRate = 16000) {
    this.path = join(directory, `capture-${process.pid}-${randomBytes(4).toString('hex')}.wav`);
    this.handle = open(this.path, 'wx+', 0o600);
    this.written = this.handle.then((h) => this.writeAt(h, encodeWavHeader(sampleRate, 1, 16, 0), 0)).catch((error) => this.fail(error));
  }

  /** Samples appended so far (written or queued). */
  get samplesAppended(): number {
    return this.bytesAppended / BYTES_PER_SAMPLE;
  }

  /** Bytes appended but not yet on disk: memory the writer still holds. */
  get pendingBytes(): number {
    return this.bytesInFlight;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  /** Queues whole s16le samples for the end of the file. */
  append(pcm: Uint8Array): void {
    if (this.failure || this.closed || pcm.length === 0) return;
    if (pcm.length % BYTES_PER_SAMPLE) throw new RangeError('WavCaptureFile.append takes whole 16-bit samples.');
    const position = HEADER_BYTES + this.bytesAppended;
    this.bytesAppended += pcm.length;
    this.bytesInFlight += pcm.length;
    this.written = this.written.then(async () => {
      try {
        if (!this.failure) await this.writeAt(await this.handle, pcm, position);
      } catch (error) {
        this.fail(error);
      } finally {
        this.bytesInFlight -= pcm.length;
      }
    });
  }

  /** Resolves when everything appended so far is on disk; rejects if the file could not be written. */
  async flushed(): Promise<void> {
    await this.written;
    if (this.failure) throw this.failure;
  }

  /**
   * Samples [start, end) of the recording (0 = the first sample appended) as Float32 in [-1, 1], decoded exactly as
   * the live stream is. Samples past what was recorded read as silence (the segmenter pads its last frame so).
   */
  async read(start: number, end: number): Promise<Float32Array> {
    await this.flushed();
    const count = Math.max(0, end - start);
    const available = Math.max(0, Math.min(end, this.samplesAppended) - start);
    const bytes = new Uint8Array(count * BYTES_PER_SAMPLE);
    if (available > 0) {
      const handle = await this.handle;
      let done = 0;
      const wanted = available * BYTES_PER_SAMPLE;
      while (done < wanted) {
        const { bytesRead } = await handle.read(bytes, done, wanted - done, HEADER_BYTES + start * BYTES_PER_SAMPLE + done);
        if (bytesRead === 0) throw new Error(`The capture file ${this.path} is shorter than what was written to it.`);
        done += bytesRead;
      }
    }
    return decodeWavSamples({ format: 'pcm', bitsPerSample: 16 }, bytes);
  }

  /** Writes the real sizes into the header: from here on the file is a complete, ordinary WAV file. */
  async finish(): Promise<void> {
    await this.flushed();
    await this.writeAt(await this.handle, encodeWavHeader(this.sampleRate, 1, 16, this.bytesAppended), 0);
  }

  /** Closes and deletes the file (the session is over); safe to call more than once. */
  delete(): Promise<void> {
    this.closed ??= (async () => {
      await this.written;
      try {
        await (await this.handle).close();
      } catch {
        // never opened, or already closed
      }
      await removeIfPresent(this.path);
    })();
    return this.closed;
  }

  private async writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.onError(new Error(`Could not write the capture file ${this.path}: ${this.failure.message}`));
  }
}
