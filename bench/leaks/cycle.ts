// One start / speak / stop dictation cycle in the real extension host, shared by the leak test
// (test/integration/leaks.test.ts, 100 cycles) and `npm run bench:leaks` (1,000): the same cycle, so the benchmark's
// figures are about what the test asserts.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decodeWavSamples, encodePcm16Wav, parseWavHeader } from '../../src/core/audio/wav';

/** "Go forward" from the public clip p07 (its speech starts at 0.53 s): 1.1 s of real speech, with a little room tone. */
const SHORT_CLIP = { name: 'p07_pocketsphinx_goforward', fromS: 0.43, toS: 1.53, words: /\bforward\b/i };

/** Cuts the short clip out of the public clip into `dir`; returns its path and the word every cycle must produce. */
export function shortSpeechClip(evalDir: string, dir: string): { wav: string; expected: RegExp } {
  const bytes = new Uint8Array(readFileSync(join(evalDir, `${SHORT_CLIP.name}.wav`)));
  const header = parseWavHeader(bytes);
  const samples = decodeWavSamples(header, bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
  const cut = samples.subarray(Math.round(SHORT_CLIP.fromS * header.sampleRate), Math.round(SHORT_CLIP.toS * header.sampleRate));
  const wav = join(dir, 'go-forward.wav');
  writeFileSync(wav, encodePcm16Wav(cut, header.sampleRate));
  return { wav, expected: SHORT_CLIP.words };
}

/** Plays a WAV file into the virtual microphone (PULSE_SERVER); resolves when playback has finished. */
export function playIntoMicrophone(wav: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore' });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
}

/** Time for the last of the speech to travel from the virtual microphone through the recorder before stopping. */
const TAIL_MS = 250;

/**
 * Starts dictation, speaks the clip, stops (which waits for the phrase's text), and returns what was dictated into
 * `editor`, which is emptied again for the next cycle.
 */
export async function dictationCycle(editor: vscode.TextEditor, wav: string): Promise<string> {
  await vscode.commands.executeCommand('offlineDictation.start');
  await playIntoMicrophone(wav);
  await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
  await vscode.commands.executeCommand('offlineDictation.stop');
  const document = editor.document;
  const text = document.getText();
  if (text) await editor.edit((b) => b.delete(new vscode.Range(document.positionAt(0), document.positionAt(text.length))), { undoStopBefore: false, undoStopAfter: false });
  return text;
}
