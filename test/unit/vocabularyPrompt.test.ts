// The vocabulary prompt builder, checked against whisper.cpp's own tokenizer with tiny.en's real vocabulary (the
// prompt must fit the 224 tokens Whisper keeps), and the real model: a prompt changes how a name is written.
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  branchFromHead, branchTerms, buildVocabularyPrompt, composePrompt, estimateTokens, identifiersIn, identifiersNear,
  isUsefulTerm, DEFAULT_VOCABULARY_TOKENS, WHISPER_PROMPT_TOKENS,
} from '../../src/core/vocabulary/vocabularyPrompt';
import { vocabularyFromTokens, whisperTokenize, type WhisperVocabulary } from '../../src/core/vocabulary/whisperTokens';
import { readGgmlLayout } from '../../src/node/model/ggml/ggmlFormat';
import { fixtureModelPath } from '../../src/node/model/fixtureModel';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';
import { addonCandidates } from '../../src/node/whisper/addonVariant';
import { WhisperClient } from '../../src/node/whisper/client';

const root = resolve(__dirname, '../..');
const modelPath = fixtureModelPath();
const noModel = existsSync(modelPath) ? false : `the real model is missing at ${modelPath} (npm run model:fixture)`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('vocabulary prompt builder', () => {
  it('keeps identifiers as written, nearest the cursor first, without keywords or everyday words', () => {
    const text = 'const userName = await fetchProfile(HTTP_PORT);\nreturn smartWhisper.transcribe(userName, the_options);';
    const cursor = text.indexOf('smartWhisper');
    assert.deepEqual(identifiersNear(text, cursor), ['smartWhisper', 'HTTP_PORT', 'transcribe', 'fetchProfile', 'userName', 'the_options']);
    assert.deepEqual(identifiersIn('smart-whisper/build'), ['smart-whisper', 'build']);
    for (const word of ['const', 'return', 'the', 'value', 'ab']) assert.equal(isUsefulTerm(word), false, word);
  });

  it('ranks the person\'s words first, dedupes case-insensitively, and puts the most important last in the prompt', () => {
    const built = buildVocabularyPrompt({ user: ['Kubernetes', 'useEffect'], nearCursor: ['userName', 'kubernetes', 'return'], symbols: ['WhisperClient'], workspace: ['offline-dictation'] });
    assert.deepEqual(built.terms, ['Kubernetes', 'useEffect', 'userName', 'offline-dictation', 'WhisperClient']);
    assert.equal(built.prompt, 'WhisperClient, offline-dictation, userName, useEffect, Kubernetes.');
    assert.equal(buildVocabularyPrompt({ user: [], nearCursor: [], symbols: [], workspace: [] }).prompt, '');
  });

  it('reads the git branch from .git/HEAD and keeps its own words', () => {
    assert.equal(branchFromHead('ref: refs/heads/feature/vocab-prompt\n'), 'feature/vocab-prompt');
    assert.equal(branchFromHead('4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\n'), undefined);
    assert.deepEqual(branchTerms('feature/vocab-prompt'), ['vocab-prompt']);
  });

  it('composes vocabulary then the previous phrase, the vocabulary giving way from its least important end', () => {
    assert.equal(composePrompt('Beta, Alpha.', 'We met.'), 'Beta, Alpha. We met.');
    assert.equal(composePrompt(undefined, ''), undefined);
    const long = Array.from({ length: 200 }, (_, i) => `Term${i}`).join(', ') + '.';
    const composed = composePrompt(long, 'x'.repeat(300))!;
    assert.ok(composed.endsWith('x'.repeat(200)), 'the previous phrase is kept, its last 200 characters');
    assert.ok(composed.includes('Term199.'), 'the most important (last) terms are kept');
    assert.ok(!composed.includes('Term0,'), 'the least important terms gave way');
  });
});

describe('the token estimate against whisper.cpp\'s tokenizer and tiny.en\'s vocabulary', { skip: noModel }, () => {
  let vocabulary: WhisperVocabulary;
  before(async () => {
    vocabulary = vocabularyFromTokens((await readGgmlLayout(modelPath)).vocabulary);
  });

  it('counts at least as many tokens as whisper.cpp for prose, and for all but 1 in 1,000 of this project\'s identifiers', () => {
    const identifiers = [...new Set(sourceFiles(join(root, 'src')).flatMap((file) => identifiersIn(readFileSync(file, 'utf8'))))];
    assert.ok(identifiers.length > 1000, `${identifiers.length} identifiers`);
    const under = identifiers.filter((id) => estimateTokens(` ${id}`) < whisperTokenize(` ${id}`, vocabulary).length);
    // A word of single-letter pieces ("dnf") can cost more than estimated; one in a thousand at most.
    assert.ok(under.length <= identifiers.length / 1000, `identifiers whose estimate is below the real count: ${under.join(', ')}`);
    const evalDir = resolve(root, '../shared/eval/public');
    for (const file of readdirSync(evalDir).filter((f) => f.endsWith('.txt') && f.startsWith('p'))) {
      const text = readFileSync(join(evalDir, file), 'utf8');
      assert.ok(estimateTokens(text) >= whisperTokenize(text, vocabulary).length, file);
    }
  });

  it('a prompt built from thousands of terms stays within the 224 tokens Whisper keeps, previous phrase included', () => {
    const identifiers = [...new Set(sourceFiles(join(root, 'src')).flatMap((file) => identifiersIn(readFileSync(file, 'utf8'))))];
    const built = buildVocabularyPrompt({ user: [], nearCursor: identifiers.slice(0, 500), symbols: identifiers.slice(500), workspace: identifiers.slice(1000, 1100) });
    const prompt = composePrompt(built.prompt, 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country. '.repeat(3))!;
    assert.ok(built.tokens <= DEFAULT_VOCABULARY_TOKENS && whisperTokenize(built.prompt, vocabulary).length <= DEFAULT_VOCABULARY_TOKENS, `the vocabulary alone: ${built.tokens} tokens estimated`);
    const real = whisperTokenize(prompt, vocabulary).length;
    assert.ok(real <= WHISPER_PROMPT_TOKENS, `${real} tokens`);
    assert.ok(built.terms.length >= 20, `${built.terms.length} terms fit`);
  });
});

const clipPath = '/usr/share/asterisk/sounds/en/basic-pbx-ivr-main.wav';
describe('the real model with a vocabulary prompt', { skip: noModel || (!existsSync(clipPath) && 'asterisk-core-sounds-en-wav is not installed (scripts/setup.sh)') }, () => {
  let client: WhisperClient;
  before(async () => {
    client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
    await client.ensureModel(modelPath);
  });
  after(async () => {
    await client?.shutdown();
  });

  it('writes a name Whisper does not know as the vocabulary spells it ("Waldo\'s", not "While those")', async () => {
    // Real speech: Debian's asterisk-core-sounds-en-wav, "Thank you for calling Super Awesome Company, Waldo's premier provider ...".
    const audio = (await readWavAs16kMono(clipPath)).subarray(0, 16000 * 6);
    const options = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit' as const, timestamps: false };
    const without = await client.transcribe(audio, options);
    const prompt = buildVocabularyPrompt({ user: ["Waldo's"], nearCursor: ['customerAdvocate'], symbols: ['receivables'], workspace: ['pbx-ivr'] }).prompt;
    const withPrompt = await client.transcribe(audio, { ...options, initialPrompt: composePrompt(prompt, undefined) });
    assert.doesNotMatch(without.text, /Waldo's/, `without: ${without.text}`);
    assert.match(withPrompt.text, /Waldo's/, `with: ${withPrompt.text}`);
  });
});
