// Decides how hard the extension must save memory. Tiers: normal below 70 % of the limit, high from 70 %
// (clean up, smaller chunks, no live preview), critical from 85 % (pause capture to disk, unload the model).
// Hysteresis: a tier is entered at once but left only after usage has stayed a margin below its threshold for
// several samples, so the reactions do not flap. Very low free system memory escalates the tier on its own.

export type MemoryTier = 'normal' | 'high' | 'critical';

export type MemoryAction =
  | 'dropCaches'
  | 'shrinkBuffers'
  | 'halveChunk'
  | 'stopPreview'
  | 'spillToDisk'
  | 'pauseCapture'
  | 'unloadModel'
  | 'notifyUser'
  | 'resumeCapture'
  | 'growChunk'
  | 'resumePreview';

export interface MemorySample {
  /** The extension's own footprint in MB (worker + recorder + audio buffers). */
  usedMB: number;
  systemFreeMB: number;
  systemTotalMB: number;
}

export interface MemoryPolicyConfig {
  limitMB: number;
  highFraction: number;
  criticalFraction: number;
  /** Fraction of the limit usage must fall below a threshold to leave its tier. */
  releaseMargin: number;
  /** Consecutive calm samples needed to step down a tier. */
  calmSamples: number;
  /** System free memory (fraction of total) below which the tier is at least high / critical. */
  systemHighFreeFraction: number;
  systemCriticalFreeFraction: number;
}

export const DEFAULT_POLICY: Omit<MemoryPolicyConfig, 'limitMB'> = {
  highFraction: 0.7,
  criticalFraction: 0.85,
  releaseMargin: 0.05,
  calmSamples: 3,
  systemHighFreeFraction: 0.1,
  systemCriticalFreeFraction: 0.05,
};

export interface PolicyDecision {
  tier: MemoryTier;
  previousTier: MemoryTier;
  changed: boolean;
  actions: MemoryAction[];
  /** Usage as a fraction of the limit. */
  load: number;
}

const RANK: Record<MemoryTier, number> = { normal: 0, high: 1, critical: 2 };

export class MemoryPolicy {
  private tier: MemoryTier = 'normal';
  private calm = 0;
  private config: MemoryPolicyConfig;

  constructor(config: Partial<MemoryPolicyConfig> & { limitMB: number }) {
    this.config = { ...DEFAULT_POLICY, ...config };
  }

  /** A new limit (another model, or the setting changed): the tier and its hysteresis carry over to the next sample. */
  setLimitMB(limitMB: number): void {
    this.config = { ...this.config, limitMB };
  }

  get currentTier(): MemoryTier {
    return this.tier;
  }

  get limitMB(): number {
    return this.config.limitMB;
  }

  /** The tier this sample alone calls for, with no hysteresis. */
  private rawTier(sample: MemorySample): MemoryTier {
    const c = this.config;
    const load = sample.usedMB / c.limitMB;
    const freeFraction = sample.systemTotalMB > 0 ? sample.systemFreeMB / sample.systemTotalMB : 1;
    let tier: MemoryTier = load >= c.criticalFraction ? 'critical' : load >= c.highFraction ? 'high' : 'normal';
    if (freeFraction < c.systemCriticalFreeFraction) tier = 'critical';
    else if (freeFraction < c.systemHighFreeFraction && tier === 'normal') tier = 'high';
    return tier;
  }

  /** Whether usage is far enough below the current tier's entry point to count as calm. */
  private belowRelease(sample: MemorySample): boolean {
    const c = this.config;
    const threshold = this.tier === 'critical' ? c.criticalFraction : c.highFraction;
    const freeFraction = sample.systemTotalMB > 0 ? sample.systemFreeMB / sample.systemTotalMB : 1;
    const systemCalm = freeFraction >= (this.tier === 'critical' ? c.systemCriticalFreeFraction : c.systemHighFreeFraction) * 1.5;
    return sample.usedMB / c.limitMB < threshold - c.releaseMargin && systemCalm;
  }

  update(sample: MemorySample): PolicyDecision {
    const previousTier = this.tier;
    const wanted = this.rawTier(sample);
    if (RANK[wanted] > RANK[this.tier]) {
      this.tier = wanted;
      this.calm = 0;
    } else if (RANK[wanted] < RANK[this.tier] && this.belowRelease(sample)) {
      if (++this.calm >= this.config.calmSamples) {
        // Step down one tier at a time: critical → high → normal.
        this.tier = this.tier === 'critical' ? 'high' : 'normal';
        this.calm = 0;
      }
    } else {
      this.calm = 0;
    }
    return { tier: this.tier, previousTier, changed: this.tier !== previousTier, actions: actionsFor(previousTier, this.tier), load: sample.usedMB / this.config.limitMB };
  }
}

/** What to do when moving from one tier to another (nothing when the tier stays). */
export function actionsFor(from: MemoryTier, to: MemoryTier): MemoryAction[] {
  if (from === to) return [];
  if (RANK[to] > RANK[from]) {
    const actions: MemoryAction[] = [];
    if (from === 'normal') actions.push('dropCaches', 'shrinkBuffers', 'halveChunk', 'stopPreview');
    if (to === 'critical') actions.push('spillToDisk', 'pauseCapture', 'unloadModel', 'notifyUser');
    return actions;
  }
  const actions: MemoryAction[] = [];
  if (from === 'critical') actions.push('resumeCapture');
  if (to === 'normal') actions.push('growChunk', 'resumePreview');
  return actions;
}

/** Chunk length for long-file transcription under pressure: halved per high/critical step, with a floor. */
export class ChunkLengthController {
  constructor(
    private readonly maxSeconds = 30,
    private readonly minSeconds = 5,
    private current = maxSeconds,
  ) {}

  get seconds(): number {
    return this.current;
  }

  apply(actions: readonly MemoryAction[]): number {
    if (actions.includes('halveChunk') || actions.includes('unloadModel')) this.current = Math.max(this.minSeconds, this.current / 2);
    if (actions.includes('growChunk')) this.current = Math.min(this.maxSeconds, this.current * 2);
    return this.current;
  }
}

/** Current, peak and a bounded history of recent samples. */
export class MemoryStats<T extends { usedMB: number }> {
  private readonly ring: T[] = [];
  peakMB = 0;
  latest?: T;

  constructor(private readonly capacity = 120) {}

  add(sample: T): void {
    this.latest = sample;
    this.peakMB = Math.max(this.peakMB, sample.usedMB);
    this.ring.push(sample);
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  history(): readonly T[] {
    return this.ring;
  }
}
