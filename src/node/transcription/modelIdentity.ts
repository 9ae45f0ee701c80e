// What names a model in the transcript cache: a chunk transcribed with one model must never be served for another.
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';

const FINGERPRINT_BYTES = 1024 * 1024;

/**
 * Identifies a model file for the transcript cache without hashing gigabytes: its name, size and a sha256 of its
 * first and last megabyte (which differ between models, conversions and quantisations of the same size).
 */
export async function modelIdentity(modelPath: string): Promise<string> {
  const { size } = await stat(modelPath);
  const hash = createHash('sha256');
  const file = await open(modelPath, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    for (const position of size > 2 * FINGERPRINT_BYTES ? [0, size - buffer.length] : [0]) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return `${basename(modelPath)}:${size}:${hash.digest('hex').slice(0, 16)}`;
}
