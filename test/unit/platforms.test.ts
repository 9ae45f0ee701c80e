// The decisions that differ per OS and CPU, each checked for every platform the extension ships to (linux-x64,
// linux-arm64, darwin-x64, darwin-arm64, win32-x64), and the paths a person may have (spaces, non-ASCII letters)
// carried through real spawns on this machine: the recorder, the capture file and the Whisper model.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Recorder, RecorderError, recorderArgs, resolveRecorder, autoRecorderPrograms, RecorderCommand } from '../../src/node/audio/recorder';
import { addonSearchPaths, addonTarget, findAddonBuilds, MissingAddonError, addonCandidates, variantOrder } from '../../src/node/whisper/addonVariant';
import { classifyWorkerExit, describeWorkerExit, STATUS_ILLEGAL_INSTRUCTION } from '../../src/node/whisper/workerExit';
import { WhisperClient } from '../../src/node/whisper/client';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import { DictationSession } from '../../src/node/dictation/dictationSession';
import { createDictationPipeline } from '../../src/node/dictation/pipeline';
import { parseWavHeader } from '../../src/core/audio/wav';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { wordErrorRate } from '../../src/core/text/wer';

const root = resolve(__dirname, '../..');
// In the repository (test/fixtures/speech), so these run on every release runner too.
const jfkWav = join(root, 'test/fixtures/speech/jfk.wav');
const jfkText = readFileSync(join(root, 'test/fixtures/speech/jfk.txt'), 'utf8');

