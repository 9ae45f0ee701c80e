// IEEE 754 half-precision helpers. Node 20 has no Float16Array, and model files store f16 values at
// unaligned offsets, so everything here works on bit patterns and explicit little-endian byte access.

/** Exact f16 → f32 conversion on bit patterns (what numpy's `astype(float32)` does, bit for bit). */
export function float16BitsToFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0x1f) {
    // Infinity (mantissa 0) or NaN (payload kept in the top mantissa bits).
    return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  }
  if (exponent !== 0) {
    return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  }
  if (mantissa === 0) return sign >>> 0;
  // Subnormal f16: normalise it; every f16 subnormal is a normal f32.
  let shift = 0;
  let m = mantissa;
  while ((m & 0x400) === 0) {
    m <<= 1;
    shift++;
  }
  return (sign | ((113 - shift) << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** f32 → f16 with round-to-nearest-even (the rounding numpy and CTranslate2 use). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    // Like numpy: keep the NaN payload's top bits, but never let a NaN collapse into infinity.
    return sign | 0x7c00 | (mantissa !== 0 ? mantissa >>> 13 || 1 : 0);
  }
  const halfExponent = exponent - 112;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent > 0) {
    let half = sign | (halfExponent << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent (up to infinity).
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
    return half;
  }
  // Result is subnormal or zero: value = significand × 2^(exponent − 150), f16 unit = 2^−24.
  const shift = 14 - halfExponent;
  if (shift > 24) return sign;
  const significand = mantissa | 0x800000;
  let quotient = significand >>> shift;
  const remainder = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (remainder > halfway || (remainder === halfway && (quotient & 1) === 1)) quotient++;
  return sign | quotient;
}

const scratch = new DataView(new ArrayBuffer(4));

export function float16BitsToNumber(half: number): number {
  scratch.setUint32(0, float16BitsToFloat32Bits(half));
  return scratch.getFloat32(0);
}

export function numberToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  return float32BitsToFloat16Bits(scratch.getUint32(0));
}

/**
 * Widens `count` little-endian f16 values starting at `source[sourceOffset]` into little-endian f32 bytes.
 * Works at any byte offset (CTranslate2 files are not aligned).
 */
export function widenFloat16ToFloat32Bytes(source: Uint8Array, sourceOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  const input = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const output = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    output.setUint32(i * 4, float16BitsToFloat32Bits(input.getUint16(sourceOffset + i * 2, true)), true);
  }
  return out;
}

/** Narrows `count` little-endian f32 values to little-endian f16 bytes (round-to-nearest-even). */
export function narrowFloat32ToFloat16Bytes(source: Uint8Array, sourceOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 2);
  const input = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const output = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    output.setUint16(i * 2, float32BitsToFloat16Bits(input.getUint32(sourceOffset + i * 4, true)), true);
  }
  return out;
}
