// Finds a CTranslate2 model (model.bin + vocabulary) in a wheel/zip, a directory, or a model.bin path,
// and loads it into memory. A wheel does not document where its model directory is, so we look for
// model.bin next to vocabulary.txt / vocabulary.json.
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelFileError } from '../errors';
import { ZipArchive } from '../zip/zipArchive';

export interface Ct2ModelFiles {
  readonly modelBin: Buffer;
  readonly vocabulary: readonly string[];
  /** Human-readable location, e.g. "wheel.whl!pkg/model/model.bin". */
  readonly label: string;
}

const VOCABULARY_NAMES = ['vocabulary.txt', 'vocabulary.json'] as const;

/** vocabulary.txt: one token per line, split on "\n" only; vocabulary.json: a JSON array of strings. */
export function parseCt2Vocabulary(fileName: string, content: Buffer): string[] {
  const text = content.toString('utf8');
  if (fileName.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ModelFileError('BAD_VOCABULARY', `${fileName} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(parsed) || parsed.some((token) => typeof token !== 'string')) {
      throw new ModelFileError('BAD_VOCABULARY', `${fileName} is not a JSON array of strings`);
    }
    return parsed as string[];
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}

async function loadFromZip(path: string): Promise<Ct2ModelFiles> {
  const archive = await ZipArchive.open(path);
  try {
    const candidates = archive.entries
      .filter((entry) => entry.name === 'model.bin' || entry.name.endsWith('/model.bin'))
      .map((entry) => {
        const directory = entry.name.slice(0, entry.name.length - 'model.bin'.length);
        const vocabulary = VOCABULARY_NAMES.map((name) => archive.find(directory + name)).find((found) => found !== undefined);
        return { entry, vocabulary };
      })
      .filter((candidate) => candidate.vocabulary !== undefined);
    if (candidates.length === 0) {
      throw new ModelFileError('MISSING_FILE', `${path}: no model.bin with a vocabulary.txt/vocabulary.json beside it in this archive`);
    }
    if (candidates.length > 1) {
      throw new ModelFileError('UNSUPPORTED_FORMAT', `${path}: several CTranslate2 models in this archive (${candidates.map((c) => c.entry.name).join(', ')})`);
    }
    const { entry, vocabulary } = candidates[0];
    const modelBin = await archive.read(entry);
    const vocabularyFile = vocabulary!;
    const tokens = parseCt2Vocabulary(vocabularyFile.name, await archive.read(vocabularyFile));
    return { modelBin, vocabulary: tokens, label: `${path}!${entry.name}` };
  } finally {
    await archive.close();
  }
}

async function findModelDirectory(root: string, depth: number): Promise<string | undefined> {
  const names = await readdir(root);
  if (names.includes('model.bin') && VOCABULARY_NAMES.some((name) => names.includes(name))) return root;
  if (depth === 0) return undefined;
  for (const name of names.sort()) {
    const child = join(root, name);
    if ((await stat(child)).isDirectory()) {
      const found = await findModelDirectory(child, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

async function loadFromDirectory(directory: string): Promise<Ct2ModelFiles> {
  const names = await readdir(directory);
  const vocabularyName = VOCABULARY_NAMES.find((name) => names.includes(name));
  if (!names.includes('model.bin') || !vocabularyName) {
    throw new ModelFileError('MISSING_FILE', `${directory}: expected model.bin and vocabulary.txt or vocabulary.json`);
  }
  const modelPath = join(directory, 'model.bin');
  const vocabulary = parseCt2Vocabulary(vocabularyName, await readFile(join(directory, vocabularyName)));
  return { modelBin: await readFile(modelPath), vocabulary, label: modelPath };
}

/** Accepts a wheel/zip, a CT2 model directory (or a parent of one, up to 3 levels), or a model.bin path. */
export async function loadCt2ModelFiles(path: string): Promise<Ct2ModelFiles> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ModelFileError('MISSING_FILE', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`, { cause: error });
  }
  if (info.isDirectory()) {
    const directory = await findModelDirectory(path, 3);
    if (!directory) throw new ModelFileError('MISSING_FILE', `${path}: no directory with model.bin and a vocabulary file found`);
    return loadFromDirectory(directory);
  }
  const head = Buffer.alloc(4);
  const file = await open(path, 'r');
  try {
    await file.read(head, 0, 4, 0);
  } finally {
    await file.close();
  }
  if (isZip(head)) return loadFromZip(path);
  if (basename(path) === 'model.bin') return loadFromDirectory(dirname(path));
  throw new ModelFileError('UNSUPPORTED_FORMAT', `${path}: neither a ZIP/wheel, a model directory, nor a model.bin`);
}
