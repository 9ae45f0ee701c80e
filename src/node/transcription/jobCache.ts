// Finished chunks of long-file transcriptions, on disk, so a job that was cancelled, killed or interrupted by a
// reload continues where it stopped. A job is identified by what determines its text: the file's content hash, the
// range, the model and the chunk settings. Each chunk is one small JSON file written atomically the moment it is
// transcribed, holding its exact sample boundaries (a re-run must cut the audio where the earlier run did) and its
// segments. An index of jobs (last use, size) drives the limits: the most recent N jobs and a total size cap, applied
// after each job. The index is a convenience, never the truth: it is written atomically with a backup copy, and
// rebuilt from the job folders when both are unreadable. Everything is private to the user (files 0o600, folders
// 0o700): transcripts of meetings are personal data.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ChunkBounds } from '../../core/transcription/chunkPlanner';
import type { TimedSegment } from '../../core/transcription/timedSegment';
import { removeIfPresent, writeFileAtomically } from '../files/atomicFile';

/** Part of every job id: bump when the meaning of a stored chunk changes, so old records are never reused. */
const RECORD_FORMAT = 2;

export interface JobKey {
  readonly fileSha256: string;
  readonly fromSeconds: number;
  readonly toSeconds?: number;
  /** Model identity plus any decoding setting that changes the text (language). */
  readonly model: string;
  readonly chunkSeconds: number;
  readonly overlapSeconds: number;
}

export interface ChunkRecord extends ChunkBounds {
  /** Absolute times (ms from the start of the file), after the overlap and silence filters of this chunk. */
  readonly segments: readonly TimedSegment[];
}

export interface JobSummary {
  readonly id: string;
  readonly source?: string;
  readonly createdAt: number;
  readonly usedAt: number;
  readonly bytes: number;
  readonly chunks: number;
  readonly complete: boolean;
}

