// Voice-activity segmentation for dictation: cuts a continuous 16 kHz stream into phrases at pauses.
//
// Energy per 30-ms frame is compared with an adaptive noise floor (it follows the room quickly downwards and
// slowly upwards, so speech does not raise it). Speech starts after a few loud frames and ends after `pauseMs`
// below the stop threshold. Each phrase carries a little audio before its first loud frame (pre-roll: soft word
// onsets) and after its last (trailing consonants). A phrase longer than `maxPhraseMs` is cut at the quietest frame
// of its last seconds and continues. Digital silence and steady noise never make a phrase.

export interface SegmenterConfig {
  sampleRate: number;
  pauseMs: number;
  maxPhraseMs: number;
  preRollMs: number;
  trailMs: number;
  /** Speech shorter than this (in loud frames) is a click or a breath, not a phrase. */
  minSpeechMs: number;
  /** dB above the noise floor that starts / sustains speech. */
  startMarginDb: number;
  stopMarginDb: number;
  /** Frames quieter than this (dBFS) are never speech, whatever the floor. */
  minSpeechDbfs: number;
}

export const DEFAULT_SEGMENTER_CONFIG: SegmenterConfig = {
  sampleRate: 16000,
  pauseMs: 700,
  // Whisper hears at most 30 s at once. A long monologue is cut at a quiet frame of its last seconds so its first
  // part is transcribed while the speaker goes on: kept whole up to 28 s, the public set's two 27-s monologues
  // lost 3 word errors offline but their text landed 1.6-1.7 s after the speaker stopped (1.1 s to transcribe 27 s
  // on 2 cores) instead of under a second (bench:dictation, p90 1629 against 917 ms).
  maxPhraseMs: 25000,
  // Measured on the public clips with fitted encoder windows (bench/results/encoder-window.md, endpointing): 500 ms
  // of pre-roll keeps soft onsets (the whispered clip's first word), 400 ms of trail the sentence-final words that
  // fall below the voice's peak; 25 word errors in 328 against 28 with 300 / 200.
  preRollMs: 500,
  trailMs: 400,
  minSpeechMs: 200,
  startMarginDb: 12,
  stopMarginDb: 7,
  minSpeechDbfs: -55,
};

export interface SegmentedPhrase {
  samples: Float32Array;
  /** Sample offsets in the stream since the segmenter started. */
  startSample: number;
  endSample: number;
  /** Milliseconds of the end of speech (last loud frame) since the start of the stream. */
  endMs: number;
  /** Milliseconds of loud frames in the phrase. */
  speechMs: number;
  /** Mean level of the loud frames, in dBFS. */
  speechDbfs: number;
  /** What ended it: a pause, the stream (dictation stopped), or `maxPhraseMs` while the speaker went on. */
  endedBy: PhraseEnd;
}

export type PhraseEnd = 'pause' | 'stop' | 'length';

const FRAME_MS = 30;
/** ~3 s of frames for the noise-floor estimate. */
const FLOOR_WINDOW_FRAMES = 100;
const FLOOR_MIN_DB = -75;
/** Until a second of audio has been heard the floor is assumed no higher than this (dictation may start mid-word). */
const FLOOR_INITIAL_MAX_DB = -50;
/** Within a phrase, frames this far below the voice's recent peak level count as pause (reverberant rooms). */
const PAUSE_BELOW_PEAK_DB = 25;
/** The peak follower decays this much per frame (~3 dB/s), so it tracks a speaker who gets quieter. */
const PEAK_DECAY_DB = 0.1;
/**
 * Speech rises and falls with its syllables: over its first 1.5 s the frame levels of every phrase of the public
 * clips spread by more than 4 dB (robust standard deviation, spreadDb). White and pink noise that starts suddenly
 * (a fan, traffic) spread by 0.3–1 dB. Such
 * a "phrase" is noise: it is dropped and its level becomes the floor at once (waiting for the floor to climb
 * slowly would let Whisper invent "You" from it; bench/results/nonspeech.md).
 */
const STEADY_CHECK_FRAMES = 50;
const STEADY_SPREAD_DB = 2.5;

/** A frame's level for statistics: digital silence (−∞ dB) counts as the floor's minimum. */
function finiteLevel(db: number): number {
  return Number.isFinite(db) ? db : FLOOR_MIN_DB;
}

/**
 * How widely frame levels (dB) spread, robustly: the interquartile range scaled to a standard deviation, so the few
 * frames of a step into the noise (or a click) do not count as the rise and fall of speech.
 */
