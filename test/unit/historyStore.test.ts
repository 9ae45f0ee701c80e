import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeSnapshots, TranscriptHistory } from '../../src/core/history/transcriptHistory';
import { HistoryStore, readHistoryFile } from '../../src/node/history/historyStore';

const folder = () => mkdtempSync(join(tmpdir(), 'history-test-'));

describe('history survives a reload', () => {
  it('a new history reading the same file restores the entries, newest first, in a private file', async () => {
    const path = join(folder(), 'nested', 'history.json');
    const first = new TranscriptHistory(10);
    const store = new HistoryStore(first, path);
    await store.load();
    first.add({ text: 'first phrase', at: 1000, delivery: 'inserted', target: 'file:///a.ts', kind: 'editor' });
    first.add({ text: 'second phrase', at: 2000, delivery: 'clipboard', kind: 'clipboard' });
    await store.dispose();
    assert.equal(statSync(path).mode & 0o777, 0o600, 'only the person can read what they dictated');
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(path, '..')), ['history.json'], 'no temp file is left behind');

    const reloaded = new TranscriptHistory(10);
    const again = new HistoryStore(reloaded, path);
    await again.load();
    assert.deepEqual(reloaded.list().map((e) => e.text), ['second phrase', 'first phrase']);
    assert.deepEqual(reloaded.list()[1], { text: 'first phrase', at: 1000, delivery: 'inserted', target: 'file:///a.ts', kind: 'editor' });
    await again.dispose();
  });

  it('stays bounded by the history size', async () => {
    const path = join(folder(), 'history.json');
    const history = new TranscriptHistory(3);
    const store = new HistoryStore(history, path);
    for (let i = 1; i <= 5; i++) history.add({ text: `phrase ${i}`, at: i, delivery: 'inserted' });
    await store.dispose();
    const onDisk = await readHistoryFile(path);
    assert.deepEqual(onDisk.entries.map((e) => e.text), ['phrase 5', 'phrase 4', 'phrase 3']);
  });

  it('clearing empties the file, and an older window cannot bring the cleared phrases back', async () => {
    const path = join(folder(), 'history.json');
    const windowA = new TranscriptHistory(10);
    const windowB = new TranscriptHistory(10);
    const storeA = new HistoryStore(windowA, path);
    const storeB = new HistoryStore(windowB, path);
    windowA.add({ text: 'from A', at: 100, delivery: 'inserted' });
    await storeA.flush();
    await storeB.load();
    assert.deepEqual(windowB.list().map((e) => e.text), ['from A'], 'a second window sees the first one\'s phrases');
    windowB.clear(200);
    await storeB.flush();
    windowA.add({ text: 'A again', at: 300, delivery: 'inserted' });
    await storeA.flush();
    const onDisk = await readHistoryFile(path);
    assert.deepEqual(onDisk.entries.map((e) => e.text), ['A again'], 'only what was said after the clear');
    await storeA.dispose();
    await storeB.dispose();
  });

  it('a damaged file is reported and treated as empty; the next save replaces it', async () => {
    const path = join(folder(), 'history.json');
    writeFileSync(path, '{"entries": [ {"text": "half');
    const errors: Error[] = [];
    const history = new TranscriptHistory(10);
    const store = new HistoryStore(history, path, (e) => errors.push(e));
    await store.load();
    assert.equal(history.list().length, 0);
    assert.match(errors[0]?.message ?? '', /not valid JSON/);
    history.add({ text: 'new', at: 1, delivery: 'inserted' });
    await store.dispose();
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).entries[0].text, 'new');
  });
});

describe('mergeSnapshots', () => {
  it('keeps one copy of each phrase and drops entries older than the latest clear', () => {
    const e = (text: string, at: number) => ({ text, at, delivery: 'inserted' as const });
    const merged = mergeSnapshots({ entries: [e('b', 2), e('a', 1)], clearedAt: 0 }, { entries: [e('b', 2), e('c', 3), e('old', 0)], clearedAt: 1 }, 10);
    assert.deepEqual(merged, { entries: [e('c', 3), e('b', 2), e('a', 1)], clearedAt: 1 });
  });
});
