// Knows every live audio buffer and what it costs: each owner (the segmenter, the phrase queue, a preview, audio on
// its way to disk…) registers a function that reports its bytes now, and unregisters when it lets go. The memory
// indicator, the memory report and the session's own `bufferedBytes` read one source of truth instead of each
// summing what it happens to know about.

export interface TrackedBuffer {
  readonly name: string;
  /** Bytes this buffer holds now. */
  readonly bytes: number;
  /** Stops tracking (the owner has released the buffer). */
  dispose(): void;
}

export interface BufferUsage {
  name: string;
  bytes: number;
  /** Live buffers registered under this name. */
  count: number;
}

interface Entry {
  name: string;
  bytes: () => number;
}

export class BufferTracker {
  private readonly entries = new Set<Entry>();

  track(name: string, bytes: () => number): TrackedBuffer {
    const entry: Entry = { name, bytes };
    this.entries.add(entry);
    const entries = this.entries;
    return {
      name,
      get bytes() {
        return entries.has(entry) ? entry.bytes() : 0;
      },
      dispose: () => void entries.delete(entry),
    };
  }

  /** Live buffers registered. */
  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    let total = 0;
    for (const entry of this.entries) total += entry.bytes();
    return total;
  }

  /** Bytes per owner name, in the order the names were first registered. */
  breakdown(): BufferUsage[] {
    const byName = new Map<string, BufferUsage>();
    for (const entry of this.entries) {
      const usage = byName.get(entry.name) ?? { name: entry.name, bytes: 0, count: 0 };
      usage.bytes += entry.bytes();
      usage.count++;
      byName.set(entry.name, usage);
    }
    return [...byName.values()];
  }
}

/** "segmenter 0.4 MB, queue 1.2 MB" for logs and reports; "none" when nothing is live. */
export function describeBufferUsage(usage: readonly BufferUsage[]): string {
  if (!usage.length) return 'none';
  return usage.map((u) => `${u.name} ${(u.bytes / (1024 * 1024)).toFixed(2)} MB`).join(', ');
}
