// Transcribes an audio file of any length in flat memory. The file is read as a stream of 16 kHz blocks; chunks
// are cut from it at quiet points (about 30 s of audio per Whisper call, one second of the previous chunk in front
// for context), handed to one or more chunk transcribers, and only their text is kept. Memory therefore holds the
// chunks in flight plus the overlap, whatever the file's length.
//
// With one transcriber, chunks follow the decoder as whisper.cpp's CLI does: Whisper decodes one 30-s window and
// often stops at the last complete sentence a few seconds before the end; the next chunk starts there instead of
// Whisper encoding a second, mostly empty window for the remainder (which doubled the cost of every chunk). Parallel
// transcribers cannot wait for each other, so there each chunk is decoded to its end, at that cost.
//
// Each finished chunk goes to the job cache at once, so a cancelled or killed run resumes: a re-run follows the
// chunk boundaries the earlier run recorded and takes their text from the cache. Cancelling returns at once with
// what is done; a chunk already inside whisper.cpp (which cannot be interrupted) still finishes in the background
// and is stored, and a re-run started meanwhile waits for it instead of transcribing it twice.
import { WHISPER_SAMPLE_RATE } from '../../core/audio/convert';
import { contextStart } from '../../core/transcription/chunkBoundary';
import { ChunkPlanner, type ChunkBounds } from '../../core/transcription/chunkPlanner';
import { dropEchoes, dropOverlapSegments, removeSeamDuplicates } from '../../core/transcription/overlapMerge';
import { SampleWindow } from '../../core/transcription/sampleWindow';
import { dropSilenceHallucinations } from '../../core/transcription/silenceFilter';
import { tightenToSpeech } from '../../core/transcription/speechTiming';
import { segmentsText, shiftSegments, withoutOverlaps, type TimedSegment } from '../../core/transcription/timedSegment';
import type { TimeRange } from '../../core/transcription/timeRange';
import { sha256File } from '../download/sha256File';
import type { TranscriptSegment } from '../whisper/protocol';
import { openAudioSource, type AudioSource } from './audioSource';
import type { DecoderOptions } from './externalDecoder';
import type { CacheJob, ChunkRecord, JobCache } from './jobCache';

export interface ChunkTranscribeOptions {
  /** Decode only the first 30-s window; the caller continues from the end of the last segment returned. */
  readonly firstWindowOnly: boolean;
}

/** Turns one chunk of 16 kHz mono audio into segments timed from the start of that audio. */
export interface ChunkTranscriber {
  transcribe(pcm: Float32Array, options: ChunkTranscribeOptions): Promise<readonly TranscriptSegment[]>;
}

export interface TranscriptionProgress {
  /** 0…1 of the range; undefined when the length is unknown (a decoder that cannot tell it). */
  readonly fraction?: number;
  readonly processedSeconds: number;
  readonly totalSeconds?: number;
  readonly elapsedMs: number;
  /** From the speed of the chunks transcribed so far (cached ones cost nothing); undefined before the first. */
  readonly remainingMs?: number;
  readonly chunksDone: number;
  readonly chunksFromCache: number;
}

export interface LongFileOptions {
  readonly path: string;
  readonly range?: Partial<TimeRange>;
  /** Used concurrently, one chunk each: several Whisper workers transcribe several chunks at once. */
  readonly transcribers: readonly ChunkTranscriber[];
  /** What identifies the transcriber's output (model file and language): part of the cache key. */
  readonly modelId: string;
  /** Seconds of audio per Whisper call, overlap included (default 30, Whisper's window); a function is asked
   *  before each new chunk, so the memory policy can shorten chunks while a job runs. */
  readonly chunkSeconds?: number | (() => number);
  /** The chunk length that names the job in the cache when `chunkSeconds` is a function (default: its first value). */
  readonly nominalChunkSeconds?: number;
  readonly overlapSeconds?: number;
  /** How far before the nominal end of a chunk its quietest point is looked for. */
  readonly searchSeconds?: number;
  readonly cache?: JobCache;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TranscriptionProgress) => void;
  /** A chunk that could not be stored in the cache (the run goes on; only resuming suffers). */
  readonly onWarning?: (message: string) => void;
  readonly decoder?: DecoderOptions;
}

