// Pure building blocks of the CT2 → ggml converter: f16/f32 bit conversions, GPT-2 byte alphabet, ZIP reader.
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  float16BitsToFloat32Bits,
  float16BitsToNumber,
  float32BitsToFloat16Bits,
  narrowFloat32ToFloat16Bytes,
  numberToFloat16Bits,
  widenFloat16ToFloat32Bytes,
} from '../../src/core/model/float16';
import { Gpt2TokenError, bytesToGpt2Token, gpt2CharForByte, gpt2TokenToBytes } from '../../src/core/model/gpt2Bytes';
import { parseCt2Model, readCt2Scalar, resolveCt2Variable } from '../../src/node/model/ct2/ct2Model';
import { ModelFileError } from '../../src/node/model/errors';
import { crc32, crc32Fallback } from '../../src/node/model/zip/crc32';
import { ZipArchive } from '../../src/node/model/zip/zipArchive';
import { writeCt2Model, writeZip, type TestVariable } from './convertFixtures';

const f32Bits = (value: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return view.getUint32(0);
};

describe('float16', () => {
  it('widens exactly: normals, subnormals, signed zero, infinities, NaN', () => {
    assert.equal(float16BitsToNumber(0x3c00), 1);
    assert.equal(float16BitsToNumber(0xc000), -2);
    assert.equal(float16BitsToNumber(0x7bff), 65504);
    assert.equal(float16BitsToNumber(0x0001), 2 ** -24);
    assert.equal(float16BitsToNumber(0x03ff), 1023 * 2 ** -24);
    assert.equal(float16BitsToNumber(0x0400), 2 ** -14);
    assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
    assert.equal(float16BitsToNumber(0x7c00), Infinity);
    assert.equal(float16BitsToNumber(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
    assert.equal(float16BitsToFloat32Bits(0x7e00), 0x7fc00000);
  });

  it('narrowing inverts widening for all 65,536 bit patterns', () => {
    for (let half = 0; half < 0x10000; half++) {
      assert.equal(float32BitsToFloat16Bits(float16BitsToFloat32Bits(half)), half, `0x${half.toString(16)}`);
    }
  });

  it('rounds to nearest, ties to even, with overflow to infinity and underflow to zero', () => {
    assert.equal(numberToFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even (down)
    assert.equal(numberToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
    assert.equal(numberToFloat16Bits(1 + 2 ** -11 + 2 ** -20), 0x3c01); // above the tie
    assert.equal(numberToFloat16Bits(65520), 0x7c00); // rounds up past the largest finite value
    assert.equal(numberToFloat16Bits(65519), 0x7bff);
    assert.equal(numberToFloat16Bits(2 ** -25), 0x0000); // exactly half the smallest subnormal → even (0)
    assert.equal(numberToFloat16Bits(2 ** -25 + 2 ** -35), 0x0001);
    assert.equal(numberToFloat16Bits(3 * 2 ** -25), 0x0002); // subnormal tie → even
    assert.equal(numberToFloat16Bits(-1e-30), 0x8000);
    assert.equal(numberToFloat16Bits(1e10), 0x7c00);
    assert.equal(float32BitsToFloat16Bits(f32Bits(0.1)), 0x2e66);
  });

  it('converts byte buffers at odd offsets, little-endian', () => {
    const source = Buffer.from([0xff, 0x00, 0x3c, 0x00, 0xc0]); // junk byte, then 1.0 and -2.0
    const wide = Buffer.from(widenFloat16ToFloat32Bytes(source, 1, 2));
    assert.deepEqual([wide.readFloatLE(0), wide.readFloatLE(4)], [1, -2]);
    const narrow = Buffer.from(narrowFloat32ToFloat16Bytes(Buffer.concat([Buffer.from([7]), wide]), 1, 2));
    assert.deepEqual(narrow, Buffer.from([0x00, 0x3c, 0x00, 0xc0]));
  });
});

describe('GPT-2 byte alphabet', () => {
  it('is a bijection of 256 bytes that keeps printable Latin-1 and maps the rest to U+0100…', () => {
    const chars = new Set(Array.from({ length: 256 }, (_, b) => gpt2CharForByte(b)));
    assert.equal(chars.size, 256);
    assert.equal(gpt2CharForByte(0x41), 'A');
    assert.equal(gpt2CharForByte(0x00), '\u0100');
    assert.equal(gpt2CharForByte(0x20), 'Ġ');
    assert.equal(gpt2CharForByte(0x0a), 'Ċ');
    assert.equal(gpt2CharForByte(0xad), 'Ń'); // soft hyphen is the last of the 68 remapped bytes
  });

  it('decodes tokens to raw bytes, including partial UTF-8 sequences', () => {
    assert.deepEqual(Buffer.from(gpt2TokenToBytes('Ġthe')), Buffer.from(' the'));
    assert.deepEqual(Buffer.from(gpt2TokenToBytes('Ã')), Buffer.from([0xc3]));
    assert.deepEqual(Buffer.from(gpt2TokenToBytes('<|endoftext|>')), Buffer.from('<|endoftext|>'));
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    assert.deepEqual(gpt2TokenToBytes(bytesToGpt2Token(all)), all);
  });

  it('rejects characters outside the alphabet', () => {
    assert.throws(() => gpt2TokenToBytes('日本'), Gpt2TokenError);
    assert.throws(() => gpt2TokenToBytes(' the'), /U\+0020/); // a raw space is not in the alphabet
  });
});

describe('ZipArchive', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zip-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('crc32 matches the reference value and the fallback', () => {
    const data = Buffer.from('123456789');
    assert.equal(crc32(data), 0xcbf43926);
    assert.equal(crc32Fallback(data), 0xcbf43926);
  });

  it('reads stored and deflated members by name', async () => {
    const big = Buffer.alloc(200_000, 'abc');
    const path = join(dir, 'ok.zip');
    await writeFile(path, writeZip([{ name: 'pkg/a.txt', data: Buffer.from('hello'), method: 0 }, { name: 'pkg/model.bin', data: big }]));
    const zip = await ZipArchive.open(path);
    try {
      assert.deepEqual(zip.entries.map((e) => e.name), ['pkg/a.txt', 'pkg/model.bin']);
      assert.equal((await zip.read(zip.find('pkg/a.txt')!)).toString(), 'hello');
      const entry = zip.find('pkg/model.bin')!;
      assert.ok(entry.compressedSize < 2000, 'member really is deflated');
      assert.deepEqual(await zip.read(entry), big);
    } finally {
      await zip.close();
    }
  });

  it('detects a corrupted member by its CRC', async () => {
    const archive = writeZip([{ name: 'x', data: Buffer.from('payload!'), method: 0 }]);
    archive[30 + 1] ^= 0xff; // flip a data byte
    const path = join(dir, 'crc.zip');
    await writeFile(path, archive);
    const zip = await ZipArchive.open(path);
    try {
      await assert.rejects(zip.read(zip.find('x')!), (e: unknown) => e instanceof ModelFileError && e.code === 'CORRUPT' && /CRC/.test(e.message));
    } finally {
      await zip.close();
    }
  });

  it('rejects truncated archives and ZIP64 markers with clear codes', async () => {
    const archive = writeZip([{ name: 'x', data: Buffer.alloc(1000, 1) }]);
    const truncated = join(dir, 'truncated.zip');
    await writeFile(truncated, archive.subarray(0, archive.length - 10));
    await assert.rejects(ZipArchive.open(truncated), (e: unknown) => e instanceof ModelFileError && e.code === 'CORRUPT' && /end-of-central-directory/.test(e.message));
    const zip64 = Buffer.from(archive);
    zip64.writeUInt32LE(0xffffffff, zip64.length - 6); // central directory offset = ZIP64 marker
    const zip64Path = join(dir, 'zip64.zip');
    await writeFile(zip64Path, zip64);
    await assert.rejects(ZipArchive.open(zip64Path), (e: unknown) => e instanceof ModelFileError && e.code === 'UNSUPPORTED_FORMAT');
    const tiny = join(dir, 'tiny.zip');
    await writeFile(tiny, Buffer.from('PK'));
    await assert.rejects(ZipArchive.open(tiny), (e: unknown) => e instanceof ModelFileError && e.code === 'TRUNCATED');
  });
});

describe('parseCt2Model', () => {
  const variables = new Map<string, TestVariable>([
    ['b/weight', { dims: [2, 3], dtype: 'float16', data: Buffer.from([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]) }],
    ['a/heads', { dims: [], dtype: 'int16', data: Buffer.from([6, 0]) }],
  ]);

  it('reads header, variables (sorted, unaligned) and resolves aliases', () => {
    const model = parseCt2Model(writeCt2Model(variables, { aliases: [['c/weight', 'b/weight']], specRevision: 2 }));
    assert.equal(model.binaryVersion, 6);
    assert.equal(model.specName, 'WhisperSpec');
    assert.equal(model.specRevision, 2);
    assert.deepEqual([...model.variables.keys()], ['a/heads', 'b/weight']);
    const weight = resolveCt2Variable(model, 'c/weight')!;
    assert.equal(weight.name, 'b/weight');
    assert.deepEqual(weight.dims, [2, 3]);
    assert.equal(weight.data.readUInt16LE(10), 6);
    assert.equal(readCt2Scalar(model, 'a/heads'), 6);
    assert.equal(resolveCt2Variable(model, 'missing'), undefined);
  });

  it('rejects a byte count that does not match the shape', () => {
    const bad = new Map(variables);
    bad.set('b/weight', { dims: [2, 2], dtype: 'float16', data: Buffer.alloc(12) });
    assert.throws(() => parseCt2Model(writeCt2Model(bad)), (e: unknown) => e instanceof ModelFileError && e.code === 'CORRUPT');
  });

  it('rejects trailing bytes and alias cycles', () => {
    const good = writeCt2Model(variables);
    assert.throws(() => parseCt2Model(Buffer.concat([good, Buffer.from([0])])), (e: unknown) => e instanceof ModelFileError && e.code === 'CORRUPT');
    const cyclic = parseCt2Model(writeCt2Model(variables, { aliases: [['x', 'y'], ['y', 'x']] }));
    assert.throws(() => resolveCt2Variable(cyclic, 'x'), /cycle/);
  });
});