function spreadDb(levels: readonly number[]): number {
  const sorted = levels.map(finiteLevel).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return (at(0.75) - at(0.25)) / 1.35;
}

export function frameDbfs(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, to - from));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

/** A growable sample store made of fixed chunks, so appending never copies what is already stored. */
class SampleList {
  private chunks: Float32Array[] = [];
  length = 0;

  push(samples: Float32Array): void {
    this.chunks.push(samples);
    this.length += samples.length;
  }

  /** Copies samples [from, to) into one array. */
  slice(from: number, to: number): Float32Array {
    const out = new Float32Array(Math.max(0, to - from));
    let position = 0;
    for (const chunk of this.chunks) {
      const start = Math.max(from - position, 0);
      const end = Math.min(to - position, chunk.length);
      if (end > start) out.set(chunk.subarray(start, end), position + start - from);
      position += chunk.length;
      if (position >= to) break;
    }
    return out;
  }

  /** Drops the first `count` samples. */
  dropFront(count: number): void {
    let remaining = count;
    while (remaining > 0 && this.chunks.length) {
      const first = this.chunks[0];
      if (first.length <= remaining) {
        this.chunks.shift();
        remaining -= first.length;
      } else {
        this.chunks[0] = first.subarray(remaining);
        remaining = 0;
      }
    }
    this.length = Math.max(0, this.length - count);
  }
}

export class PhraseSegmenter {
  private readonly config: SegmenterConfig;
  private readonly frameSize: number;
  /** Audio not yet framed (less than one frame). */
  private pending = new Float32Array(0);
  /** Audio kept since `bufferStart`: the pre-roll while silent, the whole phrase while speaking. */
  private readonly buffer = new SampleList();
  private bufferStart = 0;
  private noiseFloorDb = FLOOR_MIN_DB;
  private recentLevels: number[] = [];
  private peakDb = -Infinity;
  private inSpeech = false;
  private loudRun = 0;
  private quietRun = 0;
  private phraseStart = 0;
  private speechOnset = 0;
  private lastLoudEnd = 0;
  private speechFrames = 0;
  private speechEnergyDb = 0;
  /** Per-frame levels of the current phrase, for cutting long phrases at the quietest point. */
  private phraseFrameDb: number[] = [];
  /** Would-be phrases dropped as steady noise (see STEADY_SPREAD_DB). */
  steadyNoiseDropped = 0;

  constructor(
    private readonly emit: (phrase: SegmentedPhrase) => void,
    config: Partial<SegmenterConfig> = {},
  ) {
    this.config = { ...DEFAULT_SEGMENTER_CONFIG, ...config };
    this.frameSize = Math.round((this.config.sampleRate * FRAME_MS) / 1000);
  }

  /** True while the person is speaking (for the live preview and the status bar). */
  get speaking(): boolean {
    return this.inSpeech;
  }

  get noiseFloorDbfs(): number {
    return this.noiseFloorDb;
  }

  /** Bytes of audio this segmenter holds (for the audio-buffer tracker). */
  get bufferedBytes(): number {
    return (this.buffer.length + this.pending.length) * 4;
  }

  /** The audio of the phrase being spoken so far (for a live preview), or undefined when silent. */
  currentPhrase(): Float32Array | undefined {
    if (!this.inSpeech) return undefined;
    return this.buffer.slice(this.phraseStart - this.bufferStart, this.buffer.length);
  }

  /** Stream position (samples) where the speech of the current phrase began (after its pre-roll); undefined when silent. */
  get speechStartSample(): number | undefined {
    return this.inSpeech ? this.speechOnset : undefined;
  }

  /** Quiet kept after a phrase's last loud frame: from this far into a pause, tentativePhrase() is final. */
  get trailMs(): number {
    return this.config.trailMs;
  }

  /** Milliseconds the current phrase has been pausing (0 while speech goes on, or when silent). */
  get pauseSoFarMs(): number {
    return this.inSpeech ? this.quietRun * FRAME_MS : 0;
  }

  /**
   * While the speaker pauses, the phrase as it will be emitted if the pause lasts: the same start and the same speech
   * (its last loud frame, `endMs`), with as much of the trail as has been heard (at most `trailMs` of quiet, so from
   * then on exactly the phrase to come). Dictation transcribes it before the pause is over. Undefined while speech
   * goes on, or when the phrase holds too little speech.
   */
  tentativePhrase(): SegmentedPhrase | undefined {
    if (!this.inSpeech || this.quietRun === 0) return undefined;
    return this.phraseOf(this.phraseStart, this.phraseEndAfterPause(), 'pause');
  }

