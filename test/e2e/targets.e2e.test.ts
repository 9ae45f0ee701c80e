// End-to-end: the keys and the reload, as a person uses them in a real VS Code (the packaged .vsix in code-server and
// headless Chromium, real speech into the virtual microphone). Ctrl+Alt+D pressed in the terminal dictates into the
// terminal, Escape pressed there stops, nothing runs until the person presses a key; after reloading the window the
// phrase is still in Dictation: Show History.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ES module helpers shared with the harness
import { UI, Workbench } from './workbench.mjs';
// @ts-expect-error plain ES module helpers shared with the harness
import { play, startVirtualMic, stopVirtualMic } from '../host/virtualMic.mjs';
import { wordErrorRate } from '../../src/core/text/wer';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';

const root = resolve(__dirname, '../..');
const evalDir = resolve(root, '../shared/eval/public');
const clip = (name: string) => ({ wav: join(evalDir, `${name}.wav`), text: readFileSync(join(evalDir, `${name}.txt`), 'utf8').trim() });
const vsix = process.env.DICTATION_VSIX ?? readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => join(root, f))[0];

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Dictation into the terminal with the keys, and the history after a reload (packaged .vsix)', () => {
  let workbench: InstanceType<typeof Workbench>;
  let micEnv: Record<string, string> | undefined;
  let workspace = '';

  before(async () => {
    assert.ok(vsix, 'a packaged .vsix exists (npm run package)');
    micEnv = startVirtualMic();
    workspace = mkdtempSync(join(tmpdir(), 'dictation-e2e-targets-'));
    cpSync(join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
    workbench = new Workbench({
      vsix,
      workspace,
      screenshotDir: join(root, 'test-results/e2e'),
      env: micEnv,
      settings: { 'offlineDictation.modelPath': fixtureModelPath(), 'offlineDictation.recorder.program': 'sox' },
    });
    await workbench.start();
    await workbench.waitForStatus(UI.statusIdle);
  });

  after(async () => {
    await workbench?.dispose();
    stopVirtualMic();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('Ctrl+Alt+D in the terminal types the words there, Escape stops, and nothing runs', async () => {
    const page = workbench.page;
    await workbench.runCommand('Terminal: Create New Terminal');
    await page.waitForSelector('.terminal-wrapper .xterm', { timeout: 30_000 });
    await page.locator('.terminal-wrapper .xterm').first().click();
    await page.waitForTimeout(1500);
    // The program in the terminal writes what it reads to out.txt; `finished` appears only once its input ends.
    await page.keyboard.type('cat > out.txt && touch finished');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    await page.keyboard.press(UI.toggleKey);
    await workbench.waitForStatus(`${UI.statusRecording}`);
    await workbench.waitForStatus('→ Terminal', 5000);
    const speech = clip('p07_pocketsphinx_goforward');
    await play(speech.wav, { ...process.env, ...micEnv });
    await page.waitForTimeout(1500);
    await workbench.screenshot('targets-1-terminal-dictating');
    // Escape with the terminal focused stops dictation (the spoken phrase is still transcribed and typed).
    await page.keyboard.press('Escape');
    await workbench.waitForStatus(UI.statusIdle, 60_000);
    await page.waitForTimeout(500);
    assert.ok(!existsSync(join(workspace, 'finished')), 'nothing pressed Enter: cat is still reading');
    // End the input as the person would: Ctrl-D hands cat the typed line, a second Ctrl-D ends it.
    await page.keyboard.press('Control+D');
    await page.waitForTimeout(300);
    await page.keyboard.press('Control+D');
    await waitUntil(() => existsSync(join(workspace, 'finished')), 15_000, 'cat to finish');
    const typed = readFileSync(join(workspace, 'out.txt'), 'utf8');
    console.log(`terminal (keys): ${JSON.stringify(typed)}`);
    assert.doesNotMatch(typed, /[\r\n]/, 'the words were typed, never executed');
    assert.ok(wordErrorRate(speech.text, typed).wer <= 0.25, `the spoken words: ${JSON.stringify(typed)}`);
    await workbench.screenshot('targets-2-terminal-done');
  });

  it('after a window reload the phrase is still in Dictation: Show History', async () => {
    const page = workbench.page;
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await workbench.waitForStatus(UI.statusIdle);
    await workbench.runCommand('Dictation: Show History');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20_000 });
    const rows: string[] = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((els: { getAttribute(name: string): string | null }[]) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    console.log(`history after reload: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((r) => /forward/i.test(r) && /terminal/i.test(r)), `the terminal phrase survived the reload: ${rows.join(' | ')}`);
    await workbench.screenshot('targets-3-history-after-reload');
    await workbench.closeQuickInput();
  });
  it('Dictate Into… → Chat, where VS Code has no chat box (code-server without a chat extension), sends the words to the clipboard', async () => {
    const page = workbench.page;
    await workbench.runCommand('Dictation: Dictate Into…');
    const chatRow = page.locator('.quick-input-list .monaco-list-row[aria-label*="Chat"]').first();
    await chatRow.waitFor({ timeout: 20_000 });
    const label = (await chatRow.getAttribute('aria-label')) ?? '';
    assert.match(label, /not available/, `the picker says chat is not available here: ${label}`);
    await chatRow.click();
    await workbench.waitForStatus('→ Clipboard', 30_000);
    await play(clip('p07_pocketsphinx_goforward').wav, { ...process.env, ...micEnv });
    await page.waitForTimeout(1500);
    await workbench.statusBarItem(UI.statusRecording).click();
    await workbench.waitForStatus(UI.statusIdle, 60_000);
    await workbench.runCommand('Dictation: Show History');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20_000 });
    const rows: string[] = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((els: { getAttribute(name: string): string | null }[]) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    console.log(`history: ${JSON.stringify(rows)}`);
    assert.match(rows[0] ?? '', /forward.*on clipboard/i, 'the newest phrase went to the clipboard, not into a chat box that does not exist');
    await workbench.screenshot('targets-4-chat-unavailable');
    await workbench.closeQuickInput();
  });
});
