// Shared helpers for the integration tests that run inside the real VS Code extension host.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import type { DictationApi } from '../../src/extension';

export const EXTENSION_ID = 'offline-dictation.offline-dictation';
export const repoRoot = resolve(__dirname, '../../..');
export const evalDir = resolve(repoRoot, '../shared/eval/public');

export function clip(name: string): { wav: string; text: string } {
  const wav = join(evalDir, `${name}.wav`);
  return { wav, text: readFileSync(join(evalDir, `${name}.txt`), 'utf8').trim() };
}

/**
 * A real test model in the cache, by file name: `ggml-tiny.en.bin` (f16) when none is named, the model the suites'
 * expectations (texts, budgets) were measured with; `ggml-base.bin`, `ggml-tiny.en-q8_0.bin` (the default model), ….
 */
export function fixtureModel(fileName = 'ggml-tiny.en.bin'): string {
  const base = process.env.OFFLINE_DICTATION_CACHE || process.env.XDG_CACHE_HOME_ORIGINAL || join(process.env.HOME ?? '', '.cache');
  const path = join(base, 'offline-dictation/models', fileName);
  assert.ok(existsSync(path), `the real test model is missing at ${path}: run npm run model:fixture -- ${fileName.replace(/^ggml-|\.bin$/g, '')}`);
  return path;
}

export async function api(): Promise<DictationApi> {
  const extension = vscode.extensions.getExtension<DictationApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed in the test host`);
  return extension.isActive ? extension.exports : extension.activate();
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('offlineDictation').update(key, value, vscode.ConfigurationTarget.Global);
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Plays a WAV file into the virtual microphone (PULSE_SERVER); resolves when playback has finished. */
export function play(wav: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore' });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
}

/** A new untitled editor holding `content`, with the cursor at its end. */
export async function freshEditor(content = ''): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  const editor = await vscode.window.showTextDocument(document);
  const end = document.positionAt(content.length);
  editor.selection = new vscode.Selection(end, end);
  return editor;
}

/** Suite setup for dictation through the virtual microphone: sox, the real model; skipped without a microphone. */
export async function dictateFromVirtualMicrophone(this: Mocha.Context): Promise<void> {
  if (!process.env.PULSE_SERVER) {
    // In CI a missing microphone is a failure, not a skip.
    if (process.env.CI) throw new Error('no virtual microphone (PULSE_SERVER is not set) in CI');
    this.skip();
  }
  await setSetting('modelPath', fixtureModel());
  await setSetting('recorder.program', 'sox');
  await setSetting('recorder.path', '');
}