  push(samples: Float32Array): void {
    let input = samples;
    if (this.pending.length) {
      input = new Float32Array(this.pending.length + samples.length);
      input.set(this.pending);
      input.set(samples, this.pending.length);
    }
    const whole = input.length - (input.length % this.frameSize);
    for (let at = 0; at < whole; at += this.frameSize) this.processFrame(input.subarray(at, at + this.frameSize));
    this.pending = input.slice(whole);
  }

  /** Ends the stream: a phrase in progress is emitted now (used when dictation stops). */
  flush(): void {
    if (this.pending.length) {
      const padded = new Float32Array(this.frameSize);
      padded.set(this.pending);
      this.pending = new Float32Array(0);
      this.processFrame(padded);
    }
    if (this.inSpeech) this.endPhrase(this.streamPosition(), 'stop');
  }

  private streamPosition(): number {
    return this.bufferStart + this.buffer.length;
  }

  private processFrame(frame: Float32Array): void {
    const copy = new Float32Array(frame);
    this.buffer.push(copy);
    const db = frameDbfs(copy);
    this.updateNoiseFloor(db);
    const c = this.config;
    const loud = db > this.noiseFloorDb + c.startMarginDb && db > c.minSpeechDbfs;
    if (this.inSpeech) this.peakDb = Math.max(db, this.peakDb - PEAK_DECAY_DB);
    const sustained = db > Math.max(this.noiseFloorDb + c.stopMarginDb, this.peakDb - PAUSE_BELOW_PEAK_DB) && db > c.minSpeechDbfs;
    const frameEnd = this.streamPosition();

    if (!this.inSpeech) {
      this.loudRun = loud ? this.loudRun + 1 : 0;
      if (this.loudRun >= 3) this.startPhrase(frameEnd, db);
      else this.trimPreRoll();
      return;
    }

    this.phraseFrameDb.push(db);
    if (this.phraseFrameDb.length === STEADY_CHECK_FRAMES && spreadDb(this.phraseFrameDb) < STEADY_SPREAD_DB) {
      this.dropSteadyNoise();
      return;
    }
    if (sustained) {
      this.quietRun = 0;
      this.lastLoudEnd = frameEnd;
      if (loud) {
        this.speechFrames++;
        this.speechEnergyDb += db;
      }
    } else {
      this.quietRun++;
    }
    if (this.quietRun * FRAME_MS >= c.pauseMs) {
      this.endPhrase(this.phraseEndAfterPause(), 'pause');
    } else if (frameEnd - this.phraseStart >= this.ms(c.maxPhraseMs)) {
      this.cutLongPhrase();
    }
  }

  /**
   * Minimum statistics: the floor is a low percentile of the levels of the last few seconds of non-speech, so it
   * follows the room but never the voice. Clamped, so that digital silence (−∞ dB) does not make every later
   * sound look like speech.
   */
  private updateNoiseFloor(db: number): void {
    if (this.inSpeech) return;
    this.recentLevels.push(finiteLevel(db));
    if (this.recentLevels.length > FLOOR_WINDOW_FRAMES) this.recentLevels.shift();
    this.settleFloor();
  }

  /** The floor from the recent levels: their 20th percentile (capped while fewer than a second's worth are known). */
  private settleFloor(): void {
    const sorted = [...this.recentLevels].sort((a, b) => a - b);
    const percentile = sorted[Math.floor(sorted.length * 0.2)];
    const settled = this.recentLevels.length >= FLOOR_WINDOW_FRAMES / 3;
    this.noiseFloorDb = Math.max(FLOOR_MIN_DB, settled ? percentile : Math.min(FLOOR_INITIAL_MAX_DB, percentile));
  }

  /** Where a phrase that ends at this pause ends: its last loud frame plus the trail (never past the stream). */
  private phraseEndAfterPause(): number {
    return Math.min(this.streamPosition(), this.lastLoudEnd + this.ms(this.config.trailMs));
  }

  private ms(ms: number): number {
    return Math.round((ms * this.config.sampleRate) / 1000);
  }

  private trimPreRoll(): void {
    const keep = this.ms(this.config.preRollMs) + this.frameSize * 3;
    const excess = this.buffer.length - keep;
    if (excess > 0) {
      this.buffer.dropFront(excess);
      this.bufferStart += excess;
    }
  }

