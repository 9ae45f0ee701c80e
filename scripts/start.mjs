#!/usr/bin/env node
// `npm start [-- FOLDER]`: a real VS Code with this extension loaded from the checkout (dist/ as `npm run build` left
// it), so dictation can be tried at once:
// - desktop VS Code when `code` is on the PATH: `code --extensionDevelopmentPath=<checkout> FOLDER`;
// - otherwise the project's code-server (test/host, VS Code 1.100.3 in the browser), listening on 127.0.0.1 only
//   (PORT, default 8765) with the extension loaded as a development extension; the URL to open is printed, and
//   Ctrl+C stops it. The extension host runs on this machine, so the recorder uses this machine's microphone.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const folder = resolve(process.argv[2] ?? root);
const hint = 'Press Ctrl+Alt+D (or click the microphone in the status bar) and speak; pause, and the words appear at the cursor.';

function desktopCode() {
  if (process.env.DICTATION_START_NO_DESKTOP) return undefined;
  const run = spawnSync('code', ['--version'], { encoding: 'utf8', shell: false, timeout: 20_000 });
  // code-server also answers --version; only desktop VS Code loads a development extension from the command line.
  return run.status === 0 && !/code-server/i.test(run.stdout) ? 'code' : undefined;
}

const code = desktopCode();
if (code) {
  spawn(code, [`--extensionDevelopmentPath=${root}`, folder], { stdio: 'inherit', detached: true }).unref();
  console.log(`start: opened VS Code with the extension from ${root}.\n${hint}`);
  process.exit(0);
}

const hostDir = join(root, 'test/host');
if (!existsSync(join(hostDir, 'node_modules/code-server'))) {
  console.log('start: no `code` on the PATH; installing the project\'s code-server (test/host/setup.sh)');
  execFileSync('bash', [join(hostDir, 'setup.sh')], { stdio: 'inherit' });
}
const entry = join(hostDir, 'node_modules/code-server/out/node/entry.js');
const state = join(tmpdir(), `offline-dictation-start-${process.getuid?.() ?? 'user'}`);
for (const dir of ['ud/User', 'exts']) mkdirSync(join(state, dir), { recursive: true, mode: 0o700 });
const settings = join(state, 'ud/User/settings.json');
if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false }, null, 2));
writeFileSync(join(state, 'config.yaml'), '');
const port = process.env.PORT ?? '8765';
const server = spawn(process.execPath, [entry, '--config', join(state, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', join(state, 'ud'), '--extensions-dir', join(state, 'exts')],
{ stdio: ['ignore', 'pipe', 'inherit'] });
let announced = false;
server.stdout.on('data', (data) => {
  const match = !announced && String(data).match(/HTTP server listening on (http:\/\/\S+)/);
  if (!match) return;
  announced = true;
  const base = new URL(match[1]);
  // The web workbench takes a development extension from the `payload` query (code-server's CLI does not).
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${base.host}${root}`]]);
  const url = `${base.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`;
  console.log(`start: VS Code (code-server) with the extension is at\n\n  ${url}\n\nOpen it in a browser on this machine. ${hint}\nCtrl+C stops it.`);
});
server.on('exit', (status) => process.exit(status ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
