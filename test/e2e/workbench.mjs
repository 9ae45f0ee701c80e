// Drives a real VS Code (code-server 4.100.3 in headless Chromium) as a person would: command palette, keyboard,
// status bar, editor. One instance = one server + one browser with a private profile.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const hostDir = join(fileURLToPath(import.meta.url), '../../host');
const requireFromHost = createRequire(join(hostDir, 'package.json'));
const { chromium } = requireFromHost('playwright-core');
const CODE_SERVER = requireFromHost.resolve('code-server/out/node/entry');

/** What the extension shows; kept here so tests and the extension's UI texts change together. */
export const UI = {
  statusIdle: 'Dictate',
  statusRecording: 'Dictating',
  commands: ['Dictation: Start Dictation', 'Dictation: Toggle Dictation', 'Dictation: Show History', 'Dictation: Select Model…',
    'Dictation: Download Model…', 'Dictation: Transcribe Audio File…', 'Dictation: Free Memory and Delete Temporary Files', 'Dictation: Show Logs'],
  toggleKey: 'Control+Alt+D',
};

export class Workbench {
  constructor(options) {
    this.options = options;
    this.tmp = mkdtempSync(join(tmpdir(), 'dictation-e2e-'));
    this.shots = options.screenshotDir;
    mkdirSync(this.shots, { recursive: true });
  }

  get env() {
    const t = this.tmp;
    return {
      ...process.env,
      ...this.options.env,
      XDG_DATA_HOME: `${t}/xdg/data`, XDG_CONFIG_HOME: `${t}/xdg/config`, XDG_CACHE_HOME: `${t}/xdg/cache`,
      XDG_RUNTIME_DIR: `${t}/run`, TMPDIR: `${t}/tmp`,
    };
  }

  async start() {
    const t = this.tmp;
    for (const d of ['xdg/data', 'xdg/config', 'xdg/cache', 'run', 'tmp', 'ud/User', 'ud/Machine', 'exts']) mkdirSync(`${t}/${d}`, { recursive: true, mode: 0o700 });
    writeFileSync(`${t}/config.yaml`, '');
    const settings = { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false, 'git.enabled': false, 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false,
      ...this.options.settings };
    // Machine-scoped settings (model path, recorder) are read from the remote machine's settings in code-server.
    writeFileSync(`${t}/ud/User/settings.json`, JSON.stringify(settings, null, 2));
    writeFileSync(`${t}/ud/Machine/settings.json`, JSON.stringify(this.options.settings ?? {}, null, 2));
    const common = [CODE_SERVER, '--config', `${t}/config.yaml`, '--user-data-dir', `${t}/ud`, '--extensions-dir', `${t}/exts`];
    if (this.options.vsix) execFileSync(process.execPath, [...common, '--install-extension', this.options.vsix], { env: this.env, stdio: 'pipe' });
    this.server = spawn(process.execPath, [...common, '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: this.env });
    const base = await new Promise((resolve, reject) => {
      let buffered = '';
      this.server.stdout.on('data', (d) => {
        buffered += d;
        const m = buffered.match(/HTTP server listening on (http:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      this.server.on('exit', (code) => reject(new Error(`code-server exited with ${code}`)));
      setTimeout(() => reject(new Error('code-server did not start in 60 s')), 60_000);
    });
    this.browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', headless: true, env: this.env,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    this.page = await this.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await this.page.goto(`${base}?folder=${encodeURIComponent(this.options.workspace)}`);
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  }

  statusBarItem(text) {
    return this.page.locator('.statusbar-item', { hasText: text }).first();
  }

  async waitForStatus(text, timeout = 60_000) {
    await this.statusBarItem(text).waitFor({ timeout });
  }

  async openPalette(prefix = '>') {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(prefix);
    return input;
  }

  /** Titles of the palette entries that match `query`. */
  async paletteEntries(query) {
    const input = await this.openPalette();
    await input.fill(`>${query}`);
    await this.page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20_000 });
    await this.page.waitForTimeout(300);
    const labels = await this.page.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    return labels;
  }

  async runCommand(title) {
    const input = await this.openPalette();
    await input.fill(`>${title}`);
    await this.page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 20_000 });
    await this.page.keyboard.press('Enter');
  }

  async closeQuickInput() {
    await this.page.keyboard.press('Escape');
  }

  async openFile(name) {
    await this.page.keyboard.press('Control+P');
    await this.page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await this.page.keyboard.type(name);
    await this.page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector('.part.editor .monaco-editor .view-lines');
    await this.page.locator('.part.editor .monaco-editor .view-lines').click();
  }

  async editorText() {
    return this.page.evaluate(() => (document.querySelector('.part.editor .monaco-editor .view-lines')?.innerText ?? '').replace(/\u00a0/g, ' '));
  }

  /** Waits until the editor text satisfies `predicate` (and stops changing for `settleMs`). */
  async waitForEditor(predicate, timeout = 60_000, settleMs = 1500) {
    const start = Date.now();
    let last = await this.editorText();
    let stableSince = Date.now();
    for (;;) {
      const text = await this.editorText();
      if (text !== last) {
        last = text;
        stableSince = Date.now();
      }
      if (predicate(text) && Date.now() - stableSince >= settleMs) return text;
      if (Date.now() - start > timeout) throw new Error(`editor text did not reach the expected state: ${JSON.stringify(text)}`);
      await this.page.waitForTimeout(200);
    }
  }

  async screenshot(name) {
    await this.page.screenshot({ path: join(this.shots, `${name}.png`) });
  }

  async dispose() {
    await this.browser?.close().catch(() => {});
    if (this.server && this.server.exitCode === null) {
      try { process.kill(-this.server.pid, 'SIGTERM'); } catch {}
      await new Promise((r) => setTimeout(r, 1500));
      try { process.kill(-this.server.pid, 'SIGKILL'); } catch {}
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
