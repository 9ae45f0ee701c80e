import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseTarget, FocusHistory, parseTargetRequest, TargetAvailability, terminalErase, terminalText } from '../../src/core/targets/targetChoice';

const none: TargetAvailability = { editor: false, terminal: false, scm: false, notebook: false, chat: false };
const all: TargetAvailability = { editor: true, terminal: true, scm: true, notebook: true, chat: true };

describe('chooseTarget', () => {
  it('follows the focus to any target that can take text', () => {
    for (const kind of ['editor', 'terminal', 'scm', 'notebook', 'chat'] as const) {
      assert.deepEqual(chooseTarget('focus', kind, all), { kind, reason: 'focus' });
    }
  });
  it('falls back to the editor when the focused target is gone, and says which one was', () => {
    assert.deepEqual(chooseTarget('focus', 'terminal', { ...none, editor: true }), { kind: 'editor', reason: 'fallback', unavailable: 'terminal' });
  });
  it('uses the editor (as before targets existed) when nothing has had focus yet', () => {
    assert.deepEqual(chooseTarget('focus', undefined, { ...none, editor: true }), { kind: 'editor', reason: 'fallback' });
  });
  it('puts the text on the clipboard when nothing can take it', () => {
    assert.deepEqual(chooseTarget('focus', undefined, none), { kind: 'clipboard', reason: 'fallback' });
    assert.deepEqual(chooseTarget('focus', 'editor', none), { kind: 'clipboard', reason: 'fallback', unavailable: 'editor' });
  });
  it('a pinned target wins over the focus, and when it is gone the text goes to the clipboard, never elsewhere', () => {
    assert.deepEqual(chooseTarget('scm', 'editor', all), { kind: 'scm', reason: 'pinned' });
    assert.deepEqual(chooseTarget('scm', 'editor', { ...all, scm: false }), { kind: 'clipboard', reason: 'fallback', unavailable: 'scm' });
    assert.deepEqual(chooseTarget('clipboard', 'editor', all), { kind: 'clipboard', reason: 'pinned' });
  });
});

describe('parseTargetRequest', () => {
  it('reads keybinding arguments and plain names, and ignores anything else', () => {
    assert.equal(parseTargetRequest({ target: 'terminal' }), 'terminal');
    assert.equal(parseTargetRequest('scm'), 'scm');
    assert.equal(parseTargetRequest('focus'), 'focus');
    assert.equal(parseTargetRequest({ target: 'printer' }), undefined);
    assert.equal(parseTargetRequest(undefined), undefined);
    assert.equal(parseTargetRequest({ scheme: 'file', path: '/a.wav' }), undefined);
  });
});

describe('FocusHistory', () => {
  it('the most recent signal wins and an older one arriving late does not', () => {
    const focus = new FocusHistory();
    assert.equal(focus.current, undefined);
    assert.equal(focus.note('editor', 10), true);
    assert.equal(focus.note('terminal', 20), true);
    assert.equal(focus.note('editor', 15), false);
    assert.equal(focus.current, 'terminal');
    assert.equal(focus.note('terminal', 30), false, 'the same target again is no change');
  });
});

describe('terminal text', () => {
  it('never contains a key that would run or complete a command', () => {
    assert.equal(terminalText('git status\nrm -rf x'), 'git status rm -rf x');
    assert.equal(terminalText('a\r\nb\rc\td\u0003e\u001b[A'), 'a b c d e [A');
    assert.equal(terminalText('Hello, world.'), 'Hello, world.');
  });
  it('erases what was typed with one DEL per character, counting characters not UTF-16 units', () => {
    assert.equal(terminalErase('ab'), '\u007f\u007f');
    assert.equal(terminalErase('é🎤'), '\u007f\u007f');
  });
});
