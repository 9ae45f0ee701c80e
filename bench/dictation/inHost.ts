// Runs inside a real VS Code extension host (started by bench/dictation/run.mjs): dictates each clip played in
// real time into the virtual microphone and records, per phrase, the delay from the end of speech to the text
// being in the editor, and every live preview shown; each phrase's audio is written to a WAV for whisper.cpp's CLI,
// which transcribes it right after the clip's dictation stopped (DICTATION_BENCH_CLI): the reference is timed within a
// minute of the extension, on a machine whose speed drifts by half over a quarter of an hour.
import { execFile, spawn } from 'node:child_process';
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

/** whisper.cpp's CLI on a phrase WAV: its own time less the model load (from its timings), and its text. */
const runCli = (cli: string, args: string[], wav: string) =>
  new Promise<{ ms: number; text: string }>((resolve, reject) => {
    execFile(cli, [...args, '-nt', '-f', wav], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`whisper-cli failed on ${wav}: ${stderr}`));
      const timing = (name: string) => Number(new RegExp(`${name} time =\\s*([\\d.]+) ms`).exec(stderr)?.[1]);
      resolve({ ms: timing('total') - timing('load'), text: stdout.split('\n').map((l) => l.trim()).filter(Boolean).join(' ') });
    });
  });

export async function run(): Promise<void> {
  const clips = JSON.parse(process.env.DICTATION_BENCH_CLIPS ?? '[]') as { name: string; wav: string; play?: string }[];
  const config = vscode.workspace.getConfiguration('offlineDictation');
  await config.update('modelPath', process.env.DICTATION_BENCH_MODEL, vscode.ConfigurationTarget.Global);
  await config.update('recorder.program', 'sox', vscode.ConfigurationTarget.Global);
  const api = (await vscode.extensions.getExtension<DictationApi>('offline-dictation.offline-dictation')!.activate()) as DictationApi;
  const phraseDir = process.env.DICTATION_BENCH_PHRASES!;
  // Live takes differ (each hears the clip at another offset of the audio path's blocks, and greedy decoding with
  // them): every clip is dictated `takes` times and the figures pooled.
  const takes = Math.max(1, Number(process.env.DICTATION_BENCH_TAKES ?? 1));
  const phrases: { clip: string; take: number; latencyMs: number; transcribeMs: number; audioMs: number; text: string; speculative: boolean; fallback?: string; endedBy?: string; wav: string; cliMs?: number[]; cliText?: string }[] = [];
  const cli = process.env.DICTATION_BENCH_CLI;
  const cliArgs = JSON.parse(process.env.DICTATION_BENCH_CLI_ARGS ?? '[]') as string[];
  const cliRuns = Number(process.env.DICTATION_BENCH_RUNS ?? 3);
  const previews: { clip: string; take: number; speechStartedAt: number; shownAt: number; text: string }[] = [];
  let current = '';
  let take = 1;
  api.controller.onDidDeliverPhrase((p) => {
    const wav = join(phraseDir, `phrase-${String(phrases.length + 1).padStart(3, '0')}.wav`);
    writeFileSync(wav, encodePcm16Wav(p.phrase.samples, 16000));
    phrases.push({ clip: current, take, latencyMs: p.deliveredAt - p.speechEndedAt, transcribeMs: p.transcribeMs, audioMs: (p.phrase.samples.length / 16000) * 1000, text: p.text, speculative: p.speculative, fallback: p.fallback, endedBy: p.phrase.endedBy, wav });
  });
  api.controller.onDidShowPreview((p) => previews.push({ clip: current, take, speechStartedAt: p.speechStartedAt, shownAt: p.shownAt, text: p.text }));
  /** Per take, per clip: the text in the editor once dictation stopped. */
  const texts: Record<string, string>[] = [];
  /** Per clip, all takes: phrases Whisper wrote text for that the filter judged not to be speech. */
  const notSpeech: Record<string, number> = {};
  /** Per clip, the last take's: what Whisper wrote for them, and its mean token probability. */
  const notSpeechText: Record<string, string> = {};
  /** Per take, per clip: refinements applied, agreeing with the first text, and dropped. */
  const refinements: Record<string, { applied: number; same: number; dropped: number }>[] = [];
  /** Dictates one clip into a fresh editor and keeps its final text and refinement outcomes. */
  const dictateClip = async (clip: { name: string; wav: string; play?: string }, into: { texts: Record<string, string>; refinements: Record<string, { applied: number; same: number; dropped: number }> }) => {
    const document = await vscode.workspace.openTextDocument({ content: '' });
    await vscode.window.showTextDocument(document);
    current = clip.name;
    const notSpeechBefore = api.controller.phrasesNotSpeech;
    await vscode.commands.executeCommand('offlineDictation.start');
    await sleep(300);
    await play(clip.play ?? clip.wav);
    // The person stops talking and waits: phrases end by pause detection, as in real use.
    await sleep(3000);
    // Stop resolves once the last phrase's refinement has landed or been dropped (bounded); wait for it again in
    // case a refinement is still settling, so the text read is the final one.
    await vscode.commands.executeCommand('offlineDictation.stop');
    await api.controller.whenRefined();
    into.texts[clip.name] = document.getText();
    const refined = api.controller.refinementStats;
    into.refinements[clip.name] = { applied: refined?.applied ?? 0, same: refined?.same ?? 0, dropped: refined?.dropped ?? 0 };
    const heard = api.controller.phrasesNotSpeech - notSpeechBefore;
    notSpeech[clip.name] = (notSpeech[clip.name] ?? 0) + heard;
    if (heard > 0) notSpeechText[clip.name] = api.controller.recentNotSpeech.slice(-heard).map((h) => `${h.text} (p ${h.confidence?.meanTokenP.toFixed(2) ?? '?'})`).join(' / ');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // The reference, now that the dictation has stopped: whisper.cpp's CLI on each of this clip's phrases.
    if (cli) {
      for (const phrase of phrases.filter((p) => p.clip === clip.name && p.take === take)) {
        const runs = [];
        for (let i = 0; i < cliRuns; i++) runs.push(await runCli(cli, cliArgs, phrase.wav));
        phrase.cliMs = runs.map((r) => r.ms);
        phrase.cliText = runs[0].text;
      }
    }
  };
  for (take = 1; take <= takes; take++) {
    const into = { texts: {}, refinements: {} };
    texts.push(into.texts);
    refinements.push(into.refinements);
    for (const clip of clips) await dictateClip(clip, into);
  }
  const stats = await api.client.stats();
  const settings = vscode.workspace.getConfiguration('offlineDictation');
  writeFileSync(process.env.DICTATION_BENCH_OUT!, JSON.stringify({
    threads: await threads(), pauseMs: settings.get<number>('pauseMs', 700), livePreview: settings.get<string>('livePreview', 'auto'),
    refine: settings.get<string>('refine', 'auto'),
    takes, worker: stats, phrases, previews, texts, refinements, notSpeech, notSpeechText,
  }, null, 2));
}

async function threads(): Promise<number> {
  const configured = vscode.workspace.getConfiguration('offlineDictation').get<number>('threads', 0);
  const os = await import('node:os');
  return configured > 0 ? configured : Math.max(1, Math.min(8, os.availableParallelism()));
}