export interface LongFileResult {
  /** Absolute times: milliseconds from the start of the file. */
  readonly segments: TimedSegment[];
  readonly text: string;
  readonly cancelled: boolean;
  /** Chunks in this result, and how many of them came from the cache or were transcribed by this run. */
  readonly chunks: number;
  readonly chunksFromCache: number;
  readonly chunksTranscribed: number;
  readonly range: TimeRange;
  readonly durationSeconds?: number;
  /** Resolves once chunks still inside whisper.cpp after a cancel have finished and been stored. */
  readonly settled: Promise<void>;
}

const DEFAULT_CHUNK_SECONDS = 30;
const DEFAULT_OVERLAP_SECONDS = 1;
const DEFAULT_SEARCH_SECONDS = 3;
/** The worker refuses more than 10 minutes per call. */
const MAX_CHUNK_SECONDS = 600;
const SAMPLES_PER_MS = WHISPER_SAMPLE_RATE / 1000;
/** Undecoded audio shorter than this at a chunk's end is not carried over (whisper.cpp's own rule: 1 s). */
const CARRY_MIN_SAMPLES = WHISPER_SAMPLE_RATE;
/**
 * Silence appended to every chunk. whisper.cpp does not decode the last second of its input once it has placed a
 * segment boundary there, so words just before a cut would be lost; the padding is part of the chunk length, so a
 * chunk still fits one 30-s encoder window.
 */
const TAIL_PAD_SECONDS = 1;

const STOP = Symbol('stop');

/** Hands out idle transcribers; a chunk waits here when all are busy (this bounds the read-ahead). */
class TranscriberPool {
  private readonly idle: ChunkTranscriber[];
  private readonly waiting: ((transcriber: ChunkTranscriber) => void)[] = [];

  constructor(transcribers: readonly ChunkTranscriber[]) {
    this.idle = [...transcribers];
  }

  acquire(): Promise<ChunkTranscriber> {
    const transcriber = this.idle.shift();
    return transcriber ? Promise.resolve(transcriber) : new Promise((resolve) => this.waiting.push(resolve));
  }

  release(transcriber: ChunkTranscriber): void {
    const next = this.waiting.shift();
    if (next) next(transcriber);
    else this.idle.push(transcriber);
  }
}

interface ChunkOutcome {
  readonly record: ChunkRecord;
  readonly fromCache: boolean;
}

export async function transcribeLongFile(options: LongFileOptions): Promise<LongFileResult> {
  if (options.transcribers.length === 0) throw new Error('transcribeLongFile needs at least one chunk transcriber.');
  const started = Date.now();
  const source = await openAudioSource(options.path, { range: options.range, decoder: options.decoder });
  try {
    const job = options.cache ? await openJob(options, source) : undefined;
    return await new LongFileRun(options, source, job, started).execute();
  } finally {
    await source.close();
  }
}

async function openJob(options: LongFileOptions, source: AudioSource): Promise<CacheJob> {
  const chunkSeconds = options.nominalChunkSeconds ?? (typeof options.chunkSeconds === 'function' ? options.chunkSeconds() : (options.chunkSeconds ?? DEFAULT_CHUNK_SECONDS));
  const key = {
    fileSha256: await sha256File(source.path),
    fromSeconds: source.range.fromSeconds,
    toSeconds: source.range.toSeconds,
    model: options.modelId,
    chunkSeconds,
    overlapSeconds: options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS,
  };
  return options.cache!.openJob(key, { source: source.path });
}

class LongFileRun {
  private readonly window = new SampleWindow();
  private readonly pool: TranscriberPool;
  private readonly planner: ChunkPlanner;
  private readonly overlapSamples: number;
  private readonly tailPadSamples = TAIL_PAD_SECONDS * WHISPER_SAMPLE_RATE;
  private readonly rangeStartMs: number;
  /** One transcriber: each chunk starts where decoding of the previous one stopped (see the top of the file). */
  private readonly followDecoder: boolean;
  private readonly outcomes = new Map<number, ChunkOutcome>();
  private readonly running = new Set<Promise<unknown>>();
  private failure?: unknown;
  private readonly stopRequested: () => void;
  private readonly stopListeners = new Set<() => void>();
  private isStopped = false;
  private returned = false;
  private streamEnded = false;
  private firstLaunchAt?: number;
  private processedSamples = 0;
  private transcribedSamples = 0;
  private chunksFromCache = 0;
  private chunksTranscribed = 0;

