// The last N dictated phrases, newest first, whatever happened to them: inserted, sent to the clipboard or
// failed. This is what guarantees dictated text is never lost.
import type { TargetKind } from '../targets/targetChoice';

export type Delivery = 'inserted' | 'clipboard' | 'notInserted';

export interface HistoryEntry {
  text: string;
  at: number;
  delivery: Delivery;
  /** Where it went, e.g. the document's URI or the terminal's name. */
  target?: string;
  /** The kind of place it went to (editor, terminal, commit message, …). */
  kind?: TargetKind;
}

/** What is stored on disk: the entries and when the history was last cleared (in any window). */
export interface HistorySnapshot {
  entries: HistoryEntry[];
  clearedAt: number;
}

export class TranscriptHistory {
  private entries: HistoryEntry[] = [];
  private clearedAtMs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private capacity: number) {}

  add(entry: HistoryEntry): void {
    this.entries.unshift(entry);
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
    this.changed();
  }

  resize(capacity: number): void {
    this.capacity = Math.max(1, capacity);
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
    this.changed();
  }

  list(): readonly HistoryEntry[] {
    return this.entries;
  }

  get size(): number {
    return this.capacity;
  }

  /** When the history was last cleared (0: never); entries older than this never come back from another window's file. */
  get clearedAt(): number {
    return this.clearedAtMs;
  }

  clear(now = Date.now()): void {
    this.entries = [];
    this.clearedAtMs = Math.max(this.clearedAtMs, now);
    this.changed();
  }

  /** Called after every change (the persistence layer saves). Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes in a stored snapshot (from disk, possibly written by another window): the union, newest first, bounded. */
  merge(snapshot: HistorySnapshot): void {
    const merged = mergeSnapshots(this.snapshot(), snapshot, this.capacity);
    this.entries = merged.entries;
    this.clearedAtMs = merged.clearedAt;
    this.changed();
  }

  snapshot(): HistorySnapshot {
    return { entries: this.entries.slice(), clearedAt: this.clearedAtMs };
  }

  toJSON(): HistoryEntry[] {
    return this.entries.slice();
  }

  static fromJSON(value: unknown, capacity: number): TranscriptHistory {
    const history = new TranscriptHistory(capacity);
    history.entries = validEntries(value).slice(0, capacity);
    return history;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Keeps only well-formed entries of untrusted JSON (a file edited by hand, or written by an older version). */
export function validEntries(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  const entries: HistoryEntry[] = [];
  for (const item of value) {
    if (!item || typeof item.text !== 'string' || typeof item.at !== 'number' || !Number.isFinite(item.at)) continue;
    const delivery: Delivery = item.delivery === 'clipboard' || item.delivery === 'notInserted' ? item.delivery : 'inserted';
    const entry: HistoryEntry = { text: item.text, at: item.at, delivery };
    if (typeof item.target === 'string') entry.target = item.target;
    if (typeof item.kind === 'string') entry.kind = item.kind;
    entries.push(entry);
  }
  return entries;
}

/** The union of two snapshots: one copy of each phrase, none older than the latest clear, newest first, bounded. */
export function mergeSnapshots(a: HistorySnapshot, b: HistorySnapshot, capacity: number): HistorySnapshot {
  const clearedAt = Math.max(a.clearedAt, b.clearedAt);
  const seen = new Set<string>();
  const entries: HistoryEntry[] = [];
  for (const entry of [...a.entries, ...b.entries]) {
    const key = `${entry.at}\u0000${entry.text}`;
    if (entry.at < clearedAt || seen.has(key)) continue;
    seen.add(key);
    entries.push(entry);
  }
  entries.sort((x, y) => y.at - x.at);
  return { entries: entries.slice(0, Math.max(1, capacity)), clearedAt };
}
