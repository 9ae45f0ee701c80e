// When a recorder that died during a dictation may be started again. A recorder killed by the system (the OOM
// killer, a sound server restart, a stray `kill`) usually starts again fine, and restarting it keeps the person's
// dictation going; one that dies over and over (a device unplugged, a permission revoked, a broken driver) must not
// be restarted forever: the person needs the error and its advice instead.
//
// Two rules: a recorder that never delivered audio is never restarted (it cannot record at all, so the person gets
// today's clear error at once instead of after a loop), and at most `maxRestarts` restarts fall within any
// `windowMs` (then the next death stops the dictation with its error).

export interface RestartBudgetOptions {
  /** Restarts allowed within the window. Default 3. */
  maxRestarts?: number;
  /** The sliding window (ms). Default 60 s. */
  windowMs?: number;
}

export type RestartVerdict =
  | { restart: true; restarts: number }
  | { restart: false; reason: 'no-audio' | 'budget-used'; restarts: number };

export class RestartBudget {
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  /** When each restart within the window happened (ms). */
  private readonly recent: number[] = [];
  /** Every restart granted, for the session's counters. */
  total = 0;

  constructor(options: RestartBudgetOptions = {}) {
    this.maxRestarts = options.maxRestarts ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** A recorder died; `deliveredAudio`: it had sent at least one sample. Grants (and counts) a restart, or not. */
  onDeath(now: number, deliveredAudio: boolean): RestartVerdict {
    while (this.recent.length && now - this.recent[0] >= this.windowMs) this.recent.shift();
    if (!deliveredAudio) return { restart: false, reason: 'no-audio', restarts: this.total };
    if (this.recent.length >= this.maxRestarts) return { restart: false, reason: 'budget-used', restarts: this.total };
    this.recent.push(now);
    this.total++;
    return { restart: true, restarts: this.total };
  }

  /** Restarts within the window ending at `now`. */
  within(now: number): number {
    return this.recent.filter((at) => now - at < this.windowMs).length;
  }

  get limit(): { maxRestarts: number; windowMs: number } {
    return { maxRestarts: this.maxRestarts, windowMs: this.windowMs };
  }
}