  private startPhrase(frameEnd: number, db: number): void {
    this.inSpeech = true;
    const onset = frameEnd - this.frameSize * 3;
    this.speechOnset = onset;
    this.phraseStart = Math.max(this.bufferStart, onset - this.ms(this.config.preRollMs));
    this.lastLoudEnd = frameEnd;
    this.quietRun = 0;
    this.speechFrames = 3;
    this.speechEnergyDb = db * 3;
    this.peakDb = db;
    this.phraseFrameDb = [];
  }

  private endPhrase(end: number, endedBy: PhraseEnd): void {
    this.emitRange(this.phraseStart, end, endedBy);
    this.inSpeech = false;
    this.loudRun = 0;
    this.quietRun = 0;
    this.phraseFrameDb = [];
    // Keep only what the next phrase's pre-roll may need.
    const drop = end - this.bufferStart;
    this.buffer.dropFront(drop);
    this.bufferStart = end;
    this.trimPreRoll();
  }

  /** The phrase so far was steady noise, not speech: forget it, and let the floor take the noise's level now. */
  private dropSteadyNoise(): void {
    this.recentLevels = this.phraseFrameDb.map(finiteLevel).slice(-FLOOR_WINDOW_FRAMES);
    this.settleFloor();
    this.inSpeech = false;
    this.loudRun = 0;
    this.quietRun = 0;
    this.phraseFrameDb = [];
    this.steadyNoiseDropped++;
    this.trimPreRoll();
  }

  /** Cuts at the quietest frame of the last third of a too-long phrase and keeps speaking into the rest. */
  private cutLongPhrase(): void {
    const levels = this.phraseFrameDb;
    const from = Math.floor((levels.length * 2) / 3);
    let quietest = levels.length - 1;
    for (let i = from; i < levels.length; i++) if (levels[i] < levels[quietest]) quietest = i;
    // phraseFrameDb[i] is the frame ending at phraseStartFrameEnd + i frames; map back to a sample offset.
    const firstFrameEnd = this.streamPosition() - (levels.length - 1) * this.frameSize;
    const cut = Math.min(this.streamPosition(), firstFrameEnd + quietest * this.frameSize);
    this.emitRange(this.phraseStart, cut, 'length');
    const drop = cut - this.bufferStart;
    this.buffer.dropFront(drop);
    this.bufferStart = cut;
    this.phraseStart = cut;
    this.speechOnset = cut;
    this.phraseFrameDb = levels.slice(quietest + 1);
    this.speechFrames = 0;
    this.speechEnergyDb = 0;
  }

  private emitRange(start: number, end: number, endedBy: PhraseEnd): void {
    const phrase = this.phraseOf(start, end, endedBy);
    if (phrase) this.emit(phrase);
  }

  /** The phrase [start, end) of the buffer, or undefined when it holds too little speech. */
  private phraseOf(start: number, end: number, endedBy: PhraseEnd): SegmentedPhrase | undefined {
    const speechMs = this.speechFrames * FRAME_MS;
    if (end <= start || speechMs < this.config.minSpeechMs) return undefined;
    return {
      samples: this.buffer.slice(start - this.bufferStart, end - this.bufferStart),
      startSample: start,
      endSample: end,
      endMs: (Math.min(end, this.lastLoudEnd) / this.config.sampleRate) * 1000,
      speechMs,
      speechDbfs: this.speechFrames ? this.speechEnergyDb / this.speechFrames : -Infinity,
      endedBy,
    };
  }
}

/**
 * Notices a microphone that delivers no signal (e.g. macOS without microphone permission, a muted device):
 * calls `onSilentMicrophone` once when the first `windowMs` of audio are all digital silence. Recorders may dither
 * when they convert sample formats, so ±2 LSB of 16-bit audio still counts as silence; any real microphone's own
 * noise is far above that.
 */
const SILENT_INPUT_MAX = 2 / 32768;

export class ZeroInputDetector {
  private zeroSamples = 0;
  private decided = false;

  constructor(
    private readonly onSilentMicrophone: () => void,
    private readonly windowMs = 2000,
    private readonly sampleRate = 16000,
  ) {}

  push(samples: Float32Array): void {
    if (this.decided) return;
    for (let i = 0; i < samples.length; i++) {
      if (Math.abs(samples[i]) > SILENT_INPUT_MAX) {
        this.decided = true;
        return;
      }
    }
    this.zeroSamples += samples.length;
    if (this.zeroSamples >= (this.windowMs * this.sampleRate) / 1000) {
      this.decided = true;
      this.onSilentMicrophone();
    }
  }
}
