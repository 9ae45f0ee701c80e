// Reads a PCM WAV file into 16 kHz mono Float32 samples — the input whisper.cpp needs.
import { readFile } from 'node:fs/promises';
import { parseWavHeader, decodeWavSamples } from '../../core/audio/wav';
import { resampleLinear, downmixToMono } from '../../core/audio/convert';

export const WHISPER_RATE = 16000;

export async function readWavAs16kMono(path: string): Promise<Float32Array> {
  const bytes = new Uint8Array(await readFile(path));
  const header = parseWavHeader(bytes);
  const interleaved = decodeWavSamples(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
  const mono = downmixToMono(interleaved, header.channels);
  return header.sampleRate === WHISPER_RATE ? mono : resampleLinear(mono, header.sampleRate, WHISPER_RATE);
}
