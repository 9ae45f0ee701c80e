// Soak test inside a real VS Code extension host (started by bench/memory/run.mjs): many short dictations, then
// one long continuous dictation, sampling the host's and the worker's memory, open files and child processes.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import * as vscode from 'vscode';
import type { DictationApi } from '../../src/extension';
import { fullGarbageCollector } from '../../src/node/memory/garbageCollector';

const play = (wav: string) =>
  new Promise<void>((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore' });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Samples measure what is retained, not where V8's collector happens to be in its cycle: a full collection first,
// then a second for V8 to hand the pages it freed back to the OS (forcing collections in the host is acceptable in a
// benchmark).
const collectGarbage = fullGarbageCollector();
async function settleMemory(): Promise<void> {
  collectGarbage();
  await sleep(1000);
}

function rssMB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return null;
  }
}

/** The host's resident memory split the way the kernel counts it: anonymous (heaps) vs file-backed (code, fonts). */
function residentSplitMB(): { anonMB: number; fileMB: number } | null {
  try {
    const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
    return { anonMB: kB('Anonymous') / 1024, fileMB: (kB('Rss') - kB('Anonymous')) / 1024 };
  } catch {
    return null;
  }
}

function openFiles(): number {
  return readdirSync('/proc/self/fd').length;
}

function childProcesses(): number {
  try {
    return execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid='], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

export async function run(): Promise<void> {
  const cycles = Number(process.env.DICTATION_SOAK_CYCLES ?? 200);
  const minutes = Number(process.env.DICTATION_SOAK_MINUTES ?? 30);
  const baseline = process.env.DICTATION_SOAK_BASELINE === '1';
  const sampleEvery = Number(process.env.DICTATION_SOAK_SAMPLE_EVERY ?? 20);
  const clips = JSON.parse(process.env.DICTATION_SOAK_CLIPS ?? '[]') as string[];
  const config = vscode.workspace.getConfiguration('offlineDictation');
  await config.update('modelPath', process.env.DICTATION_SOAK_MODEL, vscode.ConfigurationTarget.Global);
  await config.update('recorder.program', 'sox', vscode.ConfigurationTarget.Global);
  const api = (await vscode.extensions.getExtension<DictationApi>('offline-dictation.offline-dictation')!.activate()) as DictationApi;
  const document = await vscode.workspace.openTextDocument({ content: '' });
  const editor = await vscode.window.showTextDocument(document);
  // What the idle baseline types instead of dictating.
  const typeSentence = () => editor.edit((b) => b.insert(document.positionAt(document.getText().length), 'The quick brown fox jumps over the lazy dog. '));
  const snapshot = async (label: string | number) => {
    await settleMemory();
    const memory = process.memoryUsage();
    return {
      label,
      at: Date.now(),
      hostRssMB: memory.rss / 1048576,
      hostHeapMB: memory.heapUsed / 1048576,
      hostHeapCommittedMB: memory.heapTotal / 1048576,
      hostExternalMB: memory.external / 1048576,
      hostArrayBuffersMB: memory.arrayBuffers / 1048576,
      ...residentSplitMB(),
      heapSpacesMB: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, +(space.physical_space_size / 1048576).toFixed(2)])),
      workerRssMB: rssMB(api.client.pid),
      openFiles: openFiles(),
      childProcesses: childProcesses(),
      trackedProcesses: api.registry.stats().processes.length,
      bufferedBytes: api.controller.bufferedBytes,
      tempBytes: api.registry.tempBytes(),
    };
  };

  const cycleSamples = [];
  let words = 0;
  for (let i = 1; i <= cycles; i++) {
    if (baseline) {
      // The same host doing the same editing with the extension idle: VS Code's own drift, to compare against.
      await play(clips[i % clips.length]);
      await typeSentence();
    } else {
      await vscode.commands.executeCommand('offlineDictation.start');
      await play(clips[i % clips.length]);
      await vscode.commands.executeCommand('offlineDictation.stop');
    }
    words += document.getText().split(/\s+/).filter(Boolean).length;
    await editor.edit((b) => b.delete(new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length))));
    if (i === 1 || i === 10 || i % sampleEvery === 0 || i === cycles) {
      await sleep(500);
      cycleSamples.push(await snapshot(i));
    }
  }

  const longSamples = [];
  let maxBufferedBytes = 0;
  const end = Date.now() + minutes * 60_000;
  if (!baseline) await vscode.commands.executeCommand('offlineDictation.start');
  const watcher = setInterval(() => (maxBufferedBytes = Math.max(maxBufferedBytes, api.controller.bufferedBytes)), 200);
  let nextSample = Date.now();
  let played = 0;
  while (Date.now() < end) {
    await play(clips[played++ % clips.length]);
    if (baseline) await typeSentence();
    await sleep(500);
    if (Date.now() >= nextSample) {
      longSamples.push(await snapshot(Math.round((Date.now() - (end - minutes * 60_000)) / 1000)));
      nextSample = Date.now() + 30_000;
      if (document.getText().length > 20_000) {
        words += document.getText().split(/\s+/).filter(Boolean).length;
        await editor.edit((b) => b.delete(new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length))));
      }
    }
  }
  if (!baseline) await vscode.commands.executeCommand('offlineDictation.stop');
  clearInterval(watcher);
  longSamples.push(await snapshot('end'));
  words += document.getText().split(/\s+/).filter(Boolean).length;
  writeFileSync(process.env.DICTATION_SOAK_OUT!, JSON.stringify({ baseline, cycles, minutes, clipsPlayed: played, words, maxBufferedBytes, cycleSamples, longSamples }, null, 2));
}
