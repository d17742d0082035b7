/**
 * Multi-byte unsigned integers, WAP-192-WBXML section 5.1: big-endian groups of 7 bits, the high
 * bit set on every byte but the last. mb_u_int32 carries at most 32 bits, so at most 5 bytes.
 */
import { CodecError } from '../errors.js';
import { WbxmlEncodeError } from './errors.js';

export const MB_U_INT32_MAX = 0xffffffff;

/** Reads an mb_u_int32 at `off`; returns the value and the offset after it. */
export function readMbUint32(bytes: Uint8Array, off: number, what = 'mb_u_int32'): { value: number; next: number } {
  let value = 0;
  const start = off;
  for (let i = 0; i < 5; i++) {
    if (off >= bytes.length) {
      throw new CodecError('wbxml', `truncated ${what}: input ends inside a multi-byte integer`, {
        offset: start,
        tag: what,
      });
    }
    const b = bytes[off++]!;
    // the fifth byte may carry only 4 more bits (32 = 4*7 + 4), and no continuation
    if (i === 4 && (b & 0x80 || value > 0x1ffffff)) {
      throw new CodecError('wbxml', `${what} overflows 32 bits`, { offset: start, tag: what });
    }
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (value > MB_U_INT32_MAX) {
        throw new CodecError('wbxml', `${what} overflows 32 bits`, { offset: start, tag: what });
      }
      return { value, next: off };
    }
  }
  throw new CodecError('wbxml', `${what} longer than 5 bytes`, { offset: start, tag: what });
}

/** Encodes `value` (0..2^32-1) as an mb_u_int32, in the fewest bytes. */
export function mbUint32Bytes(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > MB_U_INT32_MAX) {
    throw new WbxmlEncodeError(`mb_u_int32 out of range: ${value}`);
  }
  const out: number[] = [value & 0x7f];
  let v = Math.floor(value / 128);
  while (v > 0) {
    out.unshift((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  return Uint8Array.from(out);
}
