// Which of the objects a dictation creates are still alive: sessions, recorders, worker clients, phrase buffers and
// the vscode layer's per-dictation objects register here when they are built. The cost is one WeakRef and one
// FinalizationRegistry entry per object (a handful per dictation), so tracking is always on; nothing is ever kept
// alive by it, and an entry is dropped as soon as its object is collected. Only the leak test and `bench:leaks` read
// it, after a full garbage collection (src/vscode/leakProbe.ts): whatever is still alive then is held by someone.

export type LeakKind = 'session' | 'recorder' | 'client' | 'phrase-buffer' | 'disposable';

export const LEAK_KINDS: readonly LeakKind[] = ['session', 'recorder', 'client', 'phrase-buffer', 'disposable'];

interface Entry {
  readonly kind: LeakKind;
  /** Order of registration: `retained(mark)` counts only objects made after the mark. */
  readonly seq: number;
  readonly ref: WeakRef<object>;
  /** What it is, for the report of what was retained (e.g. the class name). */
  readonly label: string;
}

export interface RetainedObject {
  kind: LeakKind;
  label: string;
}

export class LeakTracker {
  private readonly live = new Set<Entry>();
  private seq = 0;
  private readonly created = new Map<LeakKind, number>();
  private readonly registry = new FinalizationRegistry<Entry>((entry) => this.live.delete(entry));

  /** Starts watching `object` (returned unchanged, so a constructor can write `track('session', this)`). */
  track<T extends object>(kind: LeakKind, object: T, label = object.constructor?.name ?? kind): T {
    const entry: Entry = { kind, seq: ++this.seq, ref: new WeakRef(object), label };
    this.live.add(entry);
    this.registry.register(object, entry);
    this.created.set(kind, (this.created.get(kind) ?? 0) + 1);
    return object;
  }

  /** A point in time: objects tracked after it are the ones `retained(mark)` looks at. */
  mark(): number {
    return this.seq;
  }

  /** Objects tracked since `mark` so far, by kind (whether alive or not): shows the tracking saw the cycles. */
  createdCount(kind: LeakKind): number {
    return this.created.get(kind) ?? 0;
  }

  /**
   * Objects tracked after `mark` that are still alive, by kind (every kind listed, 0 when none). Meaningful after a
   * full collection: before one, garbage not yet collected counts too.
   */
  retained(mark = 0): Record<LeakKind, number> {
    const counts = Object.fromEntries(LEAK_KINDS.map((kind) => [kind, 0])) as Record<LeakKind, number>;
    for (const object of this.retainedObjects(mark)) counts[object.kind]++;
    return counts;
  }

  /** The objects behind `retained()`, with their labels (what a failing test prints). */
  retainedObjects(mark = 0): RetainedObject[] {
    const out: RetainedObject[] = [];
    for (const entry of this.live) {
      if (entry.seq > mark && entry.ref.deref() !== undefined) out.push({ kind: entry.kind, label: entry.label });
    }
    return out;
  }
}

/** The one tracker of the extension host (each process that loads this module has its own). */
export const leakTracker = new LeakTracker();

/** Registers `object` with the process's tracker; see LeakTracker.track. */
export function trackLeak<T extends object>(kind: LeakKind, object: T, label?: string): T {
  return leakTracker.track(kind, object, label);
}
