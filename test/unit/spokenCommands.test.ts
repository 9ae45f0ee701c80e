// Spoken punctuation and commands on REAL transcripts: what tiny.en wrote, through the Whisper worker with the
// dictation options, for real speech (test/fixtures/spoken/transcripts.json, recorded by
// scripts/record-spoken-transcripts.mjs from Debian's asterisk-core-sounds-en-wav and the public evaluation clips).
// Then the cases no public clip says (case commands, "scratch that"), as Whisper writes such phrases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpokenCommands, type DictationAction } from '../../src/core/text/spokenCommands';
import { composeInsertion, type InsertionPiece } from '../../src/core/text/insertionFormat';
import { buildSpokenVocabulary, defaultEntries } from '../../src/core/text/spokenVocabulary';

const fixtures: { clips: { name: string; source: string; transcript: string }[] } = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/spoken/transcripts.json'), 'utf8'),
);

function transcriptOf(name: string): string {
  const clip = fixtures.clips.find((c) => c.name === name);
  assert.ok(clip, `no recorded clip ${name}`);
  return clip.transcript;
}

/** What the phrase puts into an empty line. */
function typed(transcript: string, before = '', vocabulary = buildSpokenVocabulary('en').vocabulary): string {
  const pieces = parseSpokenCommands(transcript, true, vocabulary).filter((a): a is InsertionPiece => a.kind !== 'scratch');
  return composeInsertion(before, '', pieces);
}

describe('spoken punctuation on real transcripts', () => {
  it('a command said as a phrase of its own becomes its symbol', () => {
    assert.equal(typed(transcriptOf('semicolon')), ';');
    assert.equal(typed(transcriptOf('question mark'), 'Is it ready'), '?');
    assert.equal(typed(transcriptOf('open parenthesis'), 'see'), ' (');
    assert.equal(typed(transcriptOf('close parenthesis'), '(see the docs'), ')');
    assert.equal(typed(transcriptOf('left bracket'), 'items'), ' [');
    assert.equal(typed(transcriptOf('right bracket'), '[0'), ']');
    assert.equal(typed(transcriptOf('exclamation point'), 'It works'), '!');
    assert.equal(typed(transcriptOf('quote'), 'He said'), ' "');
  });

  it('a command said at the end of a phrase, which Whisper writes as its own sentence, replaces Whisper\'s full stop', () => {
    assert.equal(transcriptOf('go forward + question mark'), 'Go forward 10 meters. Question mark.');
    assert.equal(typed(transcriptOf('go forward + question mark')), 'Go forward 10 meters?');
    assert.equal(typed(transcriptOf('go forward + exclamation point')), 'Go forward 10 meters!');
    assert.equal(typed(transcriptOf('go forward + close parenthesis'), '('), 'go forward 10 meters)');
    assert.equal(typed(transcriptOf('open parenthesis + go forward + close parenthesis'), 'Then '), '(go forward 10 meters)');
  });

  it('words Whisper heard as other words stay as heard (no guessing: "Karma" is not "comma")', () => {
    assert.equal(typed(transcriptOf('comma')), 'Karma');
    assert.equal(typed(transcriptOf('colon')), 'Colin');
    // tiny.en dropped a short command word after a longer sentence: nothing to apply, the sentence is intact.
    assert.equal(typed(transcriptOf('go forward + comma')), 'Go forward 10 meters.');
  });

  it('false positives: command words inside a phrase, or used as words, stay text', () => {
    for (const name of ['stay on the line', 'first in line', 'a new extension', 'separated by star', 'press star to cancel', 'not available on this line', 'comma + go forward', 'arctic + colon', 'cards + semicolon']) {
      const transcript = transcriptOf(name);
      assert.deepEqual(parseSpokenCommands(transcript), [{ kind: 'text', text: transcript }], name);
    }
  });
});

