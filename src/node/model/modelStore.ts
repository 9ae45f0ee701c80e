// The models the extension has downloaded or imported, in its global storage folder. Every file that lands here
// is verified: downloads by the published checksum (and size where known), imports by walking the ggml layout,
// and both are written under a temporary name and renamed into place.
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CatalogModel, MODEL_CATALOG, modelUrl } from '../../core/model/catalog';
import { download, DownloadProgress } from '../download/download';
import { validateModelFile } from '../whisper/modelValidation';
import { ensureFreeSpace, freeBytes } from './diskSpace';

/** A model file in the store: a catalog model (downloaded) or an imported one. */
export interface StoredModel {
  path: string;
  fileName: string;
  bytes: number;
  /** The catalog model this file is, if any. */
  catalog?: CatalogModel;
}

export interface ModelDownloadOptions {
  baseUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Replace an existing (e.g. damaged) file. */
  force?: boolean;
  timeoutMs?: number;
}

export class ModelStore {
  constructor(
    readonly directory: string,
    /** Free bytes where a path lives (a test passes a small number). */
    private readonly free: (path: string) => Promise<number> = freeBytes,
  ) {}

  /** Every model file in the store, downloaded or imported, by name. */
  async files(): Promise<StoredModel[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch {
      return [];
    }
    const models: StoredModel[] = [];
    for (const fileName of names.filter((n) => n.endsWith('.bin')).sort()) {
      const path = join(this.directory, fileName);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      models.push({ path, fileName, bytes: info.size, catalog: MODEL_CATALOG.find((m) => m.fileName === fileName) });
    }
    return models;
  }

  /** Deletes a model file of the store (and a partial download beside it); returns the bytes freed. */
  async removeFile(path: string): Promise<number> {
    if (join(this.directory, basename(path)) !== path) throw new Error(`${path} is not in the model store (${this.directory}); only models the extension downloaded or imported are deleted.`);
    let freed = 0;
    for (const file of [path, `${path}.partial`]) {
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      await rm(file, { force: true });
      freed += info.size;
    }
    return freed;
  }

  pathFor(entry: CatalogModel): string {
    return join(this.directory, entry.fileName);
  }

  async isInstalled(entry: CatalogModel): Promise<boolean> {
    try {
      return (await stat(this.pathFor(entry))).isFile();
    } catch {
      return false;
    }
  }

  async installed(): Promise<CatalogModel[]> {
    const present = await Promise.all(MODEL_CATALOG.map(async (entry) => ((await this.isInstalled(entry)) ? entry : undefined)));
    return present.filter((entry): entry is CatalogModel => !!entry);
  }

  /** Downloads a catalog model (resuming a partial download), verifies it and returns its path. */
  async download(entry: CatalogModel, options: ModelDownloadOptions = {}): Promise<string> {
    if (!entry.sha256 && !entry.sha1) throw new Error(`No published checksum for ${entry.name}; it cannot be downloaded safely.`);
    const dest = this.pathFor(entry);
    if (options.force) await rm(dest, { force: true });
    else if (await this.isInstalled(entry)) return dest;
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    // A resumed download needs only what is missing.
    const partial = (await stat(`${dest}.partial`).catch(() => undefined))?.size ?? 0;
    await ensureFreeSpace(this.directory, Math.max(0, (entry.exactBytes ?? entry.sizeMB * 1048576) - partial), `the Whisper model ${entry.name}`, this.free);
    await download(modelUrl(entry, options.baseUrl), dest, {
      sha256: entry.sha256,
      sha1: entry.sha256 ? undefined : entry.sha1,
      expectedSize: entry.exactBytes,
      signal: options.signal,
      onProgress: options.onProgress,
      timeoutMs: options.timeoutMs,
    });
    try {
      await validateModelFile(dest);
    } catch (error) {
      await rm(dest, { force: true });
      throw error;
    }
    return dest;
  }

  /** Copies a model file the user already has into the store, after checking that whisper.cpp can load it. */
  async importFile(source: string): Promise<string> {
    await validateModelFile(source);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await ensureFreeSpace(this.directory, (await stat(source)).size, `a copy of ${basename(source)}`, this.free);
    const name = basename(source).endsWith('.bin') ? basename(source) : `${basename(source)}.bin`;
    const dest = join(this.directory, name);
    const temporary = `${dest}.importing`;
    try {
      await copyFile(source, temporary);
      await rename(temporary, dest);
    } finally {
      await rm(temporary, { force: true });
    }
    return dest;
  }

  async remove(entry: CatalogModel): Promise<void> {
    await rm(this.pathFor(entry), { force: true });
    await rm(`${this.pathFor(entry)}.partial`, { force: true });
  }
}
