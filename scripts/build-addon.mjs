#!/usr/bin/env node
// Builds smart-whisper's native addon (whisper.cpp) in the variants the extension ships for this platform:
//   native/<platform>-<arch>/baseline/smart-whisper.node   runs on every CPU of the architecture
//   native/<platform>-<arch>/avx2/smart-whisper.node       x86-64 with AVX2/FMA/F16C: 5–9× faster
// The extension picks one at run time (src/node/whisper/addonVariant.ts). Builds happen in a temporary copy of
// node_modules/smart-whisper, with COMPUTE_BACKEND=cpu (no accidental OpenBLAS link), offline (node-gyp finds
// Node's headers through npm_config_nodedir), with NDEBUG (as whisper.cpp's own builds: no debug asserts in the hot
// loops) and with the patch below. A stamp per variant skips builds that are already up to date.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const source = join(root, 'node_modules/smart-whisper');
const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
const target = `${process.platform}-${process.arch}`;
const x86 = process.arch === 'x64' || process.arch === 'ia32';
const variants = [{ name: 'baseline', flags: '' }, ...(x86 ? [{ name: 'avx2', flags: '-mavx -mavx2 -mfma -mf16c' }] : [])];

function findNodeGyp() {
  const candidates = [
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

function nodeHeadersDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  for (const dir of ['/usr', join(dirname(process.execPath), '..')]) if (existsSync(join(dir, 'include/node/node_api.h'))) return dir;
  return undefined;
}

/**
 * One addition to smart-whisper's binding: a `max_windows` transcription parameter. whisper.cpp decodes a 30-s window,
 * then seeks to the last timestamp it decoded and encodes a whole new window for whatever is left, often only a few
 * seconds: a 30-s file chunk costs two encoder passes. With `max_windows: 1` it stops after the first window (through
 * whisper.cpp's own encoder_begin_callback) and the long-file transcriber starts the next chunk where decoding
 * stopped, as whisper.cpp's CLI does within one file. An addon without the patch ignores the parameter.
 */
const PATCH_VERSION = 1;
function patchBinding(dir) {
  const file = join(dir, 'src/binding/transcribe.cc');
  let text = readFileSync(file, 'utf8');
  const edits = [
    ['struct smart_whisper_transcribe_params {\n    const char* format;\n', 'struct smart_whisper_transcribe_params {\n    const char* format;\n    int max_windows;\n'],
    ['    struct smart_whisper_transcribe_params params;\n', '    struct smart_whisper_transcribe_params params;\n    params.max_windows = o.Has("max_windows") && o.Get("max_windows").IsNumber() ? o.Get("max_windows").As<Napi::Number>().Int32Value() : 0;\n'],
    ['        int err = whisper_full_with_state(', `        windows_left = smart_params.max_windows;
        if (windows_left > 0) {
            params.encoder_begin_callback = [](struct whisper_context*, struct whisper_state*, void* user_data) {
                int& left = *(int*)user_data;
                return left-- > 0;
            };
            params.encoder_begin_callback_user_data = (void*)&windows_left;
        }

        int err = whisper_full_with_state(`],
    ['    whisper_state*                         state;\n', '    whisper_state*                         state;\n    int                                    windows_left = 0;\n'],
  ];
  for (const [anchor, replacement] of edits) {
    if (text.split(anchor).length !== 2) throw new Error(`build-addon: smart-whisper ${version}'s transcribe.cc changed; the max_windows patch no longer applies (anchor: ${anchor.trim().slice(0, 60)})`);
    text = text.replace(anchor, replacement);
  }
  writeFileSync(file, text);
}

const nodeGyp = findNodeGyp();
const nodedir = nodeHeadersDir();
for (const variant of variants) {
  const outDir = join(root, 'native', target, variant.name);
  const stampFile = join(outDir, 'build-stamp.json');
  const stamp = JSON.stringify({ smartWhisper: version, flags: variant.flags, patch: PATCH_VERSION, node: process.versions.modules });
  if (existsSync(join(outDir, 'smart-whisper.node')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    console.log(`build-addon: ${target}/${variant.name} is up to date`);
    continue;
  }
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), `smart-whisper-${variant.name}-`));
  try {
    cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${source}/build`) });
    patchBinding(work);
    const env = {
      ...process.env,
      COMPUTE_BACKEND: 'cpu',
      CFLAGS: `${variant.flags} -DNDEBUG`,
      CXXFLAGS: `${variant.flags} -DNDEBUG`,
      JOBS: String(Math.max(1, (await import('node:os')).availableParallelism())),
      ...(nodedir ? { npm_config_nodedir: nodedir } : {}),
    };
    const args = [nodeGyp, 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    execFileSync(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'inherit'] });
    mkdirSync(outDir, { recursive: true });
    cpSync(join(work, 'build/Release/smart-whisper.node'), join(outDir, 'smart-whisper.node'));
    writeFileSync(stampFile, stamp);
    console.log(`build-addon: built ${target}/${variant.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
