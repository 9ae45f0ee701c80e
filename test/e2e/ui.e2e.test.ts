// End-to-end: the packaged .vsix installed in a real VS Code, used as a person would — command palette, keybinding,
// status bar — while real speech plays into the virtual microphone. Screenshots go to test-results/e2e/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ES module helpers shared with the harness
import { UI, Workbench } from './workbench.mjs';
// @ts-expect-error plain ES module helpers shared with the harness
import { play, startVirtualMic, stopVirtualMic } from '../host/virtualMic.mjs';
import { wordErrorRate } from '../../src/core/text/wer';
import { encodePcm16Wav } from '../../src/core/audio/wav';
import { colouredNoise, keyboardClicks, roomNoise } from '../support/nonSpeech';
import { concat } from '../support/signals';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const clip = (name: string) => ({ wav: join(evalDir, `${name}.wav`), text: readFileSync(join(evalDir, `${name}.txt`), 'utf8').trim() });
const vsix = process.env.DICTATION_VSIX ?? readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => join(root, f))[0];

describe('Offline Dictation in a real VS Code (packaged .vsix)', () => {
  let workbench: InstanceType<typeof Workbench>;
  let micEnv: Record<string, string> | undefined;
  let workspace = '';

  before(async () => {
    assert.ok(vsix, 'a packaged .vsix exists (npm run package)');
    micEnv = startVirtualMic();
    // A copy: the test types into its files, and the checked-in fixture must stay as it is.
    workspace = mkdtempSync(join(tmpdir(), 'dictation-e2e-ws-'));
    cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
    workbench = new Workbench({
      vsix,
      workspace,
      screenshotDir: join(root, 'test-results/e2e'),
      env: micEnv,
      settings: { 'offlineDictation.modelPath': fixtureModelPath(), 'offlineDictation.recorder.program': 'sox', 'offlineDictation.pauseMs': 700 },
    });
    await workbench.start();
  });

  after(async () => {
    await workbench?.dispose();
    stopVirtualMic();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('activates from the installed .vsix and shows its status-bar microphone', async () => {
    await workbench.waitForStatus(UI.statusIdle);
    await workbench.screenshot('1-activated');
  });

  it('lists its commands in the command palette', async () => {
    // The palette renders only the rows in view (there are more Dictation commands than fit): ask for each one.
    for (const title of UI.commands) {
      const entries: string[] = await workbench.paletteEntries(title);
      assert.ok(entries.some((e) => e.includes(title)), `palette lists "${title}" (got ${entries.join(' | ')})`);
      await workbench.closeQuickInput();
    }
    const stop: string[] = await workbench.paletteEntries('Dictation: St');
    assert.ok(!stop.some((e) => e.includes('Dictation: Stop Dictation')), 'Stop is hidden while not dictating');
    await workbench.screenshot('2-palette');
    await workbench.closeQuickInput();
  });

  it('dictates into the editor from the palette, the keybinding and the status bar, one undo step per phrase', async (t) => {
    // In CI a missing microphone is a failure, not a skip.
    if (!micEnv && process.env.CI) assert.fail('no PulseAudio: no virtual microphone in CI');
    if (!micEnv) return t.skip('no PulseAudio: no virtual microphone');
    await workbench.openFile('notes.txt');
    await workbench.page.keyboard.press('Control+End');
    const initial = await workbench.editorText();

    // 1. Command palette
    const jfk = clip('p01_jfk_inaugural_1961');
    await workbench.runCommand('Dictation: Start Dictation');
    await workbench.waitForStatus(UI.statusRecording);
    await workbench.screenshot('3-dictating');
    await play(jfk.wav, { ...process.env, ...micEnv });
    let text = await workbench.waitForEditor((s: string) => /your country\W*$/i.test(s.trim()));
    await workbench.screenshot('4-after-palette-dictation');
    await workbench.runCommand('Dictation: Stop Dictation');
    await workbench.waitForStatus(UI.statusIdle);
    const afterJfk = text;
    const jfkDictated = afterJfk.slice(initial.length);
    const jfkScore = wordErrorRate(jfk.text, jfkDictated);
    console.log(`palette dictation: ${JSON.stringify(jfkDictated)} WER ${(jfkScore.wer * 100).toFixed(1)} %`);
    assert.ok(jfkScore.wer <= 0.15, `WER ${jfkScore.wer}`);

    // 2. Keybinding (toggle on, speak, Escape stops)
    const forward = clip('p07_pocketsphinx_goforward');
    await workbench.page.keyboard.press(UI.toggleKey);
    await workbench.waitForStatus(UI.statusRecording);
    await play(forward.wav, { ...process.env, ...micEnv });
    text = await workbench.waitForEditor((s: string) => s.length > afterJfk.length + 5);
    await workbench.page.keyboard.press('Escape');
    await workbench.waitForStatus(UI.statusIdle);
    const afterForward = text;
    const forwardScore = wordErrorRate(forward.text, afterForward.slice(afterJfk.length));
    console.log(`keybinding dictation: ${JSON.stringify(afterForward.slice(afterJfk.length))} WER ${(forwardScore.wer * 100).toFixed(1)} %`);
    assert.ok(forwardScore.wer <= 0.15, `WER ${forwardScore.wer}`);

    // 3. Status bar click to start and to stop; two sentences with a pause between: two phrases in one dictation.
    const arctic = clip('p16_cmu_arctic_awb_a0007');
    const librispeech = clip('p13_librispeech_61-70968-0000');
    await workbench.statusBarItem(UI.statusIdle).click();
    await workbench.waitForStatus(UI.statusRecording);
    await workbench.page.locator('.part.editor .monaco-editor .view-lines').click();
    await workbench.page.keyboard.press('Control+End');
    await play(arctic.wav, { ...process.env, ...micEnv });
    const afterFirstSentence = await workbench.waitForEditor((s: string) => /degree\W*$/i.test(s.trim()));
    await play(librispeech.wav, { ...process.env, ...micEnv });
    text = await workbench.waitForEditor((s: string) => /left\W*$/i.test(s.trim()));
    await workbench.statusBarItem(UI.statusRecording).click();
    await workbench.waitForStatus(UI.statusIdle);
    const afterStatusBar = await workbench.waitForEditor(() => true);
    const statusScore = wordErrorRate(`${arctic.text} ${librispeech.text}`, afterStatusBar.slice(afterForward.length));
    console.log(`status-bar dictation: ${JSON.stringify(afterStatusBar.slice(afterForward.length))} WER ${(statusScore.wer * 100).toFixed(1)} %`);
    assert.ok(statusScore.wer <= 0.15, `WER ${statusScore.wer}`);
    await workbench.screenshot('5-three-ways');

    // 4. Room noise, a fan switched on and typing insert nothing (a live microphone: not digital zeros).
    const scratch = mkdtempSync(join(tmpdir(), 'e2e-room-'));
    try {
      const room = join(scratch, 'room.wav');
      writeFileSync(room, encodePcm16Wav(concat(roomNoise(evalDir, 8), colouredNoise('pink', 6, -30, 4), keyboardClicks(5, -12, 6)), 16000));
      await workbench.page.keyboard.press(UI.toggleKey);
      await workbench.waitForStatus(UI.statusRecording);
      await play(room, { ...process.env, ...micEnv });
      await workbench.page.waitForTimeout(1500);
      await workbench.page.keyboard.press(UI.toggleKey);
      await workbench.waitForStatus(UI.statusIdle);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    assert.equal(await workbench.waitForEditor(() => true), afterStatusBar, 'non-speech produced no text');

    // 5. Each phrase is its own undo step: one Undo removes only the last phrase of the last dictation, and the
    // dictation's first phrase stays (one undo step per dictation would remove both).
    await workbench.page.locator('.part.editor .monaco-editor .view-lines').click();
    await workbench.page.keyboard.press('Control+End');
    await workbench.page.keyboard.press('Control+Z');
    const undone = await workbench.waitForEditor((s: string) => s !== afterStatusBar);
    // The first phrase's second pass (offlineDictation.refine) may have mended its words after afterFirstSentence was
    // read, so the first phrase is recognised by where it ends, and the last one by its words.
    assert.match(undone.trimEnd(), /degree\W*$/i, `one undo removed the last phrase only, the first stays: ${JSON.stringify(undone.slice(afterForward.length))}`);
    assert.doesNotMatch(undone.slice(afterForward.length), /wizard|vanished|curtain/i, 'the last phrase is gone');
    assert.ok(undone.length < afterStatusBar.length && undone.length >= afterFirstSentence.trimEnd().length - 20, 'only the last phrase went');
    assert.ok(undone.startsWith(afterJfk.trimEnd().slice(0, 40)), 'earlier dictation is untouched');
    await workbench.screenshot('6-final');
  });

  it('shows the memory indicator while the model is loaded, and its report on click', async () => {
    const indicator = workbench.page.locator('.statusbar-item', { hasText: /\d+ MB/ }).first();
    await indicator.waitFor({ timeout: 30_000 });
    const text = await indicator.innerText();
    const shownMB = Number(/(\d+) MB/.exec(text)![1]);
    assert.ok(shownMB > 50 && shownMB < 2000, `plausible footprint with tiny.en loaded: ${text}`);
    await indicator.hover();
    await workbench.page.waitForTimeout(1500);
    await workbench.screenshot('7-memory-indicator');
    await indicator.click();
    await workbench.page.locator('.part.panel', { hasText: 'Memory report' }).first().waitFor({ timeout: 20_000 });
    await workbench.screenshot('8-memory-report');
  });
});
