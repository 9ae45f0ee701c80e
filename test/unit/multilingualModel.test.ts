// Languages and translation with the real multilingual base model and real speech: professional voices reading
// Asterisk's prompts in Spanish, French, Italian and Russian (scripts/eval/multilingualSet.ts), through the
// extension's worker with dictation's options. Each clip is a fresh dictation: with the language 'auto' its first
// phrase decides the language (LanguageKeeper), and that language is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliIo } from '../../src/cli';
import { encodePcm16Wav } from '../../src/core/audio/wav';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { aggregateWer, wordErrorRate, type WerScore } from '../../src/core/text/wer';
import { baseFixtureModelPath } from '../../src/node/model/baseFixture';
import { LanguageKeeper } from '../../src/node/transcription/languageKeeper';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';
import { LocalTranscriber } from '../../src/node/whisper/localTranscriber';
import type { TranscribeOptions } from '../../src/node/whisper/protocol';
import { EVAL_LANGUAGES, clipByName, multilingualSet, multilingualSetMissing, readClip, type MultilingualClip } from '../../scripts/eval/multilingualSet';

const root = resolve(__dirname, '../..');
const workerScript = join(root, 'dist/whisperWorker.js');
const modelPath = baseFixtureModelPath();
const missing = !existsSync(modelPath) ? `the base model is missing at ${modelPath} (npm run model:fixture -- base)` : !existsSync(workerScript) ? 'dist/ is missing (node esbuild.mjs)' : multilingualSetMissing() ?? false;
/** Dictation's options (src/vscode/dictationController.ts); the language comes from the keeper. */
const dictation: TranscribeOptions = { language: 'auto', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false };

/** Common English function words: translated text has several, Spanish or French text almost none. */
const ENGLISH_WORDS = new Set(['the', 'a', 'an', 'to', 'of', 'and', 'is', 'has', 'have', 'been', 'will', 'you', 'your', 'this', 'that', 'when', 'with', 'for', 'does', 'not', "can't", 'after', 'our', 'because', 'there', 'no', 'be']);
function englishShare(text: string): number {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  return words.length ? words.filter((w) => ENGLISH_WORDS.has(w)).length / words.length : 0;
}

describe('the multilingual base model with real speech in four languages', { skip: !process.env.CI && missing }, () => {
  let client: WhisperClient;
  let clips: MultilingualClip[];

  before(async () => {
    clips = multilingualSet(3);
    client = new WhisperClient({ workerScript, host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    await client?.shutdown();
  });

  it("detects each clip's language with 'auto' and transcribes it with a reasonable word error rate", async () => {
    const scores = new Map<string, WerScore[]>();
    const wrong: string[] = [];
    for (const clip of clips) {
      const keeper = new LanguageKeeper('auto');
      const result = await keeper.wrap(new LocalTranscriber(client, modelPath)).transcribe(await readClip(clip), dictation);
      if (keeper.language !== clip.language) wrong.push(`${clip.language}/${clip.name} → ${keeper.language}: ${result.text}`);
      scores.set(clip.language, [...(scores.get(clip.language) ?? []), wordErrorRate(clip.transcript, result.text)]);
    }
    assert.deepEqual(wrong, [], 'every language identified');
    for (const language of EVAL_LANGUAGES) {
      // Telephone-band (8 kHz) prompts; the references also lack some accents ("numero" for "número").
      const wer = aggregateWer(scores.get(language)!).wer;
      assert.ok(wer <= 0.4, `${language}: WER ${(wer * 100).toFixed(1)} %`);
    }
  });

  it('keeps the language detected first: a Spanish phrase later in a French dictation is decoded as French', async () => {
    const keeper = new LanguageKeeper('auto');
    const transcriber = keeper.wrap(new LocalTranscriber(client, modelPath));
    const french = clips.find((c) => c.language === 'fr')!;
    const spanish = clips.find((c) => c.language === 'es')!;
    await transcriber.transcribe(await readClip(french), dictation);
    assert.equal(keeper.language, 'fr');
    const later = await transcriber.transcribe(await readClip(spanish), dictation);
    assert.equal(later.language, undefined, 'no detection ran for the second phrase');
    assert.equal(keeper.language, 'fr');
  });

  it('translates Spanish and French speech into English text that holds the key words', async () => {
    // Key words of an English rendering of each prompt (ours, from the Spanish/French transcript).
    const cases: Array<['es' | 'fr', string, RegExp[]]> = [
      ['es', 'conf-lockednow', [/\bconference\b/, /\b(blocked|locked)\b/]], // "The conference has been locked."
      ['es', 'confbridge-begin-glorious-c', [/\bconference\b/, /\bleader\b/, /\bbegin|start/]], // "The conference will begin when our glorious leader arrives."
      ['fr', 'vm-nobox', [/\bmessage\b/, /\b(answer|reply|respond)\b/]], // "You cannot answer this message because the sender has no voice mailbox."
      ['fr', 'agent-alreadyon', [/\bagent\b/, /\bonline\b/]], // "This agent is currently online. Dial your agent number followed by pound."
    ];
    for (const [language, name, keyWords] of cases) {
      const clip = clipByName(language, name);
      const keeper = new LanguageKeeper('auto');
      const result = await keeper.wrap(new LocalTranscriber(client, modelPath)).transcribe(await readClip(clip), { ...dictation, translate: true });
      const text = result.text.toLowerCase();
      assert.equal(keeper.language, language, `${name}: the spoken language is still detected`);
      for (const word of keyWords) assert.match(text, word, `${name}: ${result.text}`);
      assert.ok(englishShare(text) >= 0.25, `${name} reads as English: ${result.text}`);
      assert.ok(englishShare(clip.transcript) < 0.1, `${name}'s transcript itself is not English`);
    }
  });

  it('the CLI detects a file\'s language once, from its first chunk, translates with --translate, and refuses French with tiny.en', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'multilingual-cli-'));
    try {
      // About 30 s of French prompts with 1-s pauses: several 10-s chunks.
      const french = multilingualSet(8).filter((c) => c.language === 'fr');
      const parts: Float32Array[] = [];
      for (const clip of french) parts.push(await readClip(clip), new Float32Array(16000));
      const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
      const frenchWav = join(scratch, 'french.wav');
      writeFileSync(frenchWav, encodePcm16Wav(all, 16000));
      const run = await captureCli(['transcribe', frenchWav, '--model', modelPath, '--no-cache', '--chunk-seconds', '10', '--threads', '2']);
      assert.equal(run.code, 0, run.err.join('\n'));
      assert.deepEqual(run.err.filter((l) => /language detected/.test(l)), ['transcribe: language detected: French (fr)']);
      assert.ok(englishShare(run.out.join(' ')) < 0.1, `French text: ${run.out.join(' ')}`);
      assert.match(run.out.join(' '), /conférence/i);

      const spanish = clipByName('es', 'conf-lockednow');
      const translated = await captureCli(['transcribe', spanish.wav, '--model', modelPath, '--no-cache', '--translate', '--quiet']);
      assert.equal(translated.code, 0, translated.err.join('\n'));
      assert.match(translated.out.join(' ').toLowerCase(), /the conference has been (blocked|locked)/);

      if (existsSync(fixtureModelPath())) {
        const refused = await captureCli(['transcribe', spanish.wav, '--model', fixtureModelPath(), '--language', 'fr', '--no-cache']);
        assert.equal(refused.code, 1);
        assert.match(refused.err.join('\n'), /\[MODEL_LANGUAGE\].*English only.*multilingual model/);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

async function captureCli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: process.env };
  return { code: await runCli(argv, io), out, err };
}
