// Shared helpers for the integration tests that run inside the real VS Code extension host.
import * as assert from 'node:assert/strict';
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

export function fixtureModel(): string {
  const base = process.env.OFFLINE_DICTATION_CACHE || process.env.XDG_CACHE_HOME_ORIGINAL || join(process.env.HOME ?? '', '.cache');
  const path = join(base, 'offline-dictation/models/ggml-tiny.en.bin');
  assert.ok(existsSync(path), `the real test model is missing at ${path}: run npm run model:fixture`);
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
