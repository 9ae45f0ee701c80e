// Languages: the rules that tie a language setting to a model, the status line, and the per-dictation / per-file
// language decision (LanguageKeeper) with a stand-in Transcriber. The same decision with the real base model and
// real speech is in multilingualModel.test.ts.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { WHISPER_LANGUAGES, effectiveLanguage, isEnglishOnlyModel, languageChoices, languageStatus, multilingualCounterpart } from '../../src/core/model/languages';
import { LanguageKeeper } from '../../src/node/transcription/languageKeeper';
import type { Transcriber } from '../../src/node/transcription/transcriber';
import type { TranscribeOptions, TranscribeResult } from '../../src/node/whisper/protocol';

test('English-only models are told English whatever the setting, and a non-English setting is a mismatch', () => {
  for (const name of ['tiny.en', 'ggml-tiny.en.bin', '/models/ggml-base.en-q5_1.bin', 'tiny.en-q8_0']) assert.equal(isEnglishOnlyModel(name), true, name);
  for (const name of ['tiny', 'ggml-base.bin', 'base-q8_0', '/x/ggml-large-v3-turbo.bin', 'ggml-english.bin']) assert.equal(isEnglishOnlyModel(name), false, name);
  assert.deepEqual(effectiveLanguage('ggml-tiny.en.bin', 'fr'), { language: 'en', mismatch: true });
  assert.deepEqual(effectiveLanguage('ggml-tiny.en.bin', 'auto'), { language: 'en', mismatch: false });
  assert.deepEqual(effectiveLanguage('ggml-tiny.en.bin', 'en'), { language: 'en', mismatch: false });
  assert.deepEqual(effectiveLanguage('ggml-base.bin', 'fr'), { language: 'fr', mismatch: false });
  assert.deepEqual(effectiveLanguage('ggml-base.bin', 'auto'), { language: 'auto', mismatch: false });
  assert.equal(multilingualCounterpart('base.en'), 'base');
  assert.equal(multilingualCounterpart('tiny.en-q8_0'), 'tiny-q8_0');
});

test("Whisper's language table and the status line", () => {
  assert.equal(WHISPER_LANGUAGES.size, 100);
  assert.deepEqual(['es', 'fr', 'it', 'ru'].map((c) => WHISPER_LANGUAGES.get(c)), ['Spanish', 'French', 'Italian', 'Russian']);
  assert.equal(languageStatus({ setting: 'auto', englishOnlyModel: false, translate: false }), 'detected from the first phrase');
  assert.equal(languageStatus({ setting: 'auto', detected: 'fr', englishOnlyModel: false, translate: false }), 'French (fr), detected');
  assert.equal(languageStatus({ setting: 'es', englishOnlyModel: false, translate: true }), 'Spanish (es), translated to English');
  assert.equal(languageStatus({ setting: 'fr', englishOnlyModel: true, translate: true }), 'English (en), English-only model');
  const items = languageChoices('fr');
  assert.equal(items[0].code, 'auto');
  assert.equal(items.length, 101);
  assert.deepEqual(items.filter((i) => i.picked).map((i) => i.code), ['fr']);
});

/** A stand-in engine that "detects" from the audio's first sample: 1 → fr, 2 → es, 0 → silence (no text). */
class StandIn implements Transcriber {
  readonly calls: TranscribeOptions[] = [];
  private waiting: Array<() => void> = [];
  hold = false;
  async prepare(): Promise<void> {}
  async transcribe(audio: Float32Array, options: TranscribeOptions): Promise<TranscribeResult> {
    this.calls.push(options);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const spoken = audio[0] === 1 ? 'fr' : audio[0] === 2 ? 'es' : undefined;
    const text = spoken ? `words in ${options.language === 'auto' ? spoken : options.language}` : '';
    return { segments: [], text, elapsedMs: 1, cancelled: false, ...(options.language === 'auto' && spoken ? { language: spoken } : {}) };
  }
  release(): void {
    this.hold = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const base: TranscribeOptions = { language: 'ignored', threads: 1, beamSize: 1, audioContext: 0 };
const audio = (first: number) => Float32Array.of(first, 0, 0);

describe('LanguageKeeper', () => {
  it("with 'auto' detects from the first phrase with text and keeps that language: a later phrase cannot flip it", async () => {
    const engine = new StandIn();
    const detected: string[] = [];
    const keeper = new LanguageKeeper('auto', (l) => detected.push(l));
    const t = keeper.wrap(engine);
    assert.equal((await t.transcribe(audio(0), base)).text, '', 'silence');
    assert.equal(keeper.language, 'auto', 'silence decides nothing');
    await t.transcribe(audio(1), base);
    assert.equal(keeper.language, 'fr');
    const spanish = await t.transcribe(audio(2), base);
    assert.equal(spanish.text, 'words in fr', 'the Spanish phrase is decoded as French: the language stays');
    assert.deepEqual(engine.calls.map((c) => c.language), ['auto', 'auto', 'fr']);
    assert.deepEqual(detected, ['fr']);
  });

  it('makes jobs that arrive during the detection wait for it (a file\'s parallel chunks follow its first chunk)', async () => {
    const engine = new StandIn();
    engine.hold = true;
    const keeper = new LanguageKeeper('auto');
    const [a, b] = [keeper.wrap(engine), keeper.wrap(engine)];
    const first = a.transcribe(audio(2), base);
    const second = b.transcribe(audio(1), base);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(engine.calls.length, 1, 'the second job waits for the detection');
    engine.release();
    assert.equal((await first).language, 'es');
    assert.equal((await second).text, 'words in es');
    assert.deepEqual(engine.calls.map((c) => c.language), ['auto', 'es']);
  });

  it('lets previews run without waiting and without deciding; a fixed language passes straight through', async () => {
    const engine = new StandIn();
    const keeper = new LanguageKeeper('auto');
    await keeper.wrap(engine).transcribe(audio(1), { ...base, priority: 'preview' });
    assert.equal(keeper.language, 'auto');
    const fixed = new LanguageKeeper('it');
    await fixed.wrap(engine).transcribe(audio(1), base);
    assert.equal(engine.calls.at(-1)?.language, 'it');
    assert.equal(fixed.detectedLanguage, undefined);
  });
});