/** A recorder stand-in: streams FAKE_MIC_FILE (raw 16 kHz s16le) at real-time pace, then silence, until SIGTERM. */
const FAKE_RECORDER = `
const fs = require('fs');
const data = fs.readFileSync(process.env.FAKE_MIC_FILE);
const lead = Buffer.alloc(Number(process.env.FAKE_MIC_LEAD_MS || 0) * 32);
const all = Buffer.concat([lead, data]);
const chunk = 1600; let at = 0;
const timer = setInterval(() => { process.stdout.write(at < all.length ? all.subarray(at, at + chunk) : Buffer.alloc(chunk)); at += chunk; }, 50);
process.on('SIGTERM', () => { clearInterval(timer); process.stdout.end(() => process.exit(0)); });
`;
const scratch = mkdtempSync(join(tmpdir(), 'platforms-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const OUTPUT = ['--no-show-progress', '--rate', '16000', '--channels', '1', '--encoding', 'signed-integer', '--bits', '16', '--type', 'raw', '-'];

describe('recorder command lines per OS (SoX 14.4: sox(1), soxformat(7))', () => {
  it('Linux: sox --default-device, the device in AUDIODEV of the driver AUDIODRIVER; arecord -D', () => {
    assert.deepEqual(recorderArgs('sox', undefined, 'linux'), { args: ['--buffer', '1024', '--default-device', ...OUTPUT], env: {} });
    assert.deepEqual(recorderArgs('sox', 'alsa_input.usb-Mic', 'linux').env, { AUDIODRIVER: 'alsa', AUDIODEV: 'alsa_input.usb-Mic' });
    assert.deepEqual(recorderArgs('arecord', 'plughw:1,0', 'linux').args.slice(0, 2), ['-D', 'plughw:1,0']);
    assert.deepEqual(autoRecorderPrograms('linux'), ['sox', 'rec', 'arecord']);
  });

  it('macOS: sox names the CoreAudio driver, "default" or the device as one argument; rec takes AUDIODEV of the driver AUDIODRIVER', () => {
    assert.deepEqual(recorderArgs('sox', undefined, 'darwin'), { args: ['-t', 'coreaudio', 'default', ...OUTPUT], env: {} });
    assert.deepEqual(recorderArgs('sox', 'MacBook Pro-Mikrofon', 'darwin'), { args: ['-t', 'coreaudio', 'MacBook Pro-Mikrofon', ...OUTPUT], env: {} });
    assert.deepEqual(recorderArgs('rec', 'MacBook Pro-Mikrofon', 'darwin'), { args: ['-q', ...OUTPUT.slice(1)], env: { AUDIODRIVER: 'coreaudio', AUDIODEV: 'MacBook Pro-Mikrofon' } });
    assert.deepEqual(recorderArgs('rec', undefined, 'darwin').env, {});
    assert.deepEqual(autoRecorderPrograms('darwin'), ['sox', 'rec']);
  });

  it('Windows: sox -t waveaudio with "default" (the Wave Mapper) or the device name; never --default-device', () => {
    // SoX 14.4.2's --default-device does not consider waveaudio: "Sorry, there is no default audio device configured".
    assert.deepEqual(recorderArgs('sox', undefined, 'win32'), { args: ['-t', 'waveaudio', 'default', ...OUTPUT], env: {} });
    const device = 'Mikrofon (Realtek(R) Audio)';
    assert.deepEqual(recorderArgs('sox', device, 'win32'), { args: ['-t', 'waveaudio', device, ...OUTPUT], env: {} });
    assert.deepEqual(autoRecorderPrograms('win32'), ['sox']);
  });

  it('refuses, with advice, the programs that cannot record on an OS (rec on Windows, arecord off Linux)', () => {
    const exe = process.execPath; // any executable file: the program is named by the choice
    assert.throws(() => resolveRecorder('rec', exe, undefined, {}, 'win32'), (e: RecorderError) => e.code === 'RECORDER_FAILED' && /"sox"/.test(e.message));
    assert.throws(() => resolveRecorder('rec', undefined, undefined, { PATH: '' }, 'win32'), /rec cannot record on Windows/);
    assert.throws(() => resolveRecorder('arecord', exe, undefined, {}, 'darwin'), /only Linux/);
    assert.equal(resolveRecorder('sox', exe, 'Mic', {}, 'win32').args[1], 'waveaudio');
  });

  it('the real SoX of this machine accepts each OS\'s command line up to the driver it lacks', { skip: !hasSox() }, () => {
    // Parsing is the same on every OS: an unknown option or a misplaced one fails here as it would there. Where the
    // driver exists (CoreAudio, waveaudio) it then opens the device; here it reports that it has no such driver.
    for (const [platform, driver] of [['darwin', 'coreaudio'], ['win32', 'waveaudio']] as const) {
      const { args } = recorderArgs('sox', 'Mic – Müller (USB)', platform);
      const run = spawnSync('sox', args, { encoding: 'utf8', timeout: 10_000 });
      assert.match(run.stderr, new RegExp(`no handler for given file type .${driver}'`), `${platform}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /invalid option|not recognized|usage/i, platform);
    }
  });
});

function hasSox(): boolean {
  return spawnSync('sox', ['--version']).status === 0;
}

describe('addon build per platform and CPU', () => {
  const paths = (platform: NodeJS.Platform, arch: string, avx2: boolean, override?: string) =>
    addonSearchPaths('/ext', { platform, arch, avx2, override }).map((p) => p.replace(/\\/g, '/'));

  it('x64 (Windows, macOS, Linux): the AVX2 build first where the CPU has AVX2, then the baseline', () => {
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      assert.deepEqual(paths(platform, 'x64', true).slice(0, 2), [`/ext/native/${platform}-x64/avx2/smart-whisper.node`, `/ext/native/${platform}-x64/baseline/smart-whisper.node`]);
      assert.deepEqual(paths(platform, 'x64', false).slice(0, 1), [`/ext/native/${platform}-x64/baseline/smart-whisper.node`]);
      assert.ok(!paths(platform, 'x64', false).some((p) => p.includes('/avx2/')), `${platform}: no AVX2 build without AVX2`);
      assert.ok(!paths(platform, 'x64', true, 'baseline').some((p) => p.includes('/avx2/')), 'the baseline override');
    }
  });

  it('arm64 (macOS, Linux, Windows): the NEON baseline only, whatever the x86 flags or the override say', () => {
    for (const platform of ['darwin', 'linux', 'win32'] as const) {
      assert.deepEqual(variantOrder('arm64', true, 'avx2'), ['baseline']);
      assert.deepEqual(paths(platform, 'arm64', true, 'avx2').slice(0, -1), [`/ext/native/${platform}-arm64/baseline/smart-whisper.node`]);
    }
  });

  it('the builds scripts/build-addon.mjs makes are the ones looked for, per architecture', async () => {
    const { addonBuildVariants } = (await import(pathToFileURL(join(root, 'scripts/addon-variants.mjs')).href)) as { addonBuildVariants(arch: string): { name: string; flags: string }[] };
    for (const arch of ['x64', 'arm64']) {
      assert.deepEqual(addonBuildVariants(arch).map((v) => v.name).sort(), [...variantOrder(arch, true)].sort(), arch);
    }
    assert.ok(!addonBuildVariants('arm64').some((v) => /-m(avx|fma|f16c)/.test(v.flags)), 'no x86 flags on arm64');
  });

  it('no build for this platform: nothing found, and the error says which platform and where to get it', () => {
    const empty = mkdtempSync(join(scratch, 'no-addon-'));
    assert.deepEqual(findAddonBuilds(empty, { platform: 'win32', arch: 'arm64' }), []);
    assert.equal(addonTarget({ platform: 'win32', arch: 'arm64' }), 'win32-arm64');
    assert.throws(() => addonCandidates(empty, { platform: 'win32', arch: 'arm64' }), (e: MissingAddonError) => {
      assert.equal(e.code, 'ADDON_MISSING');
      assert.match(e.message, /win32-arm64/);
      assert.match(e.message, /Marketplace/);
      assert.match(e.message, /npm run build:addon/);
      return true;
    });
  });
});

describe('a client without an addon build', () => {
  it('fails every request with ADDON_MISSING and the message it was given, without starting a worker', async () => {
    const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: [], addonMissingMessage: 'no build for plan9-mips', idleUnloadMs: 0 });
    try {
      await assert.rejects(client.ensureModel(fixtureModelPath()), (e: Error & { code?: string }) => e.code === 'ADDON_MISSING' && e.message === 'no build for plan9-mips');
      assert.equal(client.running, false);
    } finally {
      client.dispose();
    }
  });
});

describe('worker death by an illegal instruction, per OS', () => {
  it('Linux and macOS: SIGILL', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      assert.equal(classifyWorkerExit({ code: null, signal: 'SIGILL' }, platform), 'illegal-instruction');
      assert.equal(classifyWorkerExit({ code: null, signal: 'SIGSEGV' }, platform), 'crashed');
      assert.equal(classifyWorkerExit({ code: null, signal: 'SIGKILL' }, platform), 'crashed');
      // An exit code that happens to equal Windows' status is not one on these systems (exit codes are 8-bit there).
      assert.equal(classifyWorkerExit({ code: 29, signal: null }, platform), 'crashed');
    }
  });

  it('Windows: no signal, exit code 0xC000001D, unsigned (3221225501) or signed (-1073741795)', () => {
    assert.equal(STATUS_ILLEGAL_INSTRUCTION, 3221225501);
    assert.equal(classifyWorkerExit({ code: 3221225501, signal: null }, 'win32'), 'illegal-instruction');
    assert.equal(classifyWorkerExit({ code: -1073741795, signal: null }, 'win32'), 'illegal-instruction');
    assert.equal(classifyWorkerExit({ code: 0xc0000005, signal: null }, 'win32'), 'crashed', 'an access violation is not a missing instruction');
    assert.equal(classifyWorkerExit({ code: 1, signal: null }, 'win32'), 'crashed');
    assert.match(describeWorkerExit({ code: -1073741795, signal: null }, 'win32'), /illegal instruction \(0xC000001D\)/);
    assert.match(describeWorkerExit({ code: 3221225477, signal: null }, 'win32'), /exception \(0xC0000005\)/);
  });

  it('every OS: a clean exit is a stop, no code and no signal is a failed start', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      assert.equal(classifyWorkerExit({ code: 0, signal: null }, platform), 'stopped');
      assert.equal(classifyWorkerExit({ code: null, signal: null }, platform), 'not-started');
    }
  });
});

describe('paths with spaces and non-ASCII letters, through real spawns (no shell)', { timeout: 120_000 }, () => {
  // A person's folders: "Programme (x86)", "Modèles", "Müller", a dash that is not ASCII.
  const base = join(scratch, 'Mein Ordner – Müller', 'Modèles & Aufnahmen');
  mkdirSync(base, { recursive: true });

  function rawSpeech(into: string): string {
    const bytes = new Uint8Array(readFileSync(jfkWav));
    const h = parseWavHeader(bytes);
    const path = join(into, 'Sprache (roh).raw');
    writeFileSync(path, bytes.subarray(h.dataOffset, h.dataOffset + h.dataLength));
    return path;
  }

  it('a recorder installed under such a path runs and its audio arrives byte for byte', async () => {
    const toolDir = join(base, 'Program Files (x86)', 'SoX – Ünïcode');
    mkdirSync(toolDir, { recursive: true });
    const script = join(toolDir, 'fake recorder.js');
    writeFileSync(script, FAKE_RECORDER);
    const raw = rawSpeech(toolDir);
    const { args } = recorderArgs('sox', undefined, 'linux');
    const command: RecorderCommand = { program: 'sox', executable: process.execPath, args: [script, ...args], env: { FAKE_MIC_FILE: raw, FAKE_MIC_LEAD_MS: '0' } };
    const chunks: Buffer[] = [];
    const errors: Error[] = [];
    const recorder = Recorder.start(command, { onData: (c) => chunks.push(c), onError: (e) => errors.push(e) });
    const want = readFileSync(raw);
    const started = Date.now();
    while (Buffer.concat(chunks).length < want.length && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100));
    await recorder.stop(0);
    assert.deepEqual(errors, []);
    assert.ok(Buffer.concat(chunks).subarray(0, want.length).equals(want), 'the speech arrived unchanged');
  });

  it('the real sox, started from such a path, is found and runs (its own error is about the device, not the path)', { skip: !hasSox() }, async () => {
    const toolDir = join(base, 'Werkzeuge für Töne');
    mkdirSync(toolDir, { recursive: true });
    const link = join(toolDir, 'sox');
    if (!existsSync(link)) symlinkSync(spawnSync('sh', ['-c', 'command -v sox'], { encoding: 'utf8' }).stdout.trim(), link);
    const command = resolveRecorder('auto', link, 'no-such-device', process.env, 'linux');
    // The path is one argv entry: the program itself, or what stdbuf runs (recorder.ts, withUnbufferedOutput).
    assert.ok(command.executable === link || (/stdbuf$/.test(command.executable) && command.args[1] === link), `${command.executable} ${command.args.join(' ')}`);
    const error = await new Promise<RecorderError>((resolvePromise) => {
      const recorder = Recorder.start({ ...command, env: { ...command.env, PULSE_SERVER: 'unix:/nonexistent' } }, { onData: () => undefined, onError: resolvePromise });
      setTimeout(() => recorder.kill(), 10_000).unref();
    });
    assert.notEqual(error.code, 'RECORDER_NOT_FOUND', error.message);
    // SoX names itself by its argv[0]: the whole path, spaces and umlauts included, arrived as one argument.
    assert.ok(error.detail.includes(`${link} FAIL`), `sox itself ran and reported: ${error.detail}`);
  });

  it('dictation with the model, the capture file and the recorder all under such paths: the words come out', { skip: !existsSync(fixtureModelPath()) }, async () => {
    const modelDir = join(base, 'Whisper-Modelle für Diktat');
    mkdirSync(modelDir, { recursive: true });
    const model = join(modelDir, 'ggml tiny.en (Kopie).bin');
    // A link where the OS allows one (Windows needs a privilege for it), else a copy.
    if (!existsSync(model)) {
      try {
        symlinkSync(fixtureModelPath(), model);
      } catch {
        copyFileSync(fixtureModelPath(), model);
      }
    }
    const captureDir = join(base, 'Temporäre Aufnahmen');
    mkdirSync(captureDir, { recursive: true });
    const script = join(base, 'fake recorder.js');
    writeFileSync(script, FAKE_RECORDER);
    const raw = rawSpeech(base);
    const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    const pipeline = createDictationPipeline();
    const texts: string[] = [];
    const errors: Error[] = [];
    let captured: string | undefined;
    const session = new DictationSession({
      recorder: { program: 'sox', executable: process.execPath, args: [script, ...recorderArgs('sox', undefined, 'linux').args], env: { FAKE_MIC_FILE: raw, FAKE_MIC_LEAD_MS: '300' } },
      transcriber: new LocalTranscriber(client, model),
      transcribeOptions: () => ({ language: 'en', threads: 2, beamSize: 1, audioContext: 0 }),
      createPhraseSource: (emit) => pipeline.createPhraseSource(700, emit),
      acceptText: (text) => text,
      preview: 'off',
      captureMode: 'file',
      spillDirectory: () => captureDir,
      listener: { onPhraseText: (r) => void texts.push(r.text), onError: (e) => void errors.push(e), onCaptureFile: (path) => (captured = path) },
    });
    try {
      await session.start();
      assert.ok(captured?.startsWith(captureDir), `recording into ${captured}`);
      assert.ok(existsSync(captured!), 'the capture file exists under the non-ASCII folder');
      await new Promise((r) => setTimeout(r, 12_500)); // the 11-s clip, in real time
      await session.stop();
    } finally {
      session.cancel();
      client.dispose();
    }
    assert.deepEqual(errors, []);
    const text = texts.join(' ');
    assert.ok(wordErrorRate(jfkText, text).wer < 0.15, `the words: ${text}`);
    assert.deepEqual(readdirSync(captureDir), [], 'the capture file is deleted at stop');
  });
});
