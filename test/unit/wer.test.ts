import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateWer, normaliseForWer, wordErrorCounts, wordErrorRate } from '../../src/core/text/wer';

describe('normaliseForWer', () => {
  it('lowercases, strips punctuation and collapses whitespace', () => {
    assert.equal(normaliseForWer('  And so, my fellow Americans:\n ask NOT!  '), 'and so my fellow americans ask not');
  });

  it('keeps apostrophes inside words, not around them', () => {
    assert.equal(normaliseForWer("I'm sure it's 'quoted' — the dogs' bowls"), "i'm sure it's quoted the dogs bowls");
    assert.equal(normaliseForWer('don\u2019t'), "don't");
  });

  it('splits hyphenated words and drops bracketed annotations and fillers', () => {
    assert.equal(normaliseForWer('cold-hearted [BLANK_AUDIO] (laughs) uh, um well hmm'), 'cold hearted well');
  });

  it('writes spelled-out cardinals as digits so both styles match', () => {
    assert.equal(normaliseForWer('go forward ten meters'), 'go forward 10 meters');
    assert.equal(normaliseForWer('Go forward 10 meters.'), 'go forward 10 meters');
    assert.equal(normaliseForWer('twenty-one'), '21');
    assert.equal(normaliseForWer('one hundred and five'), '105');
    assert.equal(normaliseForWer('two thousand and twenty four'), '2024');
    assert.equal(normaliseForWer('five three'), '5 3');
    assert.equal(normaliseForWer('rock and roll'), 'rock and roll');
    assert.equal(normaliseForWer('1,000 people, 3.5 percent, 50%'), '1000 people 3.5 percent 50 percent');
  });

  it('spells out titles and unifies a few variants', () => {
    assert.equal(normaliseForWer('Mr. Dashwood and Mrs. Jennings, OK'), 'mister dashwood and missus jennings okay');
    assert.equal(normaliseForWer('alright'), normaliseForWer('all right'));
  });

  it('does not expand contractions', () => {
    assert.equal(normaliseForWer("he's"), "he's");
  });
});

describe('wordErrorRate', () => {
  it('is zero for transcripts that differ only in style', () => {
    const score = wordErrorRate(
      'HE BEGAN A CONFUSED COMPLAINT AGAINST THE WIZARD',
      'He began a confused complaint against the wizard.',
    );
    assert.deepEqual(score, { wer: 0, substitutions: 0, deletions: 0, insertions: 0, refWords: 8, hypWords: 8 });
  });

  it('counts substitutions, deletions and insertions separately', () => {
    assert.deepEqual(wordErrorCounts(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']), { wer: 0.5, substitutions: 1, deletions: 0, insertions: 1, refWords: 4, hypWords: 5 });
    assert.deepEqual(wordErrorCounts(['a', 'b', 'c'], ['c']), { wer: 2 / 3, substitutions: 0, deletions: 2, insertions: 0, refWords: 3, hypWords: 1 });
    assert.equal(wordErrorCounts(['a'], ['b', 'c', 'd']).wer, 3); // insertions can push WER above 1
  });

  it('finds the minimal alignment', () => {
    const score = wordErrorRate('the cat sat on the mat', 'cat sat on a mat today');
    assert.equal(score.substitutions + score.deletions + score.insertions, 3);
    assert.deepEqual([score.substitutions, score.deletions, score.insertions], [1, 1, 1]);
  });

  it('handles empty texts', () => {
    assert.equal(wordErrorRate('', '').wer, 0);
    assert.equal(wordErrorRate('', 'hello').wer, 1);
    assert.equal(wordErrorRate('hello world', '').wer, 1);
  });

  it('aggregates as total errors over total reference words', () => {
    const total = aggregateWer([wordErrorRate('a b c d', 'a b c d'), wordErrorRate('x y', 'x z')]);
    assert.equal(total.wer, 1 / 6);
    assert.equal(total.refWords, 6);
    assert.equal(aggregateWer([]).wer, 0);
  });
});
