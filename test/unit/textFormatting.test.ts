import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeInsertion, formatForInsertion } from '../../src/core/text/insertionFormat';
import { parseSpokenCommands } from '../../src/core/text/spokenCommands';
import { acceptTranscript, cleanTranscript } from '../../src/core/text/transcriptFilter';

describe('formatForInsertion', () => {
  it('starts a sentence with a capital after a full stop, with one space', () => {
    assert.equal(formatForInsertion('It works.', '', 'then it broke.'), ' Then it broke.');
    assert.equal(formatForInsertion('It works. ', '', 'then it broke.'), 'Then it broke.');
  });
  it('continues a sentence in lower case mid-line, keeping I and acronyms', () => {
    assert.equal(formatForInsertion('We call the', '', 'Parser twice.'), ' parser twice.');
    assert.equal(formatForInsertion('Then', '', 'I think so.'), ' I think so.');
    assert.equal(formatForInsertion('Use the', '', 'HTTP client.'), ' HTTP client.');
  });
  it('drops the closing full stop when the sentence goes on after the cursor', () => {
    assert.equal(formatForInsertion('We call the ', ' twice', 'Parser.'), 'parser');
    assert.equal(formatForInsertion('We call the ', 'twice', 'Parser.'), 'parser ');
  });
  it('adds no space after an opening bracket or at the start of a line, none before punctuation', () => {
    assert.equal(formatForInsertion('see (', ')', 'The docs'), 'the docs');
    assert.equal(formatForInsertion('first line\n', '', 'second line.'), 'Second line.');
    assert.equal(formatForInsertion('word', '', ', and more'), ', and more');
  });
  it('inserts as written when smart formatting is off', () => {
    assert.equal(formatForInsertion('abc', 'def', ' Hello. ', { smart: false }), 'Hello.');
  });
});

describe('composeInsertion', () => {
  it('joins words and spoken line breaks into one string', () => {
    const text = composeInsertion('// ', '', [{ kind: 'text', text: 'First.' }, { kind: 'newline', count: 1 }, { kind: 'text', text: 'second.' }]);
    assert.equal(text, 'First.\nSecond.');
  });
});

describe('parseSpokenCommands', () => {
  it('splits text and commands in spoken order, ignoring Whisper\'s punctuation around them', () => {
    assert.deepEqual(parseSpokenCommands('Hello world. New line. How are you?'), [
      { kind: 'text', text: 'Hello world.' },
      { kind: 'newline', count: 1 },
      { kind: 'text', text: 'How are you?' },
    ]);
    assert.deepEqual(parseSpokenCommands('New paragraph'), [{ kind: 'newline', count: 2 }]);
    assert.deepEqual(parseSpokenCommands('Scratch that.'), [{ kind: 'scratch', count: 1 }]);
  });
  it('treats everything as text when commands are off', () => {
    assert.deepEqual(parseSpokenCommands('New line.', false), [{ kind: 'text', text: 'New line.' }]);
  });
});

describe('acceptTranscript', () => {
  const loud = { speechMs: 1500, speechDbfs: -20 };
  const faint = { speechMs: 240, speechDbfs: -52 };
  it('drops annotations and silence hallucinations', () => {
    assert.equal(acceptTranscript('[BLANK_AUDIO]', faint), undefined);
    assert.equal(acceptTranscript(' (silence) ', loud), undefined);
    assert.equal(acceptTranscript('Thank you.', faint), undefined);
    assert.equal(acceptTranscript('you', faint), undefined);
    assert.equal(acceptTranscript('the the the the the the the the the', loud), undefined);
    // Heard from real non-speech (bench:nonspeech): "You" from 1.8 s of a desktop alert, from 6.9 s of noise.
    assert.equal(acceptTranscript('You', { speechMs: 1800, speechDbfs: -27 }), undefined);
    assert.equal(acceptTranscript('You', { speechMs: 6900, speechDbfs: -20 }), undefined);
  });
  it('keeps real speech, including a clearly spoken "thank you"', () => {
    assert.equal(acceptTranscript('Thank you.', loud), 'Thank you.');
    assert.equal(acceptTranscript('You.', { speechMs: 700, speechDbfs: -25 }), 'You.');
    assert.equal(acceptTranscript(' Ask not what your country can do for you. [Music]', faint), 'Ask not what your country can do for you.');
  });
  it('cleanTranscript tidies spacing around punctuation', () => {
    assert.equal(cleanTranscript('  Hello ,  world  .'), 'Hello, world.');
  });
});