  constructor(
    private readonly options: LongFileOptions,
    private readonly source: AudioSource,
    private readonly job: CacheJob | undefined,
    private readonly started: number,
  ) {
    this.pool = new TranscriberPool(options.transcribers);
    this.overlapSamples = Math.round((options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * WHISPER_SAMPLE_RATE);
    this.planner = new ChunkPlanner({
      recorded: job?.recordedBounds(),
      overlapSamples: this.overlapSamples,
      searchSamples: Math.round((options.searchSeconds ?? DEFAULT_SEARCH_SECONDS) * WHISPER_SAMPLE_RATE),
    });
    this.rangeStartMs = source.range.fromSeconds * 1000;
    this.followDecoder = options.transcribers.length === 1;
    this.stopRequested = () => {
      if (this.isStopped) return;
      this.isStopped = true;
      for (const listener of [...this.stopListeners]) listener();
      this.stopListeners.clear();
    };
    if (options.signal?.aborted) this.stopRequested();
  }

  async execute(): Promise<LongFileResult> {
    const blocks = this.source.blocks();
    const onAbort = () => this.stopRequested();
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.report();
      await this.planAndDispatch(blocks);
      if (!this.isStopped) await this.untilStopped(Promise.allSettled([...this.running]));
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      // Stops the reader (kills a decoder) without waiting for a read in progress.
      void blocks.return(undefined).catch(() => undefined);
    }
    if (this.failure !== undefined) throw this.failure;
    const result = this.result();
    // A finished job updates the cache index and applies its limits before the caller sees the result.
    if (!result.cancelled) await result.settled;
    return result;
  }

  private chunkSamples(): number {
    const seconds = typeof this.options.chunkSeconds === 'function' ? this.options.chunkSeconds() : (this.options.chunkSeconds ?? DEFAULT_CHUNK_SECONDS);
    const floor = 2 * (this.overlapSamples / WHISPER_SAMPLE_RATE) + TAIL_PAD_SECONDS + 1;
    const bounded = Math.min(MAX_CHUNK_SECONDS, Math.max(floor, Number.isFinite(seconds) ? seconds : DEFAULT_CHUNK_SECONDS));
    return Math.round(bounded * WHISPER_SAMPLE_RATE);
  }

  /**
   * `promise`, or STOP as soon as the run stops. Not Promise.race with one long-lived promise: every race would
   * leave a reaction on it holding its result, and the run would keep every block of audio it ever read.
   */
  private untilStopped<T>(promise: Promise<T>): Promise<T | typeof STOP> {
    if (this.isStopped) return Promise.resolve(STOP);
    return new Promise((resolve, reject) => {
      const onStop = () => resolve(STOP);
      this.stopListeners.add(onStop);
      promise.then(
        (value) => {
          this.stopListeners.delete(onStop);
          resolve(value);
        },
        (error: unknown) => {
          this.stopListeners.delete(onStop);
          reject(error);
        },
      );
    });
  }

  /** Reads one more block into the window; false when the run has to stop. */
  private async readMore(blocks: AsyncGenerator<Float32Array>): Promise<boolean> {
    const next = blocks.next();
    // If we stop first, the read still settles later (with an error once the source is closed): never unhandled.
    next.catch(() => undefined);
    const step = await this.untilStopped(next);
    if (step === STOP) return false;
    if (step.done) this.streamEnded = true;
    else this.window.append(step.value);
    return true;
  }

