// Runs inside a real VS Code extension host (started by bench/dictation/run.mjs): dictates each clip played in
// real time into the virtual microphone and records, per phrase, the delay from the end of speech to the text
// being in the editor, and every live preview shown; each phrase's audio is written to a WAV for whisper.cpp's CLI.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { encodePcm16Wav } from '../../src/core/audio/wav';
import type { DictationApi } from '../../src/extension';

const play = (wav: string) =>
  new Promise<void>((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore' });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const clips = JSON.parse(process.env.DICTATION_BENCH_CLIPS ?? '[]') as { name: string; wav: string }[];
  const config = vscode.workspace.getConfiguration('offlineDictation');
  await config.update('modelPath', process.env.DICTATION_BENCH_MODEL, vscode.ConfigurationTarget.Global);
  await config.update('recorder.program', 'sox', vscode.ConfigurationTarget.Global);
  const api = (await vscode.extensions.getExtension<DictationApi>('offline-dictation.offline-dictation')!.activate()) as DictationApi;
  const phraseDir = process.env.DICTATION_BENCH_PHRASES!;
  const phrases: { clip: string; latencyMs: number; transcribeMs: number; audioMs: number; text: string; speculative: boolean; fallback?: string; endedBy?: string; wav: string }[] = [];
  const previews: { clip: string; speechStartedAt: number; shownAt: number; text: string }[] = [];
  let current = '';
  api.controller.onDidDeliverPhrase((p) => {
    const wav = join(phraseDir, `phrase-${String(phrases.length + 1).padStart(3, '0')}.wav`);
    writeFileSync(wav, encodePcm16Wav(p.phrase.samples, 16000));
    phrases.push({ clip: current, latencyMs: p.deliveredAt - p.speechEndedAt, transcribeMs: p.transcribeMs, audioMs: (p.phrase.samples.length / 16000) * 1000, text: p.text, speculative: p.speculative, fallback: p.fallback, endedBy: p.phrase.endedBy, wav });
  });
  api.controller.onDidShowPreview((p) => previews.push({ clip: current, speechStartedAt: p.speechStartedAt, shownAt: p.shownAt, text: p.text }));
  const texts: Record<string, string> = {};
  /** Per clip: refinements applied, agreeing with the first text, and dropped. */
  const refinements: Record<string, { applied: number; same: number; dropped: number }> = {};
  for (const clip of clips) {
    const document = await vscode.workspace.openTextDocument({ content: '' });
    await vscode.window.showTextDocument(document);
    current = clip.name;
    await vscode.commands.executeCommand('offlineDictation.start');
    await sleep(300);
    await play(clip.wav);
    // The person stops talking and waits: phrases end by pause detection, as in real use.
    await sleep(3000);
    // Stop resolves once the last phrase's refinement has landed or been dropped (bounded); wait for it again in
    // case a refinement is still settling, so the text read is the final one.
    await vscode.commands.executeCommand('offlineDictation.stop');
    await api.controller.whenRefined();
    texts[clip.name] = document.getText();
    const refined = api.controller.refinementStats;
    refinements[clip.name] = { applied: refined?.applied ?? 0, same: refined?.same ?? 0, dropped: refined?.dropped ?? 0 };
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  const stats = await api.client.stats();
  const settings = vscode.workspace.getConfiguration('offlineDictation');
  writeFileSync(process.env.DICTATION_BENCH_OUT!, JSON.stringify({
    threads: await threads(), pauseMs: settings.get<number>('pauseMs', 700), livePreview: settings.get<string>('livePreview', 'auto'),
    refine: settings.get<string>('refine', 'auto'),
    worker: stats, phrases, previews, texts, refinements,
  }, null, 2));
}

async function threads(): Promise<number> {
  const configured = vscode.workspace.getConfiguration('offlineDictation').get<number>('threads', 0);
  const os = await import('node:os');
  return configured > 0 ? configured : Math.max(1, Math.min(8, os.availableParallelism()));
}
