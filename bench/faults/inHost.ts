// Runs inside a real VS Code extension host (started by bench/faults/run.mjs). Real speech is played into the virtual
// microphone while the real extension dictates into an editor, and one fault is injected per run at a random moment:
// the Whisper worker killed or stopped (SIGSTOP: a hang) during a transcription, the recorder killed, the disk of the
// capture/spill folder filled, the extension deactivated during a transcription, the model file truncated or replaced;
// and for file transcription, its job cache made read-only or corrupted. After each run: what text reached the
// editor, the clipboard and the history; which recorder/worker processes are still alive; which files are left in
// the extension's temp folder; and every uncaught error or unhandled rejection of the extension host.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { DictationApi } from '../../src/extension';

interface Clip {
  name: string;
  wav: string;
  seconds: number;
}

interface RunRecord {
  scenario: string;
  run: number;
  clip: string;
  fault: string;
  faultAtMs: number;
  editor: string;
  clipboard: string;
  history: string[];
  orphans: string[];
  tempFiles: string[];
  hostErrors: string[];
  lastError?: string;
  ms: number;
}

const EXTENSION_ID = 'offline-dictation.offline-dictation';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = (from: number, to: number) => from + Math.random() * (to - from);
const FILLER = 'zz-bench-filler.bin';
let hangNote = '';
let recoveredTexts: string[] = [];

