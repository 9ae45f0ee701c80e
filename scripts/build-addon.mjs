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
import { addonBuildVariants } from './addon-variants.mjs';

const root = join(fileURLToPath(import.meta.url), '../..');
const source = join(root, 'node_modules/smart-whisper');
const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
const target = `${process.platform}-${process.arch}`;
const variants = addonBuildVariants(process.arch);

function findNodeGyp() {
  const candidates = [
    // Set by npm for the scripts it runs (`npm run build:addon`): its own node-gyp, on every OS.
    ...(process.env.npm_config_node_gyp ? [process.env.npm_config_node_gyp] : []),
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    // Windows installs npm next to node.exe.
    join(dirname(process.execPath), 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
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
 * Additions to smart-whisper's binding, each applied at an anchor that must appear exactly once (the build fails
 * loudly if smart-whisper changes):
 * - `max_windows` (transcription parameter): whisper.cpp decodes a 30-s window, then seeks to the last timestamp it
 *   decoded and encodes a whole new window for whatever is left, often only a few seconds: a 30-s file chunk costs
 *   two encoder passes. With `max_windows: 1` it stops after the first window (through whisper.cpp's own
 *   encoder_begin_callback) and the long-file transcriber starts the next chunk where decoding stopped.
 * - `abort_id` (transcription parameter) and `abortTranscription(id)`: whisper.cpp's abort_callback returns true once
 *   the job's id has been named. Dictation aborts a live preview when a final phrase needs the worker. Ids are unique
 *   per process, so a late abort never hits the next job.
 * - The encoder polls that abort_callback between its graph nodes too (whisper.cpp, src/whisper.cpp): whisper.cpp
 *   passes it to the decoder's steps and checks it only after the whole encoder, whose CPU graph ran to the end
 *   without it (the scheduler path of ggml_graph_compute_helper never gave ggml's CPU backend the callback). So a
 *   final phrase waited up to a whole encoder pass of the preview it aborted; now it waits for one graph node.
 * - ggml's graph threads stop at the same node when a graph is aborted (ggml/src/ggml.c, ggml_graph_compute_thread;
 *   the fix upstream ggml made later). Thread 0 polls the abort callback after each node and raised a flag that the
 *   other threads read at the top of their next node: a thread that was descheduled after the last barrier read the
 *   flag only after thread 0 had already started the next node and raised it there, so it skipped that node and its
 *   barrier, and thread 0 waited in that barrier forever. Seen with the encoder abort above on 2 busy cores: in
 *   bench:dictation a phrase came 20 s late (the hung worker was killed and the phrase retried), and a stress loop of
 *   aborted previews hung within 10-100 aborts. Now the flag names the node before which all threads stop, and all
 *   threads meet at a last barrier before leaving the graph.
 * - Model load starts from whisper_context_default_params() (smart-whisper leaves the struct uninitialised, so
 *   flash_attn, dtw and gpu_device were whatever the stack held) and takes `flash_attn` as a third argument.
 * An addon without the patch ignores the parameters.
 */
const PATCH_VERSION = 4;
function patchFile(dir, relative, edits) {
  const file = join(dir, relative);
  let text = readFileSync(file, 'utf8');
  for (const [anchor, replacement] of edits) {
    if (text.split(anchor).length !== 2) throw new Error(`build-addon: smart-whisper ${version}'s ${relative} changed; the patch no longer applies (anchor: ${anchor.trim().slice(0, 60)})`);
    text = text.replace(anchor, replacement);
  }
  writeFileSync(file, text);
}

function patchBinding(dir) {
  patchFile(dir, 'whisper.cpp/src/whisper.cpp', [
    [`static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
        struct ggml_cgraph * graph,
                       int   n_threads) {
`, `static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
        struct ggml_cgraph * graph,
                       int   n_threads,
         ggml_abort_callback abort_callback = nullptr,
                      void * abort_callback_data = nullptr) {
`],
    [`        if (ggml_backend_is_cpu(backend)) {
            ggml_backend_cpu_set_n_threads(backend, n_threads);
        }
`, `        if (ggml_backend_is_cpu(backend)) {
            ggml_backend_cpu_set_n_threads(backend, n_threads);
            // Set on every call: the graphs that pass none clear the previous graph's callback.
            ggml_backend_cpu_set_abort_callback(backend, abort_callback, abort_callback_data);
        }
`],
    [`        ggml_cgraph * gf = whisper_build_graph_encoder(wctx, wstate);

        if (!ggml_backend_sched_alloc_graph(sched, gf)) {
            // should never happen as we pre-allocate the memory
            return false;
        }

        if (!ggml_graph_compute_helper(sched, gf, n_threads)) {`, `        ggml_cgraph * gf = whisper_build_graph_encoder(wctx, wstate);

        if (!ggml_backend_sched_alloc_graph(sched, gf)) {
            // should never happen as we pre-allocate the memory
            return false;
        }

        if (!ggml_graph_compute_helper(sched, gf, n_threads, abort_callback, abort_callback_data)) {`],
  ]);
  patchFile(dir, 'whisper.cpp/ggml/src/ggml.c', [
    ['    atomic_bool abort;        // Used for aborting processing of a graph\n',
      '    atomic_int abort;         // The node before which every thread stops an aborted graph (-1: none)\n'],
    ['        threadpool->pause            = tpp->paused;\n        threadpool->abort            = false;\n',
      '        threadpool->pause            = tpp->paused;\n        threadpool->abort            = -1;\n'],
    ['        threadpool->current_chunk    = 0;\n        threadpool->abort            = false;\n',
      '        threadpool->current_chunk    = 0;\n        threadpool->abort            = -1;\n'],
    [`    for (int node_n = 0; node_n < cgraph->n_nodes && !tp->abort; node_n++) {
        struct ggml_tensor * node = cgraph->nodes[node_n];

        ggml_compute_forward(&params, node);

        if (state->ith == 0 && cplan->abort_callback &&
                cplan->abort_callback(cplan->abort_callback_data)) {
            tp->abort = true;
            tp->ec    = GGML_STATUS_ABORTED;
        }

        ggml_barrier(state->threadpool);
    }

    return 0;
}
`, `    for (int node_n = 0; node_n < cgraph->n_nodes && atomic_load_explicit(&tp->abort, memory_order_relaxed) != node_n; node_n++) {
        struct ggml_tensor * node = cgraph->nodes[node_n];

        ggml_compute_forward(&params, node);

        if (state->ith == 0 && cplan->abort_callback &&
                cplan->abort_callback(cplan->abort_callback_data)) {
            // Stop before the next node: a thread that reads this late, at the top of this node, still computes it.
            atomic_store_explicit(&tp->abort, node_n + 1, memory_order_relaxed);
            tp->ec    = GGML_STATUS_ABORTED;
        }

        if (node_n + 1 < cgraph->n_nodes) {
            ggml_barrier(state->threadpool);
        }
    }

    // Every thread has left the nodes before thread 0 returns (and resets the flag for the next graph).
    ggml_barrier(state->threadpool);

    return 0;
}
`],
  ]);
  patchFile(dir, 'src/binding/transcribe.cc', [
    ['#include "transcribe.h"\n', `#include "transcribe.h"

#include <atomic>

// The id of the job to abort (0: none). Written from the JS thread, read by whisper.cpp's abort_callback.
static std::atomic<int> g_abort_job{0};

Napi::Value AbortTranscription(const Napi::CallbackInfo& info) {
    if (info.Length() == 1 && info[0].IsNumber()) g_abort_job.store(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
}
`],
    ['struct smart_whisper_transcribe_params {\n    const char* format;\n', 'struct smart_whisper_transcribe_params {\n    const char* format;\n    int max_windows;\n    int abort_id;\n'],
    ['    struct smart_whisper_transcribe_params params;\n', `    struct smart_whisper_transcribe_params params;
    params.max_windows = o.Has("max_windows") && o.Get("max_windows").IsNumber() ? o.Get("max_windows").As<Napi::Number>().Int32Value() : 0;
    params.abort_id = o.Has("abort_id") && o.Get("abort_id").IsNumber() ? o.Get("abort_id").As<Napi::Number>().Int32Value() : 0;
`],
    ['        int err = whisper_full_with_state(', `        windows_left = smart_params.max_windows;
        if (windows_left > 0) {
            params.encoder_begin_callback = [](struct whisper_context*, struct whisper_state*, void* user_data) {
                int& left = *(int*)user_data;
                return left-- > 0;
            };
            params.encoder_begin_callback_user_data = (void*)&windows_left;
        }
        if (smart_params.abort_id > 0) {
            params.abort_callback = [](void* user_data) { return g_abort_job.load() == *(int*)user_data; };
            params.abort_callback_user_data = (void*)&smart_params.abort_id;
        }

        int err = whisper_full_with_state(`],
    ['    whisper_state*                         state;\n', '    whisper_state*                         state;\n    int                                    windows_left = 0;\n'],
  ]);
  patchFile(dir, 'src/binding/transcribe.h', [['Napi::Value Transcribe(const Napi::CallbackInfo& info);\n', 'Napi::Value Transcribe(const Napi::CallbackInfo& info);\nNapi::Value AbortTranscription(const Napi::CallbackInfo& info);\n']]);
  patchFile(dir, 'src/binding/binding.cc', [['    exports.Set("transcribe", Napi::Function::New(env, Transcribe));\n', '    exports.Set("transcribe", Napi::Function::New(env, Transcribe));\n    exports.Set("abortTranscription", Napi::Function::New(env, AbortTranscription));\n']]);
  patchFile(dir, 'src/binding/model.cc', [
    ['    if (info.Length() < 1 || info.Length() > 2) {\n        Napi::TypeError::New(env, "Wrong number of arguments").ThrowAsJavaScriptException();\n        return env.Null();\n    }\n\n    std::string model_path', '    if (info.Length() < 1 || info.Length() > 3) {\n        Napi::TypeError::New(env, "Wrong number of arguments").ThrowAsJavaScriptException();\n        return env.Null();\n    }\n\n    std::string model_path'],
    ['    whisper_context_params params;\n    params.use_gpu = info.Length() == 2 ? info[1].As<Napi::Boolean>() : true;\n', '    whisper_context_params params = whisper_context_default_params();\n    params.use_gpu = info.Length() >= 2 ? info[1].As<Napi::Boolean>() : true;\n    params.flash_attn = info.Length() == 3 && info[2].ToBoolean();\n'],
  ]);
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
    cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });
    patchBinding(work);
    const env = {
      ...process.env,
      COMPUTE_BACKEND: 'cpu',
      CFLAGS: `${variant.flags} -DNDEBUG`,
      CXXFLAGS: `${variant.flags} -DNDEBUG`,
      ...(process.platform === 'win32' ? { CL: `${variant.msvc} /DNDEBUG` } : {}),
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