describe('spoken commands as Whisper writes them', () => {
  const kinds = (actions: DictationAction[]) => actions.map((a) => (a.kind === 'text' || a.kind === 'literal' ? a.text : `${a.kind}×${a.count}`));

  it('"new line" / "new paragraph" apply as a sentence of their own or at the end of the phrase', () => {
    assert.deepEqual(kinds(parseSpokenCommands('Hello world. New line. How are you?')), ['Hello world.', 'newline×1', 'How are you?']);
    assert.deepEqual(kinds(parseSpokenCommands('New paragraph')), ['newline×2']);
    assert.deepEqual(kinds(parseSpokenCommands('Dear team, new paragraph.')), ['Dear team', 'newline×2']);
    assert.deepEqual(kinds(parseSpokenCommands('Hello world, comma, new line.')), ['Hello world', ',', 'newline×1']);
  });

  it('false positives: "a new line of code", "add a new line", "add a comma here", "the trial period" stay text', () => {
    for (const text of ['A new line of code.', 'We need a new line of code here.', 'Add a new line', 'Add a comma here.', 'Put the comma', 'The trial period.', 'Camel case is a naming convention.', 'I wrote it in snake case.', 'Scratch that itch.']) {
      assert.deepEqual(parseSpokenCommands(text), [{ kind: 'text', text }], text);
    }
  });

  it('"scratch that" takes back this phrase\'s words, or one more earlier phrase each time it is said first', () => {
    assert.deepEqual(parseSpokenCommands('Scratch that.'), [{ kind: 'scratch', count: 1 }]);
    assert.deepEqual(parseSpokenCommands('Scratch that. Scratch that.'), [{ kind: 'scratch', count: 2 }]);
    assert.deepEqual(parseSpokenCommands('Hello world, scratch that.'), []);
    assert.deepEqual(kinds(parseSpokenCommands('Scratch that. New line.')), ['scratch×1', 'newline×1']);
  });

  it('case commands at the start of a phrase write the rest as an identifier', () => {
    assert.equal(typed('Camel case user name.'), 'userName');
    assert.equal(typed('Camel case, user name.'), 'userName');
    assert.equal(typed('camelCase user name', 'let '), 'userName');
    assert.equal(typed('Pascal case http server.', 'class'), ' HttpServer');
    assert.equal(typed('Snake case max retries, comma.'), 'max_retries,');
    assert.equal(typed('Kebab case main view.'), 'main-view');
    assert.equal(typed('Constant case max retries.'), 'MAX_RETRIES');
    assert.equal(typed('All caps do not merge.'), 'DO NOT MERGE');
  });

  it('the person\'s own words: added, replacing, switched off; bad entries are reported', () => {
    const { vocabulary, problems } = buildSpokenVocabulary('en', { arrow: '=>', 'next line': { command: 'newline' }, dash: null, 'full stop': '. ', bad: 42 });
    assert.deepEqual(kinds(parseSpokenCommands('Return the value, arrow.', true, vocabulary)), ['Return the value', '=>']);
    assert.deepEqual(kinds(parseSpokenCommands('Hello. Next line.', true, vocabulary)), ['Hello.', 'newline×1']);
    assert.deepEqual(kinds(parseSpokenCommands('Go forward 10 meters. Dash.', true, vocabulary)), ['Go forward 10 meters. Dash.']);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /"bad"/);
  });

  it('other languages use the English table until they have their own', () => {
    assert.deepEqual(kinds(parseSpokenCommands('Bonjour. New line.', true, buildSpokenVocabulary('fr').vocabulary)), ['Bonjour.', 'newline×1']);
  });

  it('treats everything as text when commands are off', () => {
    assert.deepEqual(parseSpokenCommands('New line.', false), [{ kind: 'text', text: 'New line.' }]);
  });
});

describe('the README\'s table of spoken commands', () => {
  it('lists every phrase of the English table', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Spoken punctuation and commands'), readme.indexOf('## Vocabulary from your code'));
    const said = section.split('\n').filter((line) => line.startsWith('| ')).map((line) => line.split('|')[1]).join(',');
    const listed = new Set(said.split(/,|\//).map((phrase) => phrase.trim().replace(/ user name$/, '')));
    const missing = Object.keys(defaultEntries('en')).filter((phrase) => !listed.has(phrase) && phrase !== 'camelcase');
    assert.deepEqual(missing, []);
  });
});