const hostErrors: string[] = [];
process.on('uncaughtException', (error) => hostErrors.push(`uncaught: ${error?.stack ?? error}`));
process.on('unhandledRejection', (reason) => hostErrors.push(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`));

function play(wav: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore' });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) return false;
    await sleep(10);
  }
  return true;
}

/** Live processes below this extension host (zombies excluded): pid → command line. */
function descendants(): Map<number, string> {
  const parent = new Map<number, number>();
  const alive = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z' || after[0] === 'X') continue;
      parent.set(Number(name), Number(after[1]));
      alive.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  const out = new Map<number, string>();
  for (const [pid, cmd] of alive) {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        out.set(pid, cmd);
        break;
      }
    }
  }
  return out;
}

/** Recorder and worker processes still alive that should not be: every recorder, and workers other than `keep`. */
function orphans(keep: number | undefined): string[] {
  return [...descendants()]
    .filter(([pid, cmd]) => (/whisperWorker/.test(cmd) && pid !== keep) || /^(\S*\/)?(sox|rec|arecord|parecord)\b/.test(cmd))
    .map(([pid, cmd]) => `${pid} ${cmd.slice(0, 120)}`);
}

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (statSync(path).isDirectory()) out = out.concat(filesUnder(path));
      else if (name !== FILLER) out.push(path);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function sh(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
}

const config = () => vscode.workspace.getConfiguration('offlineDictation');
const setSetting = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

/** Re-activates the extension after the bench deactivated it, with a context built from the first one's paths. */
function reactivate(extension: vscode.Extension<DictationApi>, globalStorage: string): DictationApi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(extension.extensionPath, 'dist/extension.js')) as { activate(context: unknown): DictationApi };
  const state = new Map<string, unknown>();
  const context = {
    subscriptions: [] as { dispose(): void }[],
    globalStorageUri: vscode.Uri.file(globalStorage),
    extensionPath: extension.extensionPath,
    asAbsolutePath: (p: string) => join(extension.extensionPath, p),
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
    globalState: { get: (k: string, d?: unknown) => (state.has(k) ? state.get(k) : d), update: async (k: string, v: unknown) => void state.set(k, v), keys: () => [...state.keys()] },
  };
  contexts.push(context);
  return module.activate(context);
}
const contexts: { subscriptions: { dispose(): void }[] }[] = [];

function deactivate(extension: vscode.Extension<DictationApi>): void {
  // What VS Code calls when the window closes or reloads, or the extension is disabled.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(extension.extensionPath, 'dist/extension.js')) as { deactivate(): void };
  module.deactivate();
  for (const context of contexts.splice(0)) for (const d of context.subscriptions) d.dispose();
}

export async function run(): Promise<void> {
  const clips = JSON.parse(process.env.FAULTS_CLIPS ?? '[]') as Clip[];
  const runs = Number(process.env.FAULTS_RUNS ?? 20);
  const baselineRuns = Number(process.env.FAULTS_BASELINE_RUNS ?? 2);
  const scenarios = (process.env.FAULTS_SCENARIOS ?? '').split(',').filter(Boolean);
  const model = process.env.FAULTS_MODEL!;
  const modelOriginal = process.env.FAULTS_MODEL_ORIGINAL!;
  const tempRoot = process.env.FAULTS_TEMP_ROOT!;
  const out = process.env.FAULTS_OUT!;
  await setSetting('modelPath', model);
  await setSetting('recorder.program', 'sox');
  await setSetting('recorder.path', '');
  const extension = vscode.extensions.getExtension<DictationApi>(EXTENSION_ID)!;
  let api = (await extension.activate()) as DictationApi;
  const globalStorage = dirname(api.files.cacheRoot);
  const records: RunRecord[] = [];
  const baselines: { clip: string; editor: string }[] = [];
  const fileBaselines: { clip: string; text: string }[] = [];
  const progress = (line: string) => process.stderr.write(`[faults] ${line}\n`);

  /** One dictation of `clip` into a fresh editor; `inject` runs concurrently from the start of playback. */
  async function dictate(scenario: string, index: number, clip: Clip, inject?: (playing: Promise<void>) => Promise<{ fault: string; atMs: number }>, after?: () => Promise<void>): Promise<RunRecord> {
    const started = Date.now();
    const errorsBefore = hostErrors.length;
    const document = await vscode.workspace.openTextDocument({ content: '' });
    await vscode.window.showTextDocument(document);
    await vscode.env.clipboard.writeText('');
    const historyBefore = new Set(api.history.list());
    await vscode.commands.executeCommand('offlineDictation.start');
    await sleep(300);
    const playing = play(clip.wav);
    const fault = inject ? inject(playing) : Promise.resolve({ fault: 'none', atMs: 0 });
    await playing;
    const injected = await fault;
    // The person stops talking and waits for the text, as in real use; then stops dictation.
    await sleep(2500);
    const deactivated = scenario === 'deactivation-during-transcription';
    if (!deactivated) await vscode.commands.executeCommand('offlineDictation.stop');
    await after?.();
    // The fault settles: processes end, files go (a few seconds at most).
    // After a deactivation, `api` is the new activation's: its worker (transcribing what was saved) is legitimate.
    const keep = api.client.pid;
    await waitFor(() => orphans(keep).length === 0 && filesUnder(tempRoot).length === 0, 5000);
    const record: RunRecord = {
      scenario,
      run: index,
      clip: clip.name,
      fault: injected.fault,
      faultAtMs: Math.round(injected.atMs),
      editor: document.getText(),
      clipboard: await vscode.env.clipboard.readText(),
      // After a deactivation the history is a new activation's (reloaded from disk): only what it recovered is new.
      history: deactivated ? recoveredTexts.splice(0) : api.history.list().filter((e) => !historyBefore.has(e)).map((e) => e.text),
      orphans: orphans(keep),
      tempFiles: filesUnder(tempRoot),
      hostErrors: hostErrors.slice(errorsBefore),
      lastError: api.controller.lastError?.message,
      ms: Date.now() - started,
    };
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    return record;
  }

  /** A random moment within playback (or just after it), then the next moment a transcription runs. */
  async function duringTranscription(playing: Promise<void>, clip: Clip, t0: number): Promise<number> {
    await sleep(random(200, clip.seconds * 1000 + 800));
    await waitFor(() => api.client.busy, 6000);
    void playing;
    return Date.now() - t0;
  }

  // Fault-free baselines: what this machine's dictation makes of each clip without faults.
  for (let i = 0; i < baselineRuns; i++) {
    for (const clip of clips) {
      const r = await dictate('baseline', i, clip);
      baselines.push({ clip: clip.name, editor: r.editor });
      progress(`baseline ${clip.name}: ${r.editor}`);
    }
  }

  const dictationScenarios: Record<string, (clip: Clip) => Promise<{ inject: (playing: Promise<void>) => Promise<{ fault: string; atMs: number }>; after?: () => Promise<void> }>> = {
    'worker-sigkill-during-transcription': async (clip) => ({
      inject: async (playing) => {
        const t0 = Date.now();
        const atMs = await duringTranscription(playing, clip, t0);
        const pid = api.client.pid;
        const busy = api.client.busy;
        if (pid) process.kill(pid, 'SIGKILL');
        return { fault: `SIGKILL worker ${pid}${busy ? ' (busy)' : ' (idle)'}`, atMs };
      },
    }),
    'worker-sigstop-hang': async (clip) => {
      let stopped: number | undefined;
      return {
        inject: async (playing) => {
          const t0 = Date.now();
          const atMs = await duringTranscription(playing, clip, t0);
          stopped = api.client.pid;
          const busy = api.client.busy;
          if (stopped) process.kill(stopped, 'SIGSTOP');
          return { fault: `SIGSTOP worker ${stopped}${busy ? ' (busy)' : ' (idle)'}`, atMs };
        },
        // A stopped worker that was idle holds no phrase: the next one reveals it. Stopping waits for the text.
        after: async () => {
          if (stopped) await waitFor(() => api.client.pid !== stopped, 60_000);
          hangNote = `${api.client.hangsDetected} hang(s) detected: ${api.client.lastHang ?? 'none'}`;
        },
      };
    },
    'recorder-sigkill': async (clip) => ({
      inject: async () => {
        const atMs = random(200, clip.seconds * 1000 - 200);
        await sleep(atMs);
        const pid = api.controller.recorderPid;
        if (!pid) return { fault: 'no recorder to kill', atMs };
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        // The recorder is restarted at once (within the budget): note how soon, and as which process.
        const restarted = await waitFor(() => !!api.controller.recorderPid && api.controller.recorderPid !== pid, 3000);
        const restartMs = Date.now() - killedAt;
        // The audio nobody recorded: from the old recorder's last audio to the new one's first (heard as silence).
        await waitFor(() => (api.controller.sessionStats?.recorderGapMs ?? 0) > 0, 2000);
        const gap = api.controller.sessionStats?.recorderGapMs;
        const next = restarted ? `; restarted as ${api.controller.recorderPid} after ${restartMs} ms, ${gap} ms not recorded` : '; not restarted';
        return { fault: `SIGKILL recorder ${pid}${next}`, atMs };
      },
    }),
    'disk-full-capture-and-spill': async (clip) => ({
      inject: async () => {
        const atMs = random(0, clip.seconds * 1000);
        await sleep(atMs);
        // Fill the extension's temp folder's file system (a small tmpfs) until it refuses: ENOSPC from here on.
        const filler = join(tempRoot, FILLER);
        try {
          writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
        return { fault: `disk full (${statSync(filler).size} bytes of filler)`, atMs };
      },
      after: async () => rmSync(join(tempRoot, FILLER), { force: true }),
    }),
    'deactivation-during-transcription': async () => ({
      // VS Code activates the extension again (the window reloaded): what the deactivation saved is transcribed.
      after: async () => {
        api = reactivate(extension, globalStorage);
        recoveredTexts = await api.recovered;
      },
      inject: async (playing) => {
        const t0 = Date.now();
        await playing;
        await sleep(random(0, 600));
        await waitFor(() => api.client.busy, 3000);
        const busy = api.client.busy;
        deactivate(extension);
        return { fault: `deactivate${busy ? ' (transcribing)' : ' (idle)'}`, atMs: Date.now() - t0 };
      },
    }),
    'model-file-truncated-or-replaced': async (clip) => {
      return {
        inject: async () => {
          const atMs = random(0, clip.seconds * 1000 + 1000);
          await sleep(atMs);
          const how = Math.floor(Math.random() * 3);
          let fault: string;
          if (how === 0) {
            const size = Math.floor(random(0, statSync(model).size));
            truncateSync(model, size);
            fault = `model truncated to ${size} bytes`;
          } else if (how === 1) {
            const junk = `${model}.junk`;
            writeFileSync(junk, Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(Math.random() * 256))));
            renameSync(junk, model);
            fault = 'model replaced by random bytes';
          } else {
            rmSync(model);
            fault = 'model deleted';
          }
          return { fault, atMs };
        },
        after: async () => copyFileSync(modelOriginal, model),
      };
    },
  };

  for (const scenario of scenarios) {
    if (scenario.startsWith('cache-')) continue;
    const make = dictationScenarios[scenario];
    if (!make) throw new Error(`unknown scenario ${scenario}`);
    for (let i = 0; i < runs; i++) {
      const clip = clips[i % clips.length];
      if (scenario === 'disk-full-capture-and-spill') await setSetting('capture.mode', 'file');
      const { inject, after } = await make(clip);
      const record = await dictate(scenario, i, clip, inject, after);
      if (scenario === 'disk-full-capture-and-spill') await setSetting('capture.mode', 'auto');
      if (scenario === 'worker-sigstop-hang') record.fault += `; ${hangNote}`;
      records.push(record);
      progress(`${scenario} #${i} ${clip.name} [${record.fault} at ${record.faultAtMs} ms] → ${JSON.stringify(record.editor)} clipboard ${JSON.stringify(record.clipboard)} orphans ${record.orphans.length} temp ${record.tempFiles.length} errors ${record.hostErrors.length}`);
    }
  }

  // File transcription with its job cache on a small tmpfs of its own: made read-only at a random moment, or its
  // files overwritten with garbage at a random moment.
  const cacheScenarios = scenarios.filter((s) => s.startsWith('cache-'));
  if (cacheScenarios.length) {
    const cacheRoot = api.files.cacheRoot;
    rmSync(cacheRoot, { recursive: true, force: true });
    sh('mkdir', ['-p', cacheRoot]);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', cacheRoot]);
    try {
      for (const clip of clips) {
        const text = await api.files.transcribe(clip.wav);
        fileBaselines.push({ clip: clip.name, text });
        progress(`file baseline ${clip.name}: ${text}`);
      }
      for (const scenario of cacheScenarios) {
        for (let i = 0; i < runs; i++) {
          const clip = clips[i % clips.length];
          const started = Date.now();
          const errorsBefore = hostErrors.length;
          sh('mount', ['-o', 'remount,rw', cacheRoot]);
          if (scenario === 'cache-read-only') for (const name of readdirSync(cacheRoot)) rmSync(join(cacheRoot, name), { recursive: true, force: true });
          // A random moment: before the job starts, or while it runs (a short clip takes about a second).
          const atMs = random(0, 1500);
          let fault = '';
          const injected = (async () => {
            await sleep(atMs);
            if (scenario === 'cache-read-only') {
              sh('mount', ['-o', 'remount,ro', cacheRoot]);
              fault = 'cache read-only';
            } else {
              const files = filesUnder(cacheRoot);
              for (const file of files) {
                if (Math.random() < 0.5) writeFileSync(file, Buffer.from(Array.from({ length: Math.floor(random(1, 400)) }, () => Math.floor(Math.random() * 256))));
                else truncateSync(file, Math.floor(random(0, statSync(file).size)));
              }
              fault = `cache corrupted (${files.length} files)`;
            }
          })();
          let text = '';
          let error: string | undefined;
          try {
            text = await api.files.transcribe(clip.wav);
          } catch (e) {
            error = (e as Error).message;
          }
          await injected;
          await sleep(300);
          const record: RunRecord = {
            scenario, run: i, clip: clip.name, fault, faultAtMs: Math.round(atMs), editor: text, clipboard: '', history: [],
            orphans: orphans(api.client.pid), tempFiles: filesUnder(tempRoot), hostErrors: hostErrors.slice(errorsBefore), lastError: error, ms: Date.now() - started,
          };
          records.push(record);
          progress(`${scenario} #${i} ${clip.name} [${fault} at ${Math.round(atMs)} ms] → ${JSON.stringify(text)} ${error ?? ''} errors ${record.hostErrors.length}`);
        }
      }
    } finally {
      spawnSync('umount', [cacheRoot]);
    }
  }
  writeFileSync(out, JSON.stringify({ baselines, fileBaselines, records, hostErrorsTotal: hostErrors, modelExists: existsSync(model) }, null, 2));
}
