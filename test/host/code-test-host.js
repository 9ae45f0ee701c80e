#!/usr/bin/env node
// A "VS Code executable" for @vscode/test-electron's runTests (vscodeExecutablePath) that runs the extension tests
// in a real VS Code: code-server 4.100.3's Node extension host, with headless Debian Chromium (playwright-core) as
// the workbench. It accepts the desktop command line test-electron passes (--extensionDevelopmentPath,
// --extensionTestsPath, --user-data-dir, --extensions-dir, a folder) and exits with the tests' result.
//
// code-server's CLI rejects the extension-development flags, but its web workbench reads them from the URL
// `payload` query; the result arrives through window.codeAutomationExit and all output through codeAutomationLog.
// Env: CODE_TEST_TIMEOUT_MS (default 1200000), CODE_TEST_KEEP=1 (keep logs), CODE_TEST_VERBOSE=1, CHROMIUM_BIN.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { chromium } = require('playwright-core');

const CODE_SERVER = require.resolve('code-server/out/node/entry', { paths: [__dirname] });
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.CODE_TEST_TIMEOUT_MS || 1_200_000);

const developmentPaths = [];
const positional = [];
let testsPath;
let userDataDir;
let extensionsDir;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const match = argv[i].match(/^--([^=]+)(?:=(.*))?$/);
  if (!match) {
    positional.push(argv[i]);
    continue;
  }
  const value = () => (match[2] !== undefined ? match[2] : argv[++i]);
  switch (match[1]) {
    case 'extensionDevelopmentPath': developmentPaths.push(path.resolve(value())); break;
    case 'extensionTestsPath': testsPath = path.resolve(value()); break;
    case 'user-data-dir': userDataDir = path.resolve(value()); break;
    case 'extensions-dir': extensionsDir = path.resolve(value()); break;
    default: break; // --no-sandbox, --disable-updates, --skip-welcome, ... mean nothing to code-server
  }
}
if (!testsPath) {
  console.error('code-test-host: --extensionTestsPath is required');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'code-test-'));
// code-server puts an IPC socket in the user-data-dir; unix socket paths must stay under 108 bytes.
if (!userDataDir || path.join(userDataDir, 'code-server-ipc.sock').length > 100) userDataDir = path.join(tmp, 'ud');
extensionsDir = extensionsDir || path.join(tmp, 'exts');
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
const settingsFile = path.join(userDataDir, 'User/settings.json');
if (!fs.existsSync(settingsFile)) {
  fs.writeFileSync(settingsFile, JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false, 'workbench.enableExperiments': false, 'git.enabled': false,
  }, null, 2));
}
fs.writeFileSync(path.join(tmp, 'config.yaml'), '');

// Keep code-server's logs, VS Code's device id, Chromium's crash dir and IPC sockets out of $HOME and /tmp.
// The tests' own variables (PULSE_SERVER for the virtual microphone, OFFLINE_DICTATION_CACHE, ...) pass through;
// HOME stays, so ~/.cache (the test model) is found.
const isolated = {
  XDG_DATA_HOME: path.join(tmp, 'xdg/data'), XDG_CONFIG_HOME: path.join(tmp, 'xdg/config'), XDG_CACHE_HOME: path.join(tmp, 'xdg/cache'),
  XDG_RUNTIME_DIR: path.join(tmp, 'run'),
  // A caller may choose the temp folder (to seed it with what a crashed window left, for example).
  TMPDIR: process.env.CODE_TEST_TMPDIR || path.join(tmp, 'tmp'),
  OFFLINE_DICTATION_CACHE: process.env.OFFLINE_DICTATION_CACHE || process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
};
for (const dir of ['xdg/data', 'xdg/config', 'xdg/cache', 'run', 'tmp']) fs.mkdirSync(path.join(tmp, dir), { recursive: true, mode: 0o700 });

let server;
let browser;
async function cleanup() {
  if (browser) {
    const b = browser;
    browser = undefined;
    await b.close().catch(() => {});
  }
  if (server && server.exitCode === null) {
    // The whole process group: server, extension hosts, file watcher — and anything they started.
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try { process.kill(-server.pid, 'SIGTERM'); } catch {}
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    try { process.kill(-server.pid, 'SIGKILL'); } catch {}
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, async () => { await cleanup(); process.exit(130); });

(async () => {
  server = spawn(process.execPath, [CODE_SERVER, '--config', path.join(tmp, 'config.yaml'), '--bind-addr', '127.0.0.1:0', '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir],
  { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...isolated } });
  const log = fs.createWriteStream(path.join(tmp, 'code-server.log'));
  server.stderr.pipe(log);
  const base = await new Promise((resolve, reject) => {
    let buffered = '';
    server.stdout.on('data', (data) => {
      log.write(data);
      buffered += data;
      const match = buffered.match(/HTTP server listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`code-server exited (${code}); see ${tmp}/code-server.log`)));
    setTimeout(() => reject(new Error('code-server did not start in 60 s')), 60_000);
  });
  const authority = new URL(base).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, env: { ...process.env, ...isolated },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = util.format(...args);
    if (/open-vsx\.org|vsda|ENOTFOUND/.test(text) && !process.env.CODE_TEST_VERBOSE) return; // offline gallery noise
    if (type === 'error' || type === 'warn') process.stderr.write(text + '\n');
    else process.stdout.write(text + '\n');
  });
  let exitWith;
  const done = new Promise((resolve) => { exitWith = resolve; });
  await page.exposeFunction('codeAutomationExit', (code) => exitWith(code));
  const payload = [...developmentPaths.map((d) => ['extensionDevelopmentPath', remote(d)]), ['extensionTestsPath', remote(testsPath)]];
  const target = positional[0] ? path.resolve(positional[0]) : undefined;
  const where = !target ? 'ew=true' : target.endsWith('.code-workspace') ? `workspace=${encodeURIComponent(target)}` : `folder=${encodeURIComponent(target)}`;
  await page.goto(`${base}?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([done, new Promise((resolve) => setTimeout(() => {
    console.error(`code-test-host: timed out after ${TIMEOUT} ms`);
    resolve(124);
  }, TIMEOUT))]);
  await cleanup();
  if (!process.env.CODE_TEST_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`code-test-host: logs kept in ${tmp}`);
  process.exit(code);
})().catch(async (error) => {
  console.error('code-test-host:', error);
  await cleanup();
  process.exit(2);
});
