import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeInsertion, formatForInsertion } from '../../src/core/text/insertionFormat';
import { parseSpokenCommands } from '../../src/core/text/spokenCommands';
import { acceptTranscript, cleanTranscript } from '../../src/core/text/transcriptFilter';
import { transcriptConfidence } from '../../src/core/transcription/tokenConfidence';

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
  it("drops words Whisper barely believed, and a known phrase with a doubted word, whatever the audio's level", () => {
    // Measured on tiny.en (bench/results/nonspeech.md): "you" from a chime at a mean token probability of 0.05,
    // "Thank you." from a ringing phone with a word at 0.03.
    assert.equal(acceptTranscript('you', { speechMs: 1170, speechDbfs: -17 }, { meanTokenP: 0.05, minTokenP: 0.05 }), undefined);
    assert.equal(acceptTranscript('Thank you.', loud, { meanTokenP: 0.48, minTokenP: 0.03 }), undefined);
    assert.equal(acceptTranscript('I am not a fan of the game.', loud, { meanTokenP: 0.15, minTokenP: 0.02 }), undefined);
    // A sentence is held to more than a word: three chimes in a row, "I'm not going to be able to do it." at 0.27.
    assert.equal(acceptTranscript("I'm not going to be able to do it.", loud, { meanTokenP: 0.27, minTokenP: 0.04 }), undefined);
    // Real words, single and quiet ones included, are kept: "Your." at 0.27, a sentence with one doubted word.
    assert.equal(acceptTranscript('Your.', { speechMs: 510, speechDbfs: -21 }, { meanTokenP: 0.27, minTokenP: 0.22 }), 'Your.');
    assert.equal(acceptTranscript('Thank you.', loud, { meanTokenP: 0.8, minTokenP: 0.6 }), 'Thank you.');
    assert.equal(acceptTranscript('The Speed Dial access is empty.', loud, { meanTokenP: 0.6, minTokenP: 0.07 }), 'The Speed Dial access is empty.');
    assert.equal(acceptTranscript('Call for reading.', loud, { meanTokenP: 0.54, minTokenP: 0.24 }), 'Call for reading.');
  });
  it('transcriptConfidence judges the text tokens only', () => {
    const tokens = [{ text: '[_BEG_]', p: 0.01 }, { text: ' Hello', p: 0.9 }, { text: '.', p: 0.5 }, { text: '[_TT_50]', p: 0.02 }, { text: '<|endoftext|>', p: 0.01 }];
    assert.deepEqual(transcriptConfidence(tokens), { meanTokenP: 0.7, minTokenP: 0.5 });
    assert.equal(transcriptConfidence([{ text: '[_BEG_]', p: 0.3 }]), undefined);
  });
  it('cleanTranscript tidies spacing around punctuation', () => {
    assert.equal(cleanTranscript('  Hello ,  world  .'), 'Hello, world.');
  });
});
