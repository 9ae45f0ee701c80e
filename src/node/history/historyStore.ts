// Keeps the dictation history across window reloads: a small private JSON file (mode 0600, in a 0700 folder),
// written atomically so a crash leaves the old file or the new one, never half of one. Several windows share the
// file: each save merges what is on disk first, and a "clear" in any window wins over older entries everywhere.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HistorySnapshot, mergeSnapshots, TranscriptHistory, validEntries } from '../../core/history/transcriptHistory';
import { writeFileAtomically } from '../files/atomicFile';

const FORMAT_VERSION = 1;

/** Reads a history file; a missing or damaged file is an empty history (the damage is reported, not thrown). */
export async function readHistoryFile(path: string, onDamaged?: (error: Error) => void): Promise<HistorySnapshot> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onDamaged?.(error as Error);
    return { entries: [], clearedAt: 0 };
  }
  try {
    const parsed = JSON.parse(raw);
    const clearedAt = typeof parsed?.clearedAt === 'number' && Number.isFinite(parsed.clearedAt) ? parsed.clearedAt : 0;
    return { entries: validEntries(parsed?.entries), clearedAt };
  } catch (error) {
    onDamaged?.(new Error(`the history file ${path} is not valid JSON (${(error as Error).message}); it is replaced at the next save`));
    return { entries: [], clearedAt: 0 };
  }
}

export async function writeHistoryFile(path: string, snapshot: HistorySnapshot): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomically(path, JSON.stringify({ version: FORMAT_VERSION, clearedAt: snapshot.clearedAt, entries: snapshot.entries }));
  // writeFileAtomically creates the file 0600; a file restored from a backup may not be, so say it again.
  await chmod(path, 0o600).catch(() => undefined);
}

/**
 * Ties a TranscriptHistory to its file: loads it once, then saves shortly after every change (one write for a
 * burst of phrases) and on dispose.
 */
export class HistoryStore {
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private dirty = false;
  private disposed = false;

  constructor(
    private readonly history: TranscriptHistory,
    readonly path: string,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly delayMs = 250,
  ) {
    this.unsubscribe = history.onChange(() => this.schedule());
  }

  /** Restores what earlier windows saved (merged with anything already dictated in this one). */
  async load(): Promise<void> {
    const snapshot = await readHistoryFile(this.path, this.onError);
    this.history.merge(snapshot);
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes now (merging with what other windows wrote). Resolves when the file is on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        const onDisk = await readHistoryFile(this.path);
        const merged = mergeSnapshots(this.history.snapshot(), onDisk, this.history.size);
        await writeHistoryFile(this.path, merged);
      } catch (error) {
        this.onError(error as Error);
      }
    });
    return this.writing;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.unsubscribe();
    await this.flush();
  }
}
