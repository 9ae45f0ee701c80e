// CRC-32 (IEEE, as used by ZIP). zlib.crc32 exists only since Node 20.15, so keep a table fallback.
import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  return table;
}

export function crc32Fallback(data: Uint8Array): number {
  const t = crcTable();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

type Crc32Function = (data: Uint8Array) => number;
const native = (zlib as unknown as { crc32?: Crc32Function }).crc32;

export function crc32(data: Uint8Array): number {
  return native ? native(data) >>> 0 : crc32Fallback(data);
}