export interface JobCacheOptions {
  /** Jobs kept, most recently used first (default 20). */
  readonly maxJobs?: number;
  /** Total bytes of all jobs (default 200 MiB); the job just finished is kept even if it alone is larger. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

interface IndexFile {
  version: 1;
  jobs: JobSummary[];
}

interface InFlight {
  readonly bounds: ChunkBounds;
  readonly promise: Promise<ChunkRecord | undefined>;
}

// Shared by every JobCache of a root in this process: a re-run started while a chunk of the previous run is still
// in whisper.cpp (which cannot be interrupted) waits for that chunk instead of transcribing it again.
const inFlightByJob = new Map<string, Map<number, InFlight>>();
const indexQueues = new Map<string, Promise<unknown>>();
const generations = new Map<string, number>();

export function jobId(key: JobKey): string {
  const canonical = JSON.stringify([RECORD_FORMAT, key.fileSha256, key.fromSeconds, key.toSeconds ?? null, key.model, key.chunkSeconds, key.overlapSeconds]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

const ID_PATTERN = /^[0-9a-f]{32}$/;
/** The name of a finished chunk record (an atomic write's temp file is not one). */
export const CHUNK_PATTERN = /^chunk-(\d{12})\.json$/;

function chunkFileName(startSample: number): string {
  return `chunk-${String(startSample).padStart(12, '0')}.json`;
}

function isSegment(value: unknown): value is TimedSegment {
  const s = value as TimedSegment;
  return !!s && Number.isFinite(s.startMs) && Number.isFinite(s.endMs) && typeof s.text === 'string';
}

/**
 * A record's content and its checksum. A byte changed on disk can leave valid JSON with other words in it (the
 * fuzz test found " irst words" coming back from the cache): the checksum makes such a record a damaged one.
 */
function canonicalChunk(record: ChunkRecord): { content: string; sha256: string } {
  const content = JSON.stringify([record.startSample, record.endSample, record.segments.map((s) => [s.startMs, s.endMs, s.text])]);
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

function serialiseChunk(record: ChunkRecord): string {
  return JSON.stringify({ ...record, sha256: canonicalChunk(record).sha256 });
}

function parseChunk(text: string): ChunkRecord | undefined {
  try {
    const value = JSON.parse(text) as ChunkRecord & { sha256?: unknown };
    if (!Number.isInteger(value.startSample) || !Number.isInteger(value.endSample) || value.startSample < 0 || value.endSample <= value.startSample) return undefined;
    if (!Array.isArray(value.segments) || !value.segments.every(isSegment)) return undefined;
    const record = { startSample: value.startSample, endSample: value.endSample, segments: value.segments.map((s) => ({ startMs: s.startMs, endMs: s.endMs, text: s.text })) };
    return value.sha256 === canonicalChunk(record).sha256 ? record : undefined;
  } catch {
    return undefined;
  }
}

function parseIndex(text: string): IndexFile | undefined {
  try {
    const value = JSON.parse(text) as IndexFile;
    if (value?.version !== 1 || !Array.isArray(value.jobs)) return undefined;
    const valid = value.jobs.filter((j) => j && ID_PATTERN.test(j.id) && [j.createdAt, j.usedAt, j.bytes, j.chunks].every(Number.isFinite));
    return { version: 1, jobs: valid };
  } catch {
    return undefined;
  }
}

/** A temp file of an atomic write that a killed process left behind (one being written now is younger). */
async function removeStaleTemp(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info && Date.now() - info.mtimeMs > 60_000) await removeIfPresent(path).catch(() => undefined);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class JobCache {
  readonly root: string;
  private readonly maxJobs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(root: string, options: JobCacheOptions = {}) {
    this.root = resolve(root);
    this.maxJobs = Math.max(1, options.maxJobs ?? 20);
    this.maxBytes = Math.max(0, options.maxBytes ?? 200 * 1024 * 1024);
    this.now = options.now ?? Date.now;
  }

  private get jobsDirectory(): string {
    return join(this.root, 'jobs');
  }

  private get indexPath(): string {
    return join(this.root, 'index.json');
  }

  /** Opens (or creates) the job for `key`, with the chunks earlier runs stored. */
  async openJob(key: JobKey, info: { source?: string } = {}): Promise<CacheJob> {
    const id = jobId(key);
    const directory = join(this.jobsDirectory, id);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const manifest = join(directory, 'job.json');
    if ((await readText(manifest)) === undefined) await writeFileAtomically(manifest, JSON.stringify({ key, source: info.source, createdAt: this.now() }));
    const { chunks, bytes } = await this.loadChunks(directory);
    await this.updateIndex((index) => {
      const existing = index.jobs.find((j) => j.id === id);
      const entry: JobSummary = { id, source: info.source ?? existing?.source, createdAt: existing?.createdAt ?? this.now(), usedAt: this.now(), bytes, chunks: chunks.length, complete: existing?.complete ?? false };
      index.jobs = [...index.jobs.filter((j) => j.id !== id), entry];
    });
    return new CacheJob(this, id, directory, this.generation(), chunks);
  }

  /** The jobs in the cache, most recently used first. */
  async list(): Promise<JobSummary[]> {
    let jobs: JobSummary[] = [];
    await this.updateIndex((index) => {
      jobs = [...index.jobs];
    });
    return jobs.sort((a, b) => b.usedAt - a.usedAt);
  }

  /**
   * Applies the limits: keeps the `maxJobs` most recently used jobs, then removes the oldest until the total fits
   * `maxBytes`. `keep` (the job just finished) and jobs with chunks still in flight are never removed.
   */
  async enforceLimits(keep?: string): Promise<string[]> {
    const removed: string[] = [];
    await this.updateIndex(async (index) => {
      const protectedJob = (id: string) => id === keep || this.hasInFlight(id);
      const byRecency = [...index.jobs].sort((a, b) => b.usedAt - a.usedAt);
      const kept: JobSummary[] = [];
      for (const job of byRecency) {
        if (kept.length < this.maxJobs || protectedJob(job.id)) kept.push(job);
        else removed.push(job.id);
      }
      let total = kept.reduce((sum, job) => sum + job.bytes, 0);
      for (const job of [...kept].reverse()) {
        if (total <= this.maxBytes) break;
        if (protectedJob(job.id)) continue;
        removed.push(job.id);
        total -= job.bytes;
      }
      for (const id of removed) await rm(join(this.jobsDirectory, id), { recursive: true, force: true });
      index.jobs = index.jobs.filter((j) => !removed.includes(j.id));
    });
    return removed;
  }

  /** Removes every job (chunks still in flight are not stored afterwards). */
  async clear(): Promise<void> {
    await this.serialised(async () => {
      generations.set(this.root, this.generation() + 1);
      await rm(this.jobsDirectory, { recursive: true, force: true });
      await removeIfPresent(this.indexPath);
      await removeIfPresent(`${this.indexPath}.bak`);
    });
  }

  /** Total bytes of the jobs in the index. */
  async totalBytes(): Promise<number> {
    return (await this.list()).reduce((sum, job) => sum + job.bytes, 0);
  }

  generation(): number {
    return generations.get(this.root) ?? 0;
  }

  inFlightMap(id: string): Map<number, InFlight> {
    const key = `${this.root}\0${id}`;
    let map = inFlightByJob.get(key);
    if (!map) inFlightByJob.set(key, (map = new Map()));
    return map;
  }

  private hasInFlight(id: string): boolean {
    return (inFlightByJob.get(`${this.root}\0${id}`)?.size ?? 0) > 0;
  }

  /** Records that a job was used (and whether it is complete), refreshing its size from its folder. */
  async touch(id: string, complete: boolean | undefined): Promise<void> {
    const directory = join(this.jobsDirectory, id);
    const { chunks, bytes } = await this.loadChunks(directory);
    await this.updateIndex((index) => {
      const existing = index.jobs.find((j) => j.id === id);
      if (!existing) return;
      const entry: JobSummary = { ...existing, usedAt: this.now(), bytes, chunks: chunks.length, complete: complete ?? existing.complete };
      index.jobs = index.jobs.map((j) => (j.id === id ? entry : j));
    });
  }

  private async loadChunks(directory: string): Promise<{ chunks: ChunkRecord[]; bytes: number }> {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch {
      return { chunks: [], bytes: 0 };
    }
    const chunks: ChunkRecord[] = [];
    let bytes = 0;
    for (const name of names) {
      const path = join(directory, name);
      if (name.startsWith('.')) {
        await removeStaleTemp(path);
        continue;
      }
      const text = await readText(path);
      if (text === undefined) continue;
      bytes += Buffer.byteLength(text);
      if (!CHUNK_PATTERN.test(name)) continue;
      const chunk = parseChunk(text);
      // A damaged record is worth nothing: the chunk is simply transcribed again.
      if (chunk && chunkFileName(chunk.startSample) === name) chunks.push(chunk);
      else await removeIfPresent(path);
    }
    return { chunks: chunks.sort((a, b) => a.startSample - b.startSample), bytes };
  }

  /** Reads the index (or its backup, or rebuilds it), lets `change` edit it, and writes it back with a backup. */
  private updateIndex(change: (index: IndexFile) => void | Promise<void>): Promise<void> {
    return this.serialised(async () => {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      const index = (await this.readIndex()) ?? { version: 1, jobs: [] };
      await this.reconcile(index);
      await change(index);
      const text = JSON.stringify(index);
      await writeFileAtomically(this.indexPath, text);
      await writeFileAtomically(`${this.indexPath}.bak`, text);
    });
  }

  private async readIndex(): Promise<IndexFile | undefined> {
    for (const path of [this.indexPath, `${this.indexPath}.bak`]) {
      const text = await readText(path);
      const index = text === undefined ? undefined : parseIndex(text);
      if (index) return index;
    }
    return undefined;
  }

  /** Makes the index agree with the job folders: folders it misses are scanned in, entries without one dropped. */
  private async reconcile(index: IndexFile): Promise<void> {
    let folders: string[] = [];
    try {
      folders = (await readdir(this.jobsDirectory)).filter((name) => ID_PATTERN.test(name));
    } catch {
      // no jobs yet
    }
    const present = new Set(folders);
    const seen = new Set<string>();
    index.jobs = index.jobs.filter((j) => present.has(j.id) && !seen.has(j.id) && seen.add(j.id));
    for (const id of folders.filter((name) => !seen.has(name))) index.jobs.push(await this.scanJob(id));
  }

  private async scanJob(id: string): Promise<JobSummary> {
    const directory = join(this.jobsDirectory, id);
    const { chunks, bytes } = await this.loadChunks(directory);
    const manifest = await readText(join(directory, 'job.json'));
    let source: string | undefined;
    let createdAt: number | undefined;
    try {
      ({ source, createdAt } = JSON.parse(manifest ?? '') as { source?: string; createdAt?: number });
    } catch {
      // a job folder without its manifest still holds usable chunks (its id is the key's hash)
    }
    const usedAt = (await stat(directory).catch(() => undefined))?.mtimeMs ?? this.now();
    return { id, source, createdAt: Number.isFinite(createdAt) ? createdAt! : usedAt, usedAt, bytes, chunks: chunks.length, complete: false };
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const previous = indexQueues.get(this.root) ?? Promise.resolve();
    const next = previous.then(task, task);
    indexQueues.set(this.root, next.catch(() => undefined));
    return next;
  }
}

/** One job's chunks: those stored, and those being transcribed in this process right now. */
export class CacheJob {
  private readonly stored = new Map<number, ChunkRecord>();

  constructor(
    private readonly cache: JobCache,
    readonly id: string,
    readonly directory: string,
    private readonly generation: number,
    chunks: readonly ChunkRecord[],
  ) {
    for (const chunk of chunks) this.stored.set(chunk.startSample, chunk);
  }

  /** Boundaries earlier runs fixed: stored chunks and chunks in flight, by start. */
  recordedBounds(): ChunkBounds[] {
    const bounds = new Map<number, ChunkBounds>();
    for (const chunk of this.stored.values()) bounds.set(chunk.startSample, { startSample: chunk.startSample, endSample: chunk.endSample });
    for (const flight of this.cache.inFlightMap(this.id).values()) bounds.set(flight.bounds.startSample, flight.bounds);
    return [...bounds.values()].sort((a, b) => a.startSample - b.startSample);
  }

  storedChunk(startSample: number): ChunkRecord | undefined {
    return this.stored.get(startSample);
  }

  /** The chunk another run in this process is transcribing, if any. */
  inFlight(startSample: number): Promise<ChunkRecord | undefined> | undefined {
    return this.cache.inFlightMap(this.id).get(startSample)?.promise;
  }

  /** Registers a chunk being transcribed until `work` settles (a failure resolves waiters with undefined). */
  track(bounds: ChunkBounds, work: Promise<ChunkRecord>): void {
    const map = this.cache.inFlightMap(this.id);
    const promise = work.then(
      (record) => record,
      () => undefined,
    );
    const entry = { bounds, promise };
    map.set(bounds.startSample, entry);
    void promise.then(() => {
      if (map.get(bounds.startSample) === entry) map.delete(bounds.startSample);
    });
  }

  /** Writes a finished chunk atomically; a chunk of a job cleared meanwhile is dropped. */
  async store(record: ChunkRecord): Promise<void> {
    if (this.cache.generation() !== this.generation) return;
    // The folder may have been removed by a limit check in another process: recreate it.
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await writeFileAtomically(join(this.directory, chunkFileName(record.startSample)), serialiseChunk(record));
    this.stored.set(record.startSample, record);
  }

  /** Ends a run: refreshes the job's index entry and applies the cache limits (this job is kept). */
  async finish(complete: boolean): Promise<void> {
    await this.cache.touch(this.id, complete);
    await this.cache.enforceLimits(this.id);
  }
}
