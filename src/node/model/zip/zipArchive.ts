// Minimal read-only ZIP reader (enough for Python wheels): central directory, stored and deflated members,
// CRC check. Members are read on demand with positional reads, so a 70 MB wheel is never loaded whole.
// ZIP64, multi-disk and encrypted archives are rejected with a clear error rather than misread.
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ModelFileError } from '../errors';
import { crc32 } from './crc32';

const inflateRaw = promisify(zlib.inflateRaw) as (buffer: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  readonly encrypted: boolean;
}

export class ZipArchive {
  private constructor(
    private readonly file: FileHandle,
    private readonly fileSize: number,
    readonly path: string,
    readonly entries: readonly ZipEntry[],
  ) {}

  static async open(path: string): Promise<ZipArchive> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const entries = await readCentralDirectory(file, size, path);
      return new ZipArchive(file, size, path, entries);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((entry) => entry.name === name);
  }

  /** Reads and decompresses one member, checking its size and CRC-32. */
  async read(entry: ZipEntry): Promise<Buffer> {
    if (entry.encrypted) {
      throw new ModelFileError('UNSUPPORTED_FORMAT', `${this.path}: member ${entry.name} is encrypted`);
    }
    const local = await readExactly(this.file, entry.localHeaderOffset, 30, this.fileSize, this.path);
    if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER) {
      throw new ModelFileError('CORRUPT', `${this.path}: no local header for ${entry.name} at offset ${entry.localHeaderOffset}`);
    }
    const dataOffset = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const stored = await readExactly(this.file, dataOffset, entry.compressedSize, this.fileSize, this.path);
    let data: Buffer;
    if (entry.method === METHOD_STORED) {
      data = stored;
    } else if (entry.method === METHOD_DEFLATE) {
      try {
        // The bound stops a forged size from inflating into unbounded memory.
        data = await inflateRaw(stored, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
      } catch (error) {
        throw new ModelFileError('CORRUPT', `${this.path}: cannot inflate ${entry.name}: ${(error as Error).message}`, { cause: error });
      }
    } else {
      throw new ModelFileError('UNSUPPORTED_FORMAT', `${this.path}: member ${entry.name} uses compression method ${entry.method} (only stored and deflate are supported)`);
    }
    if (data.length !== entry.uncompressedSize) {
      throw new ModelFileError('CORRUPT', `${this.path}: ${entry.name} inflated to ${data.length} bytes, expected ${entry.uncompressedSize}`);
    }
    const actualCrc = crc32(data);
    if (actualCrc !== entry.crc32) {
      throw new ModelFileError('CORRUPT', `${this.path}: CRC-32 mismatch in ${entry.name} (${hex32(actualCrc)} ≠ ${hex32(entry.crc32)})`);
    }
    return data;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}

async function readExactly(file: FileHandle, position: number, length: number, fileSize: number, path: string): Promise<Buffer> {
  if (position + length > fileSize) {
    throw new ModelFileError('TRUNCATED', `${path}: needs bytes up to ${position + length} but the file has ${fileSize}`);
  }
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ModelFileError('TRUNCATED', `${path}: unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
  return buffer;
}

async function readCentralDirectory(file: FileHandle, fileSize: number, path: string): Promise<ZipEntry[]> {
  if (fileSize < 22) throw new ModelFileError('TRUNCATED', `${path}: too small to be a ZIP archive (${fileSize} bytes)`);
  const tailLength = Math.min(fileSize, 22 + MAX_COMMENT);
  const tail = await readExactly(file, fileSize - tailLength, tailLength, fileSize, path);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ModelFileError('CORRUPT', `${path}: not a ZIP archive (no end-of-central-directory record; truncated download?)`);
  const diskNumber = tail.readUInt16LE(eocd + 4);
  const centralDirectoryDisk = tail.readUInt16LE(eocd + 6);
  const entryCount = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new ModelFileError('UNSUPPORTED_FORMAT', `${path}: ZIP64 archives are not supported`);
  }
  if (diskNumber !== 0 || centralDirectoryDisk !== 0) {
    throw new ModelFileError('UNSUPPORTED_FORMAT', `${path}: multi-disk ZIP archives are not supported`);
  }
  const directory = await readExactly(file, directoryOffset, directorySize, fileSize, path);
  const entries: ZipEntry[] = [];
  let offset = 0;
  for (let i = 0; i < entryCount; i++) {
    if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new ModelFileError('CORRUPT', `${path}: central directory entry ${i} is damaged`);
    }
    const flags = directory.readUInt16LE(offset + 8);
    const nameLength = directory.readUInt16LE(offset + 28);
    const extraLength = directory.readUInt16LE(offset + 30);
    const commentLength = directory.readUInt16LE(offset + 32);
    const end = offset + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ModelFileError('CORRUPT', `${path}: central directory entry ${i} overruns the directory`);
    const compressedSize = directory.readUInt32LE(offset + 20);
    const uncompressedSize = directory.readUInt32LE(offset + 24);
    const localHeaderOffset = directory.readUInt32LE(offset + 42);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      throw new ModelFileError('UNSUPPORTED_FORMAT', `${path}: ZIP64 members are not supported`);
    }
    // Bit 11 = UTF-8 names; otherwise CP437, which equals ASCII for every name a wheel may contain.
    const nameBytes = directory.subarray(offset + 46, offset + 46 + nameLength);
    entries.push({
      name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      method: directory.readUInt16LE(offset + 10),
      compressedSize,
      uncompressedSize,
      crc32: directory.readUInt32LE(offset + 16),
      localHeaderOffset,
      encrypted: (flags & 1) !== 0,
    });
    offset = end;
  }
  return entries;
}
