// Chunk length under memory pressure for long-file transcription outside VS Code: samples this process and the
// Whisper workers every few seconds, feeds the shared memory policy, and lets its halve/grow actions set the chunk
// length the transcriber asks for before each chunk (shorter chunks mean smaller audio buffers in every worker).
import * as os from 'node:os';
import { ChunkLengthController, MemoryPolicy } from '../../core/memory/memoryPolicy';
import { processRssMB } from '../memory/memoryMonitor';

const MB = 1024 * 1024;

export interface ChunkLengthGovernorOptions {
  readonly maxSeconds: number;
  readonly minSeconds: number;
  readonly limitMB: number;
  readonly workerPids: () => readonly (number | undefined)[];
  readonly intervalMs?: number;
}

export class ChunkLengthGovernor {
  private readonly controller: ChunkLengthController;
  private readonly policy: MemoryPolicy;
  private readonly timer: NodeJS.Timeout;
  private sampling = false;

  constructor(private readonly options: ChunkLengthGovernorOptions) {
    this.controller = new ChunkLengthController(options.maxSeconds, Math.min(options.minSeconds, options.maxSeconds));
    this.policy = new MemoryPolicy({ limitMB: options.limitMB });
    this.timer = setInterval(() => void this.sample(), options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** The chunk length to use now (the transcriber's chunk-seconds callback). */
  readonly seconds = (): number => this.controller.seconds;

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const workers = await Promise.all(this.options.workerPids().map((pid) => processRssMB(pid)));
      const usedMB = process.memoryUsage().rss / MB + workers.reduce<number>((sum, rss) => sum + (rss ?? 0), 0);
      const decision = this.policy.update({ usedMB, systemFreeMB: os.freemem() / MB, systemTotalMB: os.totalmem() / MB });
      this.controller.apply(decision.actions);
    } finally {
      this.sampling = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
