/**
 * SIMPLE-TLV: ISO/IEC 7816-4 section 5.2.1 (formerly 5.2.1 "SIMPLE-TLV data objects").
 * Tag: one byte, '01'..'FE' ('00' and 'FF' are invalid). Length: one byte '00'..'FE', or 'FF'
 * followed by two bytes '0000'..'FFFF'. No nesting.
 */
import { CodecError } from '../errors.js';
import { toHex } from '../../util/hex.js';

export interface SimpleTlv {
  tag: number;
  value: Uint8Array;
  /**
   * the length was (or is to be) coded as 'FF' xx xx although it is below 255; only set when
   * the short form would have been possible, so re-encoding a decoded value is lossless
   */
  longLength?: boolean;
  offset?: number;
}

const CODEC = 'SIMPLE-TLV';

export function decodeSimple(bytes: Uint8Array, baseOffset = 0): SimpleTlv[] {
  const out: SimpleTlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    const start = i;
    const tag = bytes[i++]!;
    const th = toHex(Uint8Array.of(tag));
    if (tag === 0x00 || tag === 0xff) throw new CodecError(CODEC, `tag ${th} is invalid`, { offset: baseOffset + start, tag: th });
    if (i >= bytes.length) throw new CodecError(CODEC, 'length missing', { offset: baseOffset + i, tag: th });
    let len = bytes[i++]!;
    let longLength = false;
    if (len === 0xff) {
      if (i + 2 > bytes.length) throw new CodecError(CODEC, 'length truncated', { offset: baseOffset + i - 1, tag: th });
      len = (bytes[i]! << 8) | bytes[i + 1]!;
      i += 2;
      longLength = len < 0xff;
    }
    if (i + len > bytes.length) {
      throw new CodecError(CODEC, `length ${len} runs past the end (${bytes.length - i} bytes left)`, { offset: baseOffset + start, tag: th });
    }
    const t: SimpleTlv = { tag, value: bytes.subarray(i, i + len), offset: baseOffset + start };
    if (longLength) t.longLength = true;
    out.push(t);
    i += len;
  }
  return out;
}

export function encodeSimple(items: SimpleTlv[]): Uint8Array {
  let n = 0;
  for (const it of items) n += headerLength(it) + it.value.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const it of items) {
    if (!Number.isInteger(it.tag) || it.tag < 1 || it.tag > 0xfe) {
      throw new CodecError(CODEC, `tag ${it.tag} out of range 01..FE`, { offset: o, tag: String(it.tag) });
    }
    const len = it.value.length;
    if (len > 0xffff) throw new CodecError(CODEC, `value of ${len} bytes is longer than 65535`, { offset: o, tag: toHex(Uint8Array.of(it.tag)) });
    out[o++] = it.tag;
    if (len >= 0xff || it.longLength) {
      out[o++] = 0xff;
      out[o++] = len >> 8;
      out[o++] = len & 0xff;
    } else {
      out[o++] = len;
    }
    out.set(it.value, o);
    o += len;
  }
  return out;
}

function headerLength(it: SimpleTlv): number {
  return it.value.length >= 0xff || it.longLength ? 4 : 2;
}
