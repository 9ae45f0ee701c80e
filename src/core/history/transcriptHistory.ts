// The last N dictated phrases, newest first, whatever happened to them: inserted, sent to the clipboard or
// failed. This is what guarantees dictated text is never lost.

export type Delivery = 'inserted' | 'clipboard' | 'notInserted';

export interface HistoryEntry {
  text: string;
  at: number;
  delivery: Delivery;
  /** Where it went, e.g. the document's file name. */
  target?: string;
}

export class TranscriptHistory {
  private entries: HistoryEntry[] = [];

  constructor(private capacity: number) {}

  add(entry: HistoryEntry): void {
    this.entries.unshift(entry);
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
  }

  resize(capacity: number): void {
    this.capacity = Math.max(1, capacity);
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
  }

  list(): readonly HistoryEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }

  toJSON(): HistoryEntry[] {
    return this.entries.slice();
  }

  static fromJSON(value: unknown, capacity: number): TranscriptHistory {
    const history = new TranscriptHistory(capacity);
    if (Array.isArray(value)) {
      for (const item of value.slice(0, capacity)) {
        if (item && typeof item.text === 'string' && typeof item.at === 'number') {
          history.entries.push({ text: item.text, at: item.at, delivery: item.delivery ?? 'inserted', target: item.target });
        }
      }
    }
    return history;
  }
}
