// English hesitations out of dictated text: the words Whisper writes for "um" and "uh" go, with the commas and
// ellipses around them; words that only look alike ("umbrella", "5 mm", "ER") stay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dropHesitations } from '../../src/core/text/hesitations';

describe('dropHesitations', () => {
  it('drops the hesitations of a monologue Whisper transcribed without a prompt (p09, live)', () => {
    assert.equal(
      dropHesitations("there's some speech errors but cares um this is me talking really slow and slightly lower intensity uh... we're just saying some words"),
      "there's some speech errors but cares this is me talking really slow and slightly lower intensity we're just saying some words",
    );
    assert.equal(dropHesitations("This is the acoustic corpus i'm talking pretty fast"), "This is the acoustic corpus I'm talking pretty fast");
  });

  it('takes the commas set around a hesitation with it, and capitalises the sentence it began', () => {
    assert.equal(dropHesitations('I think, uh, that works.'), 'I think that works.');
    assert.equal(dropHesitations('Um, so this is the sick corpus.'), 'So this is the sick corpus.');
    assert.equal(dropHesitations('Uhm... Hmm, the build is green, erm, mostly.'), 'The build is green mostly.');
    assert.equal(dropHesitations('and then uh'), 'and then');
  });

  it('returns nothing for a transcript that was nothing but hesitations', () => {
    assert.equal(dropHesitations('Um.'), '');
    assert.equal(dropHesitations('uh, uhm...'), '');
  });

  it('keeps words that only look like hesitations', () => {
    for (const text of ['Bring an umbrella.', 'The gap is 5 mm wide.', 'Take him to the ER.', 'Hummus and herbs.', 'Uhura said hi.', 'The Erm project.']) {
      assert.equal(dropHesitations(text), text.replace('Erm', 'Erm'));
    }
  });
});
