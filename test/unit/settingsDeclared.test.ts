// Every setting the code reads is declared in package.json (else VS Code silently returns the code's fallback and
// the Settings UI never shows it), listed in the README's settings table, and falls back to its declared default.
// Checked by running the real Config against a recording stand-in for the `vscode` module: the keys are the ones
// Config actually reads, not what a pattern finds in its source. (The real VS Code reads the same declarations in
// the integration suite, where every contributed setting resolves to its default.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
type Declared = { default?: unknown; minimum?: number; maximum?: number; enum?: string[]; enumDescriptions?: string[]; scope?: string };
const declared: Record<string, Declared> = Object.assign({}, ...pkg.contributes.configuration.map((g: { properties: object }) => g.properties));

interface Read { id: string; fallback: unknown }
const reads: Read[] = [];
let values: Record<string, unknown> = {};

/** Just what config.ts touches: getConfiguration().get, the change event, EventEmitter. */
const vscodeStandIn = {
  workspace: {
    getConfiguration: (section: string) => ({
      get: (key: string, fallback: unknown) => {
        const id = `${section}.${key}`;
        reads.push({ id, fallback });
        return id in values ? values[id] : fallback;
      },
    }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  EventEmitter: class {
    event = () => ({ dispose() {} });
    fire() {}
    dispose() {}
  },
};

type ConfigModule = typeof import('../../src/vscode/config');
function loadConfig(): ConfigModule {
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscodeStandIn : load.call(this, request, ...rest);
  };
  try {
    return require('../../src/vscode/config') as ConfigModule;
  } finally {
    moduleWithLoad._load = load;
  }
}
const { Config } = loadConfig();

function settingsWith(overrides: Record<string, unknown>) {
  values = overrides;
  reads.length = 0;
  const config = new Config();
  try {
    return config.settings;
  } finally {
    config.dispose();
    values = {};
  }
}

test('every setting Config reads is declared in package.json, has a README row, and falls back to its declared default', () => {
  settingsWith({});
  const ids = [...new Set(reads.map((r) => r.id))];
  assert.ok(ids.length >= 20, `Config read ${ids.length} settings`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const { id, fallback } of reads) {
    assert.ok(declared[id], `${id} is declared in contributes.configuration`);
    assert.ok(readme.includes(`| \`${id}\` |`), `${id} has a row in the README settings table`);
    assert.deepEqual(fallback, declared[id].default, `${id}: the code's fallback is the declared default`);
  }
});

test('values outside the declared ranges and choices are brought back inside them', () => {
  const clamped = settingsWith({
    'offlineDictation.memory.sampleIntervalSeconds': 1000,
    'offlineDictation.capture.maxBufferedSeconds': 0,
    'offlineDictation.capture.mode': 'tape',
    'offlineDictation.files.workers': 64,
  });
  const range = (id: string) => [declared[id].minimum, declared[id].maximum];
  assert.equal(clamped.memorySampleIntervalSeconds, range('offlineDictation.memory.sampleIntervalSeconds')[1]);
  assert.equal(clamped.maxBufferedSeconds, range('offlineDictation.capture.maxBufferedSeconds')[0]);
  assert.ok(declared['offlineDictation.capture.mode'].enum?.includes(clamped.captureMode), clamped.captureMode);
  assert.equal(clamped.captureMode, declared['offlineDictation.capture.mode'].default);
  assert.equal(clamped.fileWorkers, range('offlineDictation.files.workers')[1]);
  // And a value inside the range is kept as it is.
  assert.equal(settingsWith({ 'offlineDictation.memory.sampleIntervalSeconds': 7 }).memorySampleIntervalSeconds, 7);
});

test('executables, model paths and server URLs are machine-scoped and restricted in untrusted workspaces', () => {
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  for (const id of Object.keys(declared).filter((key) => /(\.path|modelPath|Url|url)$/.test(key))) {
    assert.ok(['machine', 'machine-overridable', 'application'].includes(declared[id].scope ?? ''), `${id} is machine-scoped (scope: ${declared[id].scope})`);
    assert.ok(restricted.includes(id), `${id} is restricted in untrusted workspaces`);
  }
});
