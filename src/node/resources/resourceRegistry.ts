// The one owner of everything the extension starts or creates outside the JS heap: child processes, workers,
// temp files and folders, timers and other disposables. `dispose()` is synchronous where it must be (VS Code gives
// deactivate only a few seconds): processes are killed first, then disposables run in reverse order, then files go.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Disposable {
  dispose(): void;
}

interface TrackedProcess {
  label: string;
  pid: number | undefined;
  kill(): void;
}

export interface RegistryStats {
  processes: { label: string; pid: number | undefined }[];
  disposables: number;
  tempPaths: string[];
}

const SESSION_PREFIX = 'session-';

export class ResourceRegistry implements Disposable {
  private readonly processes = new Set<TrackedProcess>();
  private readonly disposables: Disposable[] = [];
  private readonly tempPaths = new Set<string>();
  private sessionDir?: string;
  private disposed = false;

  constructor(private readonly tempRoot: string) {}

  /** A private (0700) folder for this session's temp files, created on first use. */
  sessionTempDir(): string {
    if (!this.sessionDir) {
      mkdirPrivate(this.tempRoot);
      this.sessionDir = mkdtempSync(join(this.tempRoot, `${SESSION_PREFIX}${process.pid}-`));
      this.tempPaths.add(this.sessionDir);
    }
    return this.sessionDir;
  }

  /**
   * Removes folders left by sessions that crashed (their owning process no longer exists).
   * Returns the paths removed.
   */
  sweepLeftovers(): string[] {
    const removed: string[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(this.tempRoot);
    } catch {
      return removed;
    }
    for (const name of names) {
      if (!name.startsWith(SESSION_PREFIX)) continue;
      const path = join(this.tempRoot, name);
      if (path === this.sessionDir) continue;
      const pid = Number(name.slice(SESSION_PREFIX.length).split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) continue;
      try {
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      } catch {
        // left for the next sweep
      }
    }
    return removed;
  }

  /** Tracks a process until it exits or the registry is disposed; returns a handle to stop tracking it. */
  trackProcess(label: string, pid: number | undefined, kill: () => void): Disposable {
    const entry: TrackedProcess = { label, pid, kill };
    if (this.disposed) {
      kill();
      return { dispose: () => undefined };
    }
    this.processes.add(entry);
    return { dispose: () => this.processes.delete(entry) };
  }

  add<T extends Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.disposables.push(disposable);
    return disposable;
  }

  trackTempPath(path: string): Disposable {
    this.tempPaths.add(path);
    return { dispose: () => this.tempPaths.delete(path) };
  }

  stats(): RegistryStats {
    return {
      processes: [...this.processes].map(({ label, pid }) => ({ label, pid })),
      disposables: this.disposables.length,
      tempPaths: [...this.tempPaths],
    };
  }

  /** Bytes in this session's temp folder (for the cleanup report). */
  tempBytes(): number {
    let total = 0;
    for (const path of this.tempPaths) total += sizeOf(path);
    return total;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const entry of this.processes) {
      try {
        entry.kill();
      } catch (error) {
        errors.push(error);
      }
    }
    this.processes.clear();
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    for (const path of this.tempPaths) {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch (error) {
        errors.push(error);
      }
    }
    this.tempPaths.clear();
    if (errors.length) throw new AggregateError(errors, `${errors.length} resources failed to dispose`);
  }
}

function mkdirPrivate(path: string): void {
  // recursive mkdir with mode only applies the mode to folders it creates.
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sizeOf(path: string): number {
  try {
    const info = statSync(path);
    if (!info.isDirectory()) return info.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  } catch {
    return 0;
  }
}
