// The Test Microphone meter: levels of real speech (a public clip) and of digital silence, and the verdicts no data,
// no signal, too quiet and ok, with their timing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { LevelMeter, measureBlock, meterBar, TOO_QUIET_DBFS } from '../../src/core/audio/levelMeter';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';

const evalDir = resolve(__dirname, '../../../shared/eval/public');

/** Float samples → the recorder's s16le bytes, scaled by `gainDb`. */
function pcm16(samples: Float32Array, gainDb = 0): Buffer {
  const gain = 10 ** (gainDb / 20);
  const out = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s * gain * 32767))), i * 2));
  return out;
}

async function speech(gainDb = 0): Promise<Buffer> {
  return pcm16(await readWavAs16kMono(join(evalDir, 'p07_pocketsphinx_goforward.wav')), gainDb);
}

/** Feeds `pcm` in 4096-byte chunks (as a pipe delivers it) and reads the meter at the audio's own time. */
function feed(meter: LevelMeter, pcm: Buffer): void {
  for (let i = 0; i < pcm.length; i += 4096) meter.push(pcm.subarray(i, i + 4096));
}

describe('level meter', () => {
  it('measures full scale, a quiet sine and digital silence in dBFS', () => {
    const full = Buffer.alloc(3200);
    for (let i = 0; i < 1600; i++) full.writeInt16LE(i % 2 ? 32767 : -32768, i * 2);
    assert.ok(Math.abs(measureBlock(full).rmsDbfs) < 0.01);
    const sine = pcm16(Float32Array.from({ length: 1600 }, (_, i) => 0.01 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
    assert.ok(Math.abs(measureBlock(sine).rmsDbfs - -43) < 0.2, `${measureBlock(sine).rmsDbfs}`);
    const zeros = measureBlock(Buffer.alloc(3200));
    assert.equal(zeros.digitalSilence, true);
    assert.equal(zeros.rmsDbfs, -Infinity);
  });

  it('real speech is ok, with its loudest 100 ms well above the threshold; blocks come ten a second', async () => {
    const meter = new LevelMeter();
    const pcm = await speech();
    feed(meter, pcm);
    const reading = meter.reading(3000);
    assert.equal(reading.verdict, 'ok');
    assert.ok(reading.loudestDbfs > -30 && reading.loudestDbfs < -5, `${reading.loudestDbfs}`);
    assert.equal(reading.receivedMs, Math.floor(pcm.length / 3200) * 100);
  });

  it('digital zeros: listening at first, no signal after 1.5 s', () => {
    const meter = new LevelMeter();
    feed(meter, Buffer.alloc(3200 * 10));
    assert.equal(meter.reading(1000).verdict, 'listening');
    feed(meter, Buffer.alloc(3200 * 6));
    assert.equal(meter.reading(1600).verdict, 'no-signal');
    // sox dithers the zeros it converts: ±1 LSB (−96 dBFS) is no signal either.
    const dithered = new LevelMeter();
    const pcm = Buffer.alloc(3200 * 16);
    for (let i = 0; i < pcm.length / 2; i += 7) pcm.writeInt16LE(i % 2 ? 1 : -1, i * 2);
    feed(dithered, pcm);
    assert.equal(dithered.reading(1600).verdict, 'no-signal');
  });

  it('no data at all: no data after 1.5 s of wall time', () => {
    const meter = new LevelMeter();
    assert.equal(meter.reading(1000).verdict, 'listening');
    assert.equal(meter.reading(1600).verdict, 'no-data');
  });

  it('the same speech 40 dB quieter is too quiet, but only once the person had time to speak', async () => {
    const meter = new LevelMeter(16000, 4000);
    feed(meter, await speech(-40));
    assert.ok(meter.reading(3000).loudestDbfs < TOO_QUIET_DBFS);
    assert.equal(meter.reading(3000).verdict, 'listening');
    assert.equal(meter.reading(4000).verdict, 'too-quiet');
  });

  it('draws a ten-cell meter from −60 to 0 dBFS', () => {
    assert.equal(meterBar(-30), '▮▮▮▮▮▯▯▯▯▯ -30 dBFS');
    assert.equal(meterBar(-Infinity), '▯▯▯▯▯▯▯▯▯▯ −∞ dBFS');
    assert.equal(meterBar(3), '▮▮▮▮▮▮▮▮▮▮ 3 dBFS');
  });
});
