// The capture WAV writer with real speech: what is appended as it "records" reads back sample for sample, the file
// is private and exists while recording, is a valid WAV once finished, and is gone after delete.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeWavSamples, parseWavHeader } from '../../src/core/audio/wav';
import { WavCaptureFile } from '../../src/node/audio/wavCaptureFile';

const evalDir = resolve(__dirname, '../../../shared/eval/public');
const scratch = mkdtempSync(join(tmpdir(), 'wav-capture-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The 16-bit PCM data of a public clip, as the recorder would deliver it. */
function clipPcm(name: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(evalDir, `${name}.wav`)));
  const header = parseWavHeader(bytes);
  assert.equal(header.bitsPerSample, 16);
  assert.equal(header.sampleRate, 16000);
  return bytes.slice(header.dataOffset, header.dataOffset + header.dataLength);
}

const decode = (pcm: Uint8Array) => decodeWavSamples({ format: 'pcm', bitsPerSample: 16 }, pcm);

describe('WavCaptureFile', () => {
  it('appends real speech in recorder-sized chunks and reads any range back exactly', async () => {
    const dir = mkdtempSync(join(scratch, 'a-'));
    const pcm = clipPcm('p01_jfk_inaugural_1961');
    const file = new WavCaptureFile(dir);
    await file.flushed(); // created (with its header) asynchronously, before any audio is appended
    assert.equal(existsSync(file.path), true, 'the file exists before the first audio arrives');
    assert.equal(statSync(file.path).mode & 0o777, 0o600, 'private to the user');
    // Uneven chunks of whole samples, as pipes deliver them.
    for (let at = 0, i = 0; at < pcm.length; i++) {
      const size = Math.min(pcm.length - at, 2 * (700 + ((i * 379) % 1300)));
      file.append(pcm.subarray(at, at + size));
      at += size;
    }
    assert.equal(file.samplesAppended, pcm.length / 2);
    // A read issued before the writes have finished waits for them.
    const early = await file.read(16000, 32000);
    assert.deepEqual(early, decode(pcm.subarray(32000, 64000)));
    assert.equal(file.pendingBytes, 0, 'nothing is held in memory once written');
    const all = decode(pcm);
    for (const [start, end] of [[0, 1], [0, all.length], [40811, 80000], [all.length - 5, all.length]]) {
      assert.deepEqual(await file.read(start, end), all.subarray(start, end), `range ${start}..${end}`);
    }
    // Past the end reads as silence, as the segmenter pads its last frame.
    const tail = await file.read(all.length - 2, all.length + 3);
    assert.deepEqual([...tail.subarray(2)], [0, 0, 0]);
    assert.deepEqual(tail.subarray(0, 2), all.subarray(all.length - 2));

    // While recording the header says "size unknown" (0), which readers take as "to the end of the file".
    const live = parseWavHeader(new Uint8Array(readFileSync(file.path)));
    assert.equal(live.frames, all.length);
    await file.finish();
    const bytes = new Uint8Array(readFileSync(file.path));
    const header = parseWavHeader(bytes);
    assert.equal(new DataView(bytes.buffer).getUint32(40, true), pcm.length, 'the data size is patched in');
    assert.equal(new DataView(bytes.buffer).getUint32(4, true), 36 + pcm.length, 'and the RIFF size');
    assert.deepEqual({ rate: header.sampleRate, channels: header.channels, bits: header.bitsPerSample, frames: header.frames }, { rate: 16000, channels: 1, bits: 16, frames: all.length });
    assert.deepEqual(bytes.subarray(44), pcm, 'the file holds exactly what the recorder delivered');
    assert.deepEqual(await file.read(100, 200), all.subarray(100, 200), 'still readable after finish');

    await file.delete();
    assert.equal(existsSync(file.path), false);
    assert.deepEqual(readdirSync(dir), []);
    await file.delete();
  });

  it('a file that cannot be created reports it once, and reads fail instead of returning silence', async () => {
    const errors: Error[] = [];
    const file = new WavCaptureFile(join(scratch, 'no-such-folder'), (error) => errors.push(error));
    file.append(clipPcm('p07_pocketsphinx_goforward').subarray(0, 3200));
    file.append(new Uint8Array(320));
    await assert.rejects(file.flushed(), /ENOENT/);
    await assert.rejects(file.read(0, 10), /ENOENT/);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /capture file/);
    assert.ok(file.failed);
    assert.equal(file.pendingBytes, 0, 'failed writes do not count as held forever');
    await file.delete();
  });

  it('refuses half samples', () => {
    const dir = mkdtempSync(join(scratch, 'c-'));
    const file = new WavCaptureFile(dir);
    assert.throws(() => file.append(new Uint8Array(3)), RangeError);
    return file.delete();
  });
});
