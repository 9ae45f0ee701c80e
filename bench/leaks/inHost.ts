// `npm run bench:leaks` inside a real VS Code extension host (started by bench/leaks/run.mjs): the leak test's
// start / speak / stop cycle (bench/leaks/cycle.ts) DICTATION_LEAK_CYCLES (1,000) times, sampling after a full
// garbage collection every DICTATION_LEAK_SAMPLE_EVERY (25) cycles: the objects still alive (LeakProbe), the
// process's handles, the emitters' listeners, the host's and the worker's RSS.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { DictationApi } from '../../src/extension';
import type { LeakReport } from '../../src/vscode/leakProbe';
import { dictationCycle, playIntoMicrophone, shortSpeechClip } from './cycle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process from procfs (the worker is a child process; the host is this one). */
function rssBytes(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  } catch {
    return null;
  }
}

/** The host's anonymous resident memory (heaps: V8's and malloc's), from procfs. */
function anonymousBytes(): number | null {
  try {
    return Number(/^Anonymous:\s+(\d+)/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))![1]) * 1024;
  } catch {
    return null;
  }
}

/** A fresh empty untitled editor: VS Code's undo history of the old one (hundreds of edits) must not count as ours. */
async function freshEditor(): Promise<vscode.TextEditor> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  const document = await vscode.workspace.openTextDocument({ content: '', language: 'plaintext' });
  return vscode.window.showTextDocument(document);
}

/** The baseline's cycle: the clip is played and its words typed, with no dictation. */
async function idleCycle(editor: vscode.TextEditor, wav: string): Promise<string> {
  await playIntoMicrophone(wav);
  await editor.edit((b) => b.insert(editor.document.positionAt(0), 'Go forward.'));
  const document = editor.document;
  const text = document.getText();
  await editor.edit((b) => b.delete(new vscode.Range(document.positionAt(0), document.positionAt(text.length))), { undoStopBefore: false, undoStopAfter: false });
  return text;
}

export async function run(): Promise<void> {
  const cycles = Number(process.env.DICTATION_LEAK_CYCLES ?? 1000);
  const sampleEvery = Number(process.env.DICTATION_LEAK_SAMPLE_EVERY ?? 25);
  // The same host doing the same playing and editing with the extension idle: VS Code's and Node's own drift.
  const baseline = process.env.DICTATION_LEAK_BASELINE === '1';
  const config = vscode.workspace.getConfiguration('offlineDictation');
  await config.update('modelPath', process.env.DICTATION_LEAK_MODEL, vscode.ConfigurationTarget.Global);
  await config.update('recorder.program', 'sox', vscode.ConfigurationTarget.Global);
  // The leak test's settings: a 300-ms pause ends a phrase, so a cycle lasts little more than its speech.
  await config.update('pauseMs', 300, vscode.ConfigurationTarget.Global);
  const api = (await vscode.extensions.getExtension<DictationApi>('offline-dictation.offline-dictation')!.activate()) as DictationApi;
  const clip = shortSpeechClip(process.env.DICTATION_LEAK_EVAL_DIR!, process.env.DICTATION_LEAK_SCRATCH!);
  let editor = await freshEditor();
  for (let i = 0; i < 2; i++) await dictationCycle(editor, clip.wav);
  const mark = api.leaks.mark();

  const samples: unknown[] = [];
  const sample = async (cycle: number) => {
    editor = await freshEditor();
    const report: LeakReport = await api.leaks.collect(mark);
    // A second for V8 and malloc to hand the pages a collection freed back to the OS: what is retained, not where
    // the collector happens to be.
    await sleep(1000);
    const memory = process.memoryUsage();
    samples.push({
      cycle,
      at: Date.now(),
      retained: report.retained,
      retainedObjects: report.retainedObjects,
      handles: report.handles,
      handleCount: report.handleCount,
      listeners: report.listeners,
      listenerCount: report.listenerCount,
      hostRssBytes: memory.rss,
      hostHeapUsedBytes: memory.heapUsed,
      hostHeapCommittedBytes: memory.heapTotal,
      // Memory outside the JS heap that JS objects own (Buffers, typed arrays: the audio), and malloc'd memory.
      hostExternalBytes: memory.external,
      hostArrayBuffersBytes: memory.arrayBuffers,
      hostAnonymousBytes: anonymousBytes(),
      // The worker stays loaded through the cycles (they come back to back, far inside idleUnloadSeconds); between
      // cycles it is idle, its whisper state freed. Its pid is kept: a restarted worker would not be the same curve.
      workerPid: api.client.pid ?? null,
      workerRssBytes: rssBytes(api.client.pid),
      openFiles: readdirSync('/proc/self/fd').length,
    });
  };

  await sample(0);
  let withText = 0;
  let withWords = 0;
  const started = Date.now();
  for (let i = 1; i <= cycles; i++) {
    const text = baseline ? await idleCycle(editor, clip.wav) : await dictationCycle(editor, clip.wav);
    if (text.trim()) withText++;
    if (clip.expected.test(text)) withWords++;
    if (i % sampleEvery === 0 || i === cycles) await sample(i);
  }
  writeFileSync(process.env.DICTATION_LEAK_OUT!, JSON.stringify({ baseline, cycles, sampleEvery, withText, withWords, cycleLoopMs: Date.now() - started, samples }, null, 2));
}
