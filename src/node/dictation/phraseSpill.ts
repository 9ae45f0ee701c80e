// Phrases waiting for transcription that memory should not hold — beyond the queue's in-memory bound, or while
// memory is critical — live on disk instead: one private file per phrase in the session's temp folder, read back
// (and deleted) when their turn comes.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class PhraseSpill {
  private counter = 0;
  spilledCount = 0;

  constructor(private readonly directory: () => string) {}

  async write(samples: Float32Array): Promise<string> {
    const path = join(this.directory(), `phrase-${process.pid}-${++this.counter}.f32`);
    await writeFile(path, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), { mode: 0o600 });
    this.spilledCount++;
    return path;
  }

  /** Reads a spilled phrase back and deletes its file. */
  async take(path: string): Promise<Float32Array> {
    const bytes = await readFile(path);
    await rm(path, { force: true });
    const samples = new Float32Array(bytes.length / 4);
    new Uint8Array(samples.buffer).set(bytes);
    return samples;
  }

  async discard(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}
