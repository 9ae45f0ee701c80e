// A long recording for tests of long-file transcription: public clips one after another with pauses between them,
// written as a 16-bit WAV, with where each clip (and the speech inside it) lies; and the checks that SRT cues line up
// with that speech. Shared by the Node-level tests and the integration tests in the real VS Code.
import * as assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWavHeader } from '../../src/core/audio/wav';
import { frameDbfs } from '../../src/core/vad/phraseSegmenter';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';

export const GAP_SECONDS = 1.5;

export interface ClipPlacement {
  readonly name: string;
  readonly wav: string;
  readonly reference: string;
  readonly pcm: Float32Array;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Absolute seconds of the first and last frame louder than the clip's noise floor. */
  readonly speechStart: number;
  readonly speechEnd: number;
}

export interface LongRecording {
  readonly path: string;
  readonly clips: readonly ClipPlacement[];
}

export interface Cue {
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
}

function speechSpan(pcm: Float32Array): { onset: number; offset: number } {
  const levels: number[] = [];
  for (let at = 0; at + 320 <= pcm.length; at += 320) levels.push(frameDbfs(pcm, at, at + 320));
  const sorted = levels.filter(Number.isFinite).sort((a, b) => a - b);
  const threshold = Math.max(-50, sorted[Math.floor(sorted.length * 0.1)] + 15);
  const onset = levels.findIndex((db) => db > threshold);
  let offset = levels.length - 1;
  while (offset > 0 && !(levels[offset] > threshold)) offset--;
  return { onset: onset * 0.02, offset: (offset + 1) * 0.02 };
}

export function writeWav16(path: string, parts: readonly Float32Array[]): void {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, encodeWavHeader(16000, 1, 16, total * 2));
    for (const part of parts) {
      const int16 = new Int16Array(part.length);
      for (let i = 0; i < part.length; i++) int16[i] = Math.max(-32768, Math.min(32767, Math.round(part[i] * 32768)));
      writeSync(fd, new Uint8Array(int16.buffer));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the clips of `evalDir` named by `names`, GAP_SECONDS of silence apart, to `path` (16 kHz mono WAV). */
export async function assembleLongRecording(evalDir: string, names: readonly string[], path: string): Promise<LongRecording> {
  const parts: Float32Array[] = [];
  const clips: ClipPlacement[] = [];
  let position = 0;
  for (const [i, name] of names.entries()) {
    const wav = join(evalDir, `${name}.wav`);
    const pcm = await readWavAs16kMono(wav);
    if (i > 0) {
      parts.push(new Float32Array(GAP_SECONDS * 16000));
      position += GAP_SECONDS * 16000;
    }
    const span = speechSpan(pcm);
    const startSeconds = position / 16000;
    clips.push({
      name, wav, pcm,
      reference: readFileSync(join(evalDir, `${name}.txt`), 'utf8'),
      startSeconds,
      endSeconds: startSeconds + pcm.length / 16000,
      speechStart: startSeconds + span.onset,
      speechEnd: startSeconds + span.offset,
    });
    parts.push(pcm);
    position += pcm.length;
  }
  writeWav16(path, parts);
  return { path, clips };
}

export function parseSrt(srt: string): Cue[] {
  const toMs = (t: string) => {
    const [h, m, rest] = t.split(':');
    const [s, ms] = rest.split(',');
    return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms);
  };
  return srt
    .trim()
    .split(/\n\n+/)
    .map((block) => {
      const [index, timing, ...text] = block.split('\n');
      const match = /^(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)$/.exec(timing);
      assert.ok(match && /^\d+$/.test(index) && text.length > 0, `malformed cue: ${JSON.stringify(block)}`);
      return { index: Number(index), startMs: toMs(match[1]), endMs: toMs(match[2]), text: text.join(' ') };
    });
}

/** Cues must start within ±0.5 s of each clip's speech and never reach across the pause into another clip. */
export function assertCuesAlign(cues: readonly Cue[], clips: readonly ClipPlacement[]): void {
  assert.ok(cues.length > 0, 'there are cues');
  cues.forEach((cue, i) => assert.equal(cue.index, i + 1));
  for (const clip of clips) {
    const nearest = cues.reduce((best, cue) => (Math.abs(cue.startMs / 1000 - clip.speechStart) < Math.abs(best.startMs / 1000 - clip.speechStart) ? cue : best));
    assert.ok(Math.abs(nearest.startMs / 1000 - clip.speechStart) <= 0.5, `${clip.name}: speech at ${clip.speechStart.toFixed(2)} s, nearest cue at ${nearest.startMs / 1000} s`);
  }
  for (const cue of cues) {
    const middle = (cue.startMs + cue.endMs) / 2000;
    const clip = clips.find((c) => middle >= c.startSeconds - GAP_SECONDS / 2 && middle < c.endSeconds + GAP_SECONDS / 2);
    assert.ok(clip, `cue "${cue.text}" ${cue.startMs}–${cue.endMs} ms lies in no clip`);
    assert.ok(cue.startMs / 1000 >= clip.startSeconds - 0.5 && cue.endMs / 1000 <= clip.endSeconds + 0.5, `cue "${cue.text}" ${cue.startMs}–${cue.endMs} ms leaves ${clip.name} (${clip.startSeconds}–${clip.endSeconds} s)`);
  }
}