  private async planAndDispatch(blocks: AsyncGenerator<Float32Array>): Promise<void> {
    let start = 0;
    for (let index = 0; !this.isStopped; index++) {
      let bounds: ChunkBounds | undefined;
      // Asked once per chunk, so a chunk's plan does not change while its audio arrives.
      const windowSamples = this.chunkSamples() - this.tailPadSamples;
      while (!bounds) {
        const step = this.planner.next(start, this.window, this.streamEnded, windowSamples);
        if (step.kind === 'done') return;
        if (step.kind === 'chunk') bounds = step.bounds;
        else if (!(await this.readMore(blocks))) return;
      }
      const stored = this.job?.storedChunk(bounds.startSample);
      if (stored && this.belongsTo(stored, bounds)) {
        this.window.discardBefore(stored.endSample - this.overlapSamples);
        this.complete(index, { record: stored, fromCache: true });
        start = stored.endSample;
      } else {
        while (this.window.end < bounds.endSample && !this.streamEnded) if (!(await this.readMore(blocks))) return;
        // Boundaries recorded for audio this file does not have (cannot happen for the same content hash).
        if (this.window.end <= bounds.startSample) return;
        const overlapFrom = Math.max(0, bounds.startSample - this.overlapSamples);
        const inputStart = overlapFrom + contextStart(this.window.view(overlapFrom, bounds.startSample));
        const pcm = this.paddedCopy(inputStart, Math.min(bounds.endSample, this.window.end));
        // Following the decoder, the next chunk may start anywhere in this one: keep its audio until then.
        this.window.discardBefore((this.followDecoder ? bounds.startSample : bounds.endSample) - this.overlapSamples);
        const elsewhere = this.job?.inFlight(bounds.startSample);
        const transcriber = elsewhere ? undefined : await this.untilStopped(this.pool.acquire());
        if (transcriber === STOP) return;
        const finished = this.launch(index, bounds, pcm, inputStart, transcriber, elsewhere);
        if (!this.followDecoder) start = bounds.endSample;
        else {
          if ((await this.untilStopped(finished)) === STOP) return;
          const outcome = this.outcomes.get(index);
          if (!outcome) return;
          start = outcome.record.endSample;
          this.window.discardBefore(start - this.overlapSamples);
        }
      }
    }
  }

  /** Whether a chunk stored or transcribed by another run is the one planned at `bounds`. */
  private belongsTo(record: ChunkRecord, bounds: ChunkBounds): boolean {
    // Following the decoder, a chunk ends where its decoding stopped, which only the finished chunk knows.
    return record.startSample === bounds.startSample && (this.followDecoder || record.endSample === bounds.endSample);
  }

  /** The chunk's audio with silence after it: whisper.cpp skips speech in the last second of its input. */
  private paddedCopy(from: number, to: number): Float32Array {
    const audio = this.window.view(from, to);
    const pcm = new Float32Array(audio.length + this.tailPadSamples);
    pcm.set(audio);
    return pcm;
  }

  /** Starts transcribing a chunk; the promise settles (never rejects) once its outcome is recorded. */
  private launch(index: number, bounds: ChunkBounds, pcm: Float32Array, inputStart: number, transcriber: ChunkTranscriber | undefined, elsewhere: Promise<ChunkRecord | undefined> | undefined): Promise<void> {
    this.firstLaunchAt ??= Date.now();
    const work = (async (): Promise<ChunkOutcome> => {
      const fromOtherRun = elsewhere ? await elsewhere : undefined;
      if (fromOtherRun && this.belongsTo(fromOtherRun, bounds)) {
        if (transcriber) this.pool.release(transcriber);
        return { record: fromOtherRun, fromCache: true };
      }
      const worker = transcriber ?? (await this.pool.acquire());
      let record: ChunkRecord;
      try {
        record = this.toRecord(bounds, await worker.transcribe(pcm, { firstWindowOnly: this.followDecoder }), pcm, inputStart);
      } finally {
        this.pool.release(worker);
      }
      await this.job?.store(record).catch((error: unknown) => this.options.onWarning?.(`A transcribed chunk could not be cached: ${(error as Error).message}`));
      return { record, fromCache: false };
    })();
    if (this.job && !elsewhere) this.job.track(bounds, work.then((outcome) => outcome.record));
    const tracked = work.then(
      (outcome) => this.complete(index, outcome),
      (error: unknown) => {
        if (this.returned) return;
        this.failure ??= error;
        this.stopRequested();
      },
    );
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
    return tracked;
  }

