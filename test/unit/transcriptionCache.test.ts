// The transcript job cache: chunks stored atomically and privately, found again by a later run (also one started
// while a chunk is still in flight in this process), limits on job count and size, and an index that survives
// corruption.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobCache, jobId, type ChunkRecord, type JobKey } from '../../src/node/transcription/jobCache';

const scratch = mkdtempSync(join(tmpdir(), 'transcription-cache-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const freshRoot = () => join(scratch, `cache-${++counter}`);

const key = (n: number, extra: Partial<JobKey> = {}): JobKey => ({ fileSha256: `${n}`.padStart(64, 'a'), fromSeconds: 0, model: 'ggml-tiny.en.bin:77704715:abc:en', chunkSeconds: 30, overlapSeconds: 1, ...extra });
const chunk = (start: number, end: number, text = `words from ${start} to ${end}`): ChunkRecord => ({ startSample: start, endSample: end, segments: [{ startMs: start / 16, endMs: end / 16, text }] });

/** A clock the test moves, so "most recent" is unambiguous. */
function clock(): () => number {
  let now = 1_700_000_000_000;
  return () => (now += 1000);
}

describe('JobCache', () => {
  it('stores chunks that a later run finds again, with their exact boundaries', async () => {
    const root = freshRoot();
    const first = await new JobCache(root).openJob(key(1), { source: '/recordings/meeting.wav' });
    assert.deepEqual(first.recordedBounds(), []);
    await first.store(chunk(0, 465_000));
    await first.store(chunk(465_000, 929_123));
    const again = await new JobCache(root).openJob(key(1));
    assert.deepEqual(again.recordedBounds(), [{ startSample: 0, endSample: 465_000 }, { startSample: 465_000, endSample: 929_123 }]);
    assert.deepEqual(again.storedChunk(465_000), chunk(465_000, 929_123));
    const [summary] = await new JobCache(root).list();
    assert.equal(summary.source, '/recordings/meeting.wav');
  });

  it('keys jobs by content, range, model and chunk settings', () => {
    const ids = new Set([key(1), key(2), key(1, { fromSeconds: 5 }), key(1, { toSeconds: 60 }), key(1, { model: 'other' }), key(1, { chunkSeconds: 15 }), key(1, { overlapSeconds: 2 })].map(jobId));
    assert.equal(ids.size, 7);
    assert.equal(jobId(key(1)), jobId({ ...key(1) }));
  });

  it('keeps its files private: folders 0o700, files 0o600', { skip: process.platform === 'win32' ? 'no POSIX modes' : false }, async () => {
    const root = freshRoot();
    const job = await new JobCache(root).openJob(key(1));
    await job.store(chunk(0, 16000));
    await job.finish(true);
    for (const dir of [root, join(root, 'jobs'), job.directory]) assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
    for (const file of [join(root, 'index.json'), join(root, 'index.json.bak'), ...readdirSync(job.directory).map((n) => join(job.directory, n))]) {
      assert.equal(statSync(file).mode & 0o777, 0o600, file);
    }
  });

  it('keeps the N most recently used jobs', async () => {
    const root = freshRoot();
    const cache = new JobCache(root, { maxJobs: 3, now: clock() });
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const job = await cache.openJob(key(n));
      await job.store(chunk(0, 16000));
      await job.finish(true);
      ids.push(job.id);
    }
    assert.deepEqual((await cache.list()).map((j) => j.id), [ids[4], ids[3], ids[2]]);
    assert.deepEqual(readdirSync(join(root, 'jobs')).sort(), [ids[2], ids[3], ids[4]].sort());
    // Using an old job again makes it recent.
    await (await cache.openJob(key(3))).finish(true);
    await (await cache.openJob(key(6))).finish(true);
    assert.deepEqual((await cache.list()).map((j) => j.id).sort(), [ids[2], ids[4], jobId(key(6))].sort());
  });

  it('removes the oldest jobs beyond the size cap after each job, but never the job just finished', async () => {
    const root = freshRoot();
    const text = 'x'.repeat(4000);
    const cache = new JobCache(root, { maxBytes: 20_000, now: clock() });
    for (let n = 1; n <= 4; n++) {
      const job = await cache.openJob(key(n));
      await job.store(chunk(0, 16000, text));
      await job.store(chunk(16000, 32000, text));
      await job.finish(true);
    }
    const jobs = await cache.list();
    assert.deepEqual(jobs.map((j) => j.id), [jobId(key(4)), jobId(key(3))]);
    assert.ok((await cache.totalBytes()) <= 20_000);
    assert.ok(jobs.every((j) => j.bytes > 8000 && j.chunks === 2 && j.complete));
    const huge = await cache.openJob(key(9));
    await huge.store(chunk(0, 16000, 'y'.repeat(30_000)));
    await huge.finish(true);
    assert.deepEqual((await cache.list()).map((j) => j.id), [jobId(key(9))], 'kept although it alone is over the cap');
  });

  it('reads the backup when the index is garbage, and rebuilds from the job folders when both are', async () => {
    const root = freshRoot();
    const cache = new JobCache(root, { now: clock() });
    for (let n = 1; n <= 3; n++) {
      const job = await cache.openJob(key(n), { source: `clip-${n}.wav` });
      for (let c = 0; c < n; c++) await job.store(chunk(c * 16000, (c + 1) * 16000));
      await job.finish(n !== 2);
    }
    const before = await cache.list();
    writeFileSync(join(root, 'index.json'), '{"version":1,"jobs":[{"id":');
    assert.deepEqual(await new JobCache(root).list(), before, 'from index.json.bak');
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')).jobs.length, 3, 'index.json rewritten');

    writeFileSync(join(root, 'index.json'), '\u0000\u0001garbage');
    writeFileSync(join(root, 'index.json.bak'), 'not json either');
    const rebuilt = await new JobCache(root).list();
    assert.deepEqual(rebuilt.map((j) => [j.id, j.chunks, j.source]).sort(), before.map((j) => [j.id, j.chunks, j.source]).sort());
    assert.ok(rebuilt.every((j) => j.bytes > 0));
    const job = await new JobCache(root).openJob(key(3));
    assert.equal(job.recordedBounds().length, 3, 'chunks still usable');
  });

  it('adds job folders the index misses and forgets entries whose folder is gone', async () => {
    const root = freshRoot();
    const a = await new JobCache(root).openJob(key(1));
    await a.store(chunk(0, 16000));
    writeFileSync(join(root, 'index.json'), JSON.stringify({ version: 1, jobs: [{ id: 'f'.repeat(32), createdAt: 1, usedAt: 1, bytes: 10, chunks: 1, complete: true }] }));
    const jobs = await new JobCache(root).list();
    assert.deepEqual(jobs.map((j) => [j.id, j.chunks]), [[a.id, 1]]);
  });

  it('ignores and removes a damaged chunk record (it is transcribed again)', async () => {
    const root = freshRoot();
    const job = await new JobCache(root).openJob(key(1));
    await job.store(chunk(0, 16000));
    await job.store(chunk(16000, 32000));
    writeFileSync(join(job.directory, 'chunk-000000016000.json'), '{"startSample":16000,"endSample":');
    const again = await new JobCache(root).openJob(key(1));
    assert.deepEqual(again.recordedBounds(), [{ startSample: 0, endSample: 16000 }]);
    assert.ok(!readdirSync(job.directory).includes('chunk-000000016000.json'));
  });

  it('lets a second run of the same job wait for a chunk still in flight', async () => {
    const root = freshRoot();
    const first = await new JobCache(root).openJob(key(1));
    let finish!: (record: ChunkRecord) => void;
    const work = new Promise<ChunkRecord>((resolve) => (finish = resolve));
    first.track({ startSample: 0, endSample: 20_000 }, work);
    const second = await new JobCache(root).openJob(key(1));
    assert.deepEqual(second.recordedBounds(), [{ startSample: 0, endSample: 20_000 }]);
    assert.equal(second.storedChunk(0), undefined);
    const waiting = second.inFlight(0);
    assert.ok(waiting);
    finish(chunk(0, 20_000));
    assert.deepEqual(await waiting, chunk(0, 20_000));
    await new Promise((r) => setImmediate(r));
    assert.equal(second.inFlight(0), undefined, 'forgotten once settled');
    // A failed chunk resolves waiters with undefined: they transcribe it themselves.
    first.track({ startSample: 20_000, endSample: 40_000 }, Promise.reject(new Error('worker died')));
    assert.equal(await second.inFlight(20_000), undefined);
  });

  it('clears everything, and drops chunks that finish after the clear', async () => {
    const root = freshRoot();
    const cache = new JobCache(root);
    const job = await cache.openJob(key(1));
    await job.store(chunk(0, 16000));
    await cache.clear();
    assert.deepEqual(readdirSync(root), []);
    await job.store(chunk(16000, 32000));
    assert.deepEqual(await cache.list(), []);
    assert.deepEqual(readdirSync(root).filter((n) => n === 'jobs'), []);
  });
});
