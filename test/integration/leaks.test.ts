// Leaks, measured in the real extension host: many start / speak / stop dictations with real speech through the
// virtual microphone, then a full garbage collection. Every session, recorder, worker client, phrase buffer and
// per-dictation object of the vscode layer made during the cycles must be gone (LeakTracker's WeakRefs), the process
// must hold no more handles (child processes, pipes, timers) and the long-lived emitters no more listeners than
// before. DICTATION_LEAK_CYCLES overrides the 100 cycles (bench:leaks runs 1,000 the same way).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, dictateFromVirtualMicrophone, evalDir, freshEditor, setSetting } from './support';
import { dictationCycle, shortSpeechClip } from '../../bench/leaks/cycle';
import type { LeakReport } from '../../src/vscode/leakProbe';

const CYCLES = Number(process.env.DICTATION_LEAK_CYCLES ?? 100);

/** Counts that grew from `before` to `after` by more than `slack(key)` (keys of either), as "name: before → after". */
function grown(before: Record<string, number>, after: Record<string, number>, slack: (key: string) => number = () => 0): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !((after[key] ?? 0) <= (before[key] ?? 0) + slack(key)))
    .map((key) => `${key}: ${before[key] ?? 0} → ${after[key] ?? 0}`);
}

suite('Leaks: dictations leave nothing behind', function () {
  this.timeout(20 * 60_000);
  let scratch: string;

  suiteSetup(async function () {
    await dictateFromVirtualMicrophone.call(this);
    // Short cycles: a 300-ms pause ends the phrase (the minimum), so each one takes little more than its speech.
    await setSetting('pauseMs', 300);
    scratch = mkdtempSync(join(tmpdir(), 'leaks-'));
  });

  suiteTeardown(async () => {
    await setSetting('pauseMs', undefined);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test(`${CYCLES} start/speak/stop cycles, then a full GC: nothing retained, no handle or listener added`, async () => {
    const dictation = await api();
    const clip = shortSpeechClip(evalDir, scratch);
    const editor = await freshEditor('');
    // Warm-up: the worker starts and loads the model, and one-time things (the segmenter's tables, VS Code's
    // decoration types) exist before the baseline.
    for (let i = 0; i < 2; i++) await dictationCycle(editor, clip.wav);
    const mark = dictation.leaks.mark();
    const before = await dictation.leaks.collect(mark);
    const started = Date.now();
    let withText = 0;
    let withWords = 0;
    for (let i = 0; i < CYCLES; i++) {
      const text = await dictationCycle(editor, clip.wav);
      if (text.trim()) withText++;
      if (clip.expected.test(text)) withWords++;
    }
    const cycleMs = (Date.now() - started) / CYCLES;
    // The last recorder's exit and the last phrase's bookkeeping settle.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let after: LeakReport = await dictation.leaks.collect(mark);
    // A handle in flight at the moment of the snapshot is not one left behind (a clean-clone CI run once caught one
    // FSReqPromise, an fs request finishing): what grew is sampled again, and only growth that stays counts. A
    // handle left per dictation would still be 100 more.
    const handleSlack = (type: string) => (type === 'Timeout' ? 3 : 0);
    for (let i = 0; i < 3 && grown(before.handles, after.handles, handleSlack).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await dictation.leaks.collect(mark);
    }
    console.log(`${CYCLES} cycles, ${cycleMs.toFixed(0)} ms each; text in ${withText}, "forward" in ${withWords}`);
    console.log(`retained ${JSON.stringify(after.retained)}; created ${JSON.stringify(before.created)} → ${JSON.stringify(after.created)}`);
    console.log(`handles ${JSON.stringify(before.handles)} → ${JSON.stringify(after.handles)}`);
    console.log(`listeners ${before.listenerCount} → ${after.listenerCount}: ${JSON.stringify(after.listeners)}`);

    // The speech was transcribed: every cycle delivered text, and (tiny.en on 1 s of speech) nearly always the word.
    assert.equal(withText, CYCLES, 'every cycle delivered text');
    assert.ok(withWords >= CYCLES * 0.9, `"forward" was transcribed in ${withWords} of ${CYCLES} cycles`);
    // The tracking saw the cycles: a session and a recorder per cycle, a phrase buffer at least per phrase.
    assert.equal(after.created.session - before.created.session, CYCLES, 'a tracked session per cycle');
    assert.equal(after.created.recorder - before.created.recorder, CYCLES, 'a tracked recorder per cycle');
    assert.ok(after.created['phrase-buffer'] - before.created['phrase-buffer'] >= CYCLES, 'a tracked phrase buffer per cycle');
    assert.ok(after.created.disposable - before.created.disposable >= 4 * CYCLES, 'the per-dictation objects of the vscode layer are tracked');

    assert.deepEqual(after.retained, { session: 0, recorder: 0, client: 0, 'phrase-buffer': 0, disposable: 0 },
      `still alive after a full GC: ${after.retainedObjects.map((o) => `${o.kind} (${o.label})`).join(', ')}`);
    assert.ok(!Object.values(after.listeners).some(Number.isNaN), 'vscode.EventEmitter listener counts are readable');
    assert.deepEqual(grown(before.listeners, after.listeners), [], 'no emitter gained listeners');
    // VS Code's own debounce timers come and go (a few either way); a timer left per dictation would add 100.
    assert.deepEqual(grown(before.handles, after.handles, handleSlack), [], 'no handle type grew');
  });
});
