// "Dictation: Test Microphone": the input level of the recorder's 16-bit PCM in blocks of 100 ms (a meter that moves
// ten times a second), and a verdict: no signal (no data, or digital zeros: a muted or permission-less microphone),
// too quiet, or fine.

/** Levels are dBFS: 0 is full scale; digital silence is −Infinity. */
export interface LevelBlock {
  rmsDbfs: number;
  peakDbfs: number;
  /** Every sample of the block was zero, give or take the recorder's dither (see DITHER_LSB). */
  digitalSilence: boolean;
}

export type MicrophoneVerdict =
  /** Nothing has been heard yet (or too little to judge). */
  | 'listening'
  /** The recorder delivers no data at all. */
  | 'no-data'
  /** Only zeros (or dither): the system hands out silence (muted, no permission, wrong device). */
  | 'no-signal'
  /** Sound arrives, but the loudest moment stays below TOO_QUIET_DBFS. */
  | 'too-quiet'
  | 'ok';

export const BLOCK_MS = 100;
/**
 * Speech a hand's width to an arm's length from a microphone reaches −30 to −15 dBFS in its loudest 100 ms (the
 * public clips played through the virtual microphone: −25 to −18). Below −40 dBFS the phrase detector, which needs
 * 12 dB above the room and never takes frames under −55 dBFS as speech, starts to miss soft words.
 */
export const TOO_QUIET_DBFS = -40;
/** Zeros or no data for this long are no accident of timing. */
export const NO_SIGNAL_MS = 1500;

/**
 * Recorders dither when they convert sample formats (sox turns the virtual microphone's zeros into ±1 LSB, −96 dBFS):
 * as for dictation's silent-microphone warning (ZeroInputDetector), ±2 LSB of 16-bit audio is still digital silence;
 * any real microphone's own noise is far above it.
 */
export const DITHER_LSB = 2;

export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity;
}

/** Level of little-endian signed 16-bit samples. */
export function measureBlock(pcm: Uint8Array): LevelBlock {
  const count = pcm.length >> 1;
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < count; i++) {
    let v = pcm[2 * i] | (pcm[2 * i + 1] << 8);
    if (v >= 0x8000) v -= 0x10000;
    const a = Math.abs(v);
    if (a > peak) peak = a;
    sum += v * v;
  }
  return {
    rmsDbfs: count ? toDbfs(Math.sqrt(sum / count) / 32768) : -Infinity,
    peakDbfs: toDbfs(peak / 32768),
    digitalSilence: peak <= DITHER_LSB,
  };
}

export interface MeterReading {
  /** The last full block (undefined before the first). */
  current?: LevelBlock;
  /** Loudest block RMS so far. */
  loudestDbfs: number;
  verdict: MicrophoneVerdict;
  /** Milliseconds of audio received. */
  receivedMs: number;
}

/**
 * Cuts a PCM stream into 100-ms blocks and judges it. The verdict is live: "no signal" as soon as 1.5 s of zeros
 * (or 1.5 s of wall time without data) has passed, "ok" from the first loud block; "too quiet" only once the test
 * has run `quietAfterMs` without a loud block, since silence before the person speaks is normal.
 */
export class LevelMeter {
  private pending = new Uint8Array(0);
  private blocks = 0;
  private silentBlocks = 0;
  private loudest = -Infinity;
  private last?: LevelBlock;

  constructor(
    private readonly sampleRate = 16000,
    private readonly quietAfterMs = 4000,
  ) {}

  private get blockBytes(): number {
    return ((this.sampleRate * BLOCK_MS) / 1000) * 2;
  }

  /** Adds recorder output; returns the blocks it completed (for the meter to show the latest). */
  push(chunk: Uint8Array): LevelBlock[] {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    const done: LevelBlock[] = [];
    let offset = 0;
    for (; offset + this.blockBytes <= joined.length; offset += this.blockBytes) {
      const block = measureBlock(joined.subarray(offset, offset + this.blockBytes));
      this.blocks++;
      if (block.digitalSilence) this.silentBlocks++;
      if (block.rmsDbfs > this.loudest) this.loudest = block.rmsDbfs;
      this.last = block;
      done.push(block);
    }
    this.pending = joined.slice(offset);
    return done;
  }

  /** The reading after `elapsedMs` of wall time since the recorder started. */
  reading(elapsedMs: number): MeterReading {
    const receivedMs = this.blocks * BLOCK_MS;
    return { current: this.last, loudestDbfs: this.loudest, receivedMs, verdict: this.verdict(elapsedMs, receivedMs) };
  }

  private verdict(elapsedMs: number, receivedMs: number): MicrophoneVerdict {
    if (this.loudest >= TOO_QUIET_DBFS) return 'ok';
    // A recorder may take a moment to start: judge missing data by wall time, but only well after the start.
    if (receivedMs === 0) return elapsedMs >= NO_SIGNAL_MS ? 'no-data' : 'listening';
    if (this.silentBlocks === this.blocks) return receivedMs >= NO_SIGNAL_MS ? 'no-signal' : 'listening';
    return elapsedMs >= this.quietAfterMs ? 'too-quiet' : 'listening';
  }
}

/** A text meter for a notification: ten cells from −60 to 0 dBFS, then the level ("▮▮▮▮▯▯▯▯▯▯ −28 dBFS"). */
export function meterBar(dbfs: number, cells = 10): string {
  const floor = -60;
  const filled = Number.isFinite(dbfs) ? Math.max(0, Math.min(cells, Math.round(((dbfs - floor) / -floor) * cells))) : 0;
  const level = Number.isFinite(dbfs) ? `${Math.round(dbfs)} dBFS` : '−∞ dBFS';
  return `${'▮'.repeat(filled)}${'▯'.repeat(cells - filled)} ${level}`;
}
