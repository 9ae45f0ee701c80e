// What the leak test and `bench:leaks` read through the extension's API: the objects of finished dictations still
// alive after a full garbage collection (src/core/leaks/leakTracker.ts), the process's active handles, and the
// listeners attached to the long-lived emitters. Nothing here runs unless a test asks: forcing a collection
// (setting V8's --expose-gc flag at run time) happens only in collect().
import { EventEmitter as NodeEmitter } from 'node:events';
import * as vscode from 'vscode';
import { leakTracker, type LeakKind, type RetainedObject } from '../core/leaks/leakTracker';
import { fullGarbageCollector } from '../node/memory/garbageCollector';

export interface LeakReport {
  /** Objects tracked after the mark and still alive after a full collection, by kind. */
  retained: Record<LeakKind, number>;
  /** The same objects with their labels (what a failing test prints). */
  retainedObjects: RetainedObject[];
  /** Objects tracked so far, by kind (alive or not): evidence that the tracking saw the dictations. */
  created: Record<LeakKind, number>;
  /** process.getActiveResourcesInfo(), counted by type (child processes, pipes, timers, file requests…). */
  handles: Record<string, number>;
  handleCount: number;
  /** Listeners per long-lived emitter, by path (e.g. `controller.activityEmitter`, `client.session.transport.child`). */
  listeners: Record<string, number>;
  listenerCount: number;
  heapUsedBytes: number;
  rssBytes: number;
}

/** How deep below each owner the emitters are looked for (client → session → transport → child process). */
const SEARCH_DEPTH = 3;

export class LeakProbe {
  private collectGarbage?: () => void;

  /** `owners`: the long-lived objects whose emitters (vscode and Node) must not gather listeners. */
  constructor(private readonly owners: Record<string, object>) {}

  /** Objects tracked after this point are the ones a later report looks at. */
  mark(): number {
    return leakTracker.mark();
  }

  /** A full collection (several rounds: WeakRefs clear and finalizers run between tasks), then the counts. */
  async collect(mark = 0): Promise<LeakReport> {
    this.collectGarbage ??= fullGarbageCollector();
    for (let round = 0; round < 3; round++) {
      this.collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const handles: Record<string, number> = {};
    const resources = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
    for (const type of resources) handles[type] = (handles[type] ?? 0) + 1;
    const listeners = this.listenerCounts();
    const memory = process.memoryUsage();
    return {
      retained: leakTracker.retained(mark),
      retainedObjects: leakTracker.retainedObjects(mark),
      created: Object.fromEntries((['session', 'recorder', 'client', 'phrase-buffer', 'disposable'] as const).map((kind) => [kind, leakTracker.createdCount(kind)])) as Record<LeakKind, number>,
      handles,
      handleCount: resources.length,
      listeners,
      listenerCount: Object.values(listeners).reduce((sum, n) => sum + n, 0),
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
    };
  }

  /** Listeners of every emitter found in the owners' fields (and the process's own), by path (breadth first). */
  listenerCounts(): Record<string, number> {
    const counts: Record<string, number> = { process: countNodeListeners(process) };
    const seen = new Set<object>([process]);
    const queue: Array<{ value: unknown; path: string; depth: number }> = Object.entries(this.owners).map(([path, value]) => ({ value, path, depth: 0 }));
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { value, path, depth } = next;
      if (!value || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) continue;
      seen.add(value);
      if (value instanceof vscode.EventEmitter) {
        counts[path] = vscodeListeners(value);
        continue;
      }
      if (value instanceof NodeEmitter) counts[path] = countNodeListeners(value);
      if (depth >= SEARCH_DEPTH || value instanceof Map || value instanceof Set) continue;
      for (const [key, child] of Object.entries(value)) queue.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
    return counts;
  }
}

function countNodeListeners(emitter: NodeEmitter): number {
  return emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0);
}

/**
 * vscode.EventEmitter has no public listener count; VS Code's implementation keeps one in a private field whose name
 * the minifier changes between versions (`_size` in the source). It is found once by watching a fresh emitter: the
 * numeric field that goes 0 → 1 → 2 as listeners are added and back to 0 as they are removed. If none behaves so, the
 * count is NaN and the test says so rather than passing on zeros.
 */
let sizeField: string | null | undefined;
function vscodeListeners(emitter: vscode.EventEmitter<unknown>): number {
  sizeField ??= findSizeField();
  const size = sizeField ? (emitter as unknown as Record<string, unknown>)[sizeField] : undefined;
  return typeof size === 'number' ? size : NaN;
}

function findSizeField(): string | null {
  const probe = new vscode.EventEmitter<void>();
  const fields = (expected: number) => Object.entries(probe).filter(([, v]) => v === expected).map(([k]) => k);
  let candidates = fields(0);
  const first = probe.event(() => undefined);
  candidates = candidates.filter((k) => fields(1).includes(k));
  const second = probe.event(() => undefined);
  candidates = candidates.filter((k) => fields(2).includes(k));
  first.dispose();
  second.dispose();
  candidates = candidates.filter((k) => fields(0).includes(k));
  probe.dispose();
  return candidates.length === 1 ? candidates[0] : null;
}