  /**
   * Whisper's chunk-relative segments → this chunk's share of the transcript, in absolute time. Following the
   * decoder, the chunk ends where its last segment does when that is well before the planned end: the next chunk
   * transcribes the rest.
   */
  private toRecord(bounds: ChunkBounds, raw: readonly TranscriptSegment[], pcm: Float32Array, inputStart: number): ChunkRecord {
    const lengthMs = (bounds.endSample - inputStart) / SAMPLES_PER_MS;
    const relative = raw.map((s) => ({ startMs: Math.max(0, Math.min(s.fromMs, lengthMs)), endMs: Math.max(0, Math.min(s.toMs, lengthMs)), text: s.text, confidence: s.confidence }));
    const endSample = this.followDecoder ? this.decodedEnd(bounds, relative, inputStart) : bounds.endSample;
    const spoken = dropSilenceHallucinations(tightenToSpeech(relative, pcm, WHISPER_SAMPLE_RATE), pcm, WHISPER_SAMPLE_RATE);
    const own = dropEchoes(dropOverlapSegments(spoken, (bounds.startSample - inputStart) / SAMPLES_PER_MS));
    return { startSample: bounds.startSample, endSample, segments: shiftSegments(own, this.rangeStartMs + inputStart / SAMPLES_PER_MS) };
  }

  /** Where decoding of a chunk stopped (stream position), or its planned end when (nearly) all of it was decoded. */
  private decodedEnd(bounds: ChunkBounds, relative: readonly TimedSegment[], inputStart: number): number {
    if (relative.length === 0) return bounds.endSample;
    const end = inputStart + Math.round(Math.max(...relative.map((s) => s.endMs)) * SAMPLES_PER_MS);
    // A chunk must move past its own overlap, or the next one would start where this one did.
    const carries = end > bounds.startSample + this.overlapSamples && end < bounds.endSample - CARRY_MIN_SAMPLES;
    return carries ? end : bounds.endSample;
  }

  private complete(index: number, outcome: ChunkOutcome): void {
    if (this.returned) return;
    this.outcomes.set(index, outcome);
    const samples = outcome.record.endSample - outcome.record.startSample;
    this.processedSamples += samples;
    if (outcome.fromCache) this.chunksFromCache++;
    else {
      this.chunksTranscribed++;
      this.transcribedSamples += samples;
    }
    this.report();
  }

  private report(): void {
    if (!this.options.onProgress) return;
    const total = this.source.expectedSamples;
    const elapsedMs = Date.now() - this.started;
    const transcribingMs = this.firstLaunchAt === undefined ? 0 : Date.now() - this.firstLaunchAt;
    const remainingSamples = total === undefined ? undefined : Math.max(0, total - this.processedSamples);
    this.options.onProgress({
      fraction: total ? Math.min(1, this.processedSamples / total) : undefined,
      processedSeconds: this.processedSamples / WHISPER_SAMPLE_RATE,
      totalSeconds: total === undefined ? undefined : total / WHISPER_SAMPLE_RATE,
      elapsedMs,
      remainingMs: remainingSamples !== undefined && this.transcribedSamples > 0 ? Math.round((remainingSamples * transcribingMs) / this.transcribedSamples) : undefined,
      chunksDone: this.outcomes.size,
      chunksFromCache: this.chunksFromCache,
    });
  }

  private result(): LongFileResult {
    this.returned = true;
    const cancelled = this.isStopped;
    const segments: TimedSegment[] = [];
    let previous: readonly TimedSegment[] = [];
    let previousIndex = -2;
    for (const [index, outcome] of [...this.outcomes.entries()].sort((a, b) => a[0] - b[0])) {
      const seamMs = this.rangeStartMs + outcome.record.startSample / SAMPLES_PER_MS;
      const own = index === previousIndex + 1 ? removeSeamDuplicates(previous, outcome.record.segments, seamMs) : [...outcome.record.segments];
      segments.push(...own);
      previous = own;
      previousIndex = index;
    }
    const inFlight = Promise.allSettled([...this.running]);
    const settled = this.job
      ? inFlight.then(() => this.job!.finish(!cancelled)).catch((error: unknown) => this.options.onWarning?.(`The transcript cache index could not be updated: ${(error as Error).message}`))
      : inFlight.then(() => undefined);
    const ordered = withoutOverlaps(segments);
    return {
      segments: ordered,
      text: segmentsText(ordered),
      cancelled,
      chunks: this.outcomes.size,
      chunksFromCache: this.chunksFromCache,
      chunksTranscribed: this.chunksTranscribed,
      range: this.source.range,
      durationSeconds: this.source.durationSeconds,
      settled,
    };
  }
}
