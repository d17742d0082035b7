/**
 * BER-TLV raw layer: ISO/IEC 7816-4 section 5.2 / ITU-T X.690 section 8.1.
 * Tags are kept as their encoded bytes read as a big-endian number (e.g. 0x62, 0x9F46, 0x7F21)
 * so that they print as the standards write them. Definite lengths only.
 */
import { CodecError } from '../errors.js';

export interface BerTlv {
  /** the tag bytes as a big-endian number, e.g. 0x62 (FCP template), 0x5F2D */
  tag: number;
  /** bit 6 of the first tag byte: the value is a sequence of BER-TLV objects */
  constructed: boolean;
  /** the value bytes (for constructed tags too, so nothing is lost) */
  value: Uint8Array;
  /** decoded children when constructed */
  children?: BerTlv[];
  /** byte offset of the tag in the decoded input */
  offset?: number;
}

export const BER_MAX_DEPTH = 32;

export function tagHex(tag: number): string {
  let h = tag.toString(16).toUpperCase();
  if (h.length % 2) h = '0' + h;
  return h;
}

/** Number of bytes of an encoded tag number (1..4). */
function tagLength(tag: number): number {
  if (tag <= 0xff) return 1;
  if (tag <= 0xffff) return 2;
  if (tag <= 0xffffff) return 3;
  return 4;
}

export function isConstructedTag(tag: number): boolean {
  const first = Math.floor(tag / 256 ** (tagLength(tag) - 1));
  return (first & 0x20) !== 0;
}

export interface BerDecodeOptions {
  /** decode constructed values recursively (default true) */
  recurse?: boolean;
  /** skip 00 and FF bytes found between objects (ISO 7816-4 5.2) (default true) */
  skipPadding?: boolean;
  maxDepth?: number;
  /** offset of `bytes` within the outer input, for error messages */
  baseOffset?: number;
}

/** Decodes a sequence of BER-TLV objects filling `bytes` exactly (padding aside). */
export function decodeBer(bytes: Uint8Array, opts: BerDecodeOptions = {}): BerTlv[] {
  return decodeSeq(bytes, opts.baseOffset ?? 0, 0, {
    recurse: opts.recurse ?? true,
    skipPadding: opts.skipPadding ?? true,
    maxDepth: opts.maxDepth ?? BER_MAX_DEPTH,
  });
}

/** Decodes exactly one object starting at `bytes[0]`; returns it and the bytes consumed. */
export function decodeBerOne(bytes: Uint8Array, opts: BerDecodeOptions = {}): { tlv: BerTlv; length: number } {
  const o = { recurse: opts.recurse ?? true, skipPadding: opts.skipPadding ?? true, maxDepth: opts.maxDepth ?? BER_MAX_DEPTH };
  return decodeAt(bytes, 0, opts.baseOffset ?? 0, 0, o);
}

interface Opts {
  recurse: boolean;
  skipPadding: boolean;
  maxDepth: number;
}

function decodeSeq(bytes: Uint8Array, base: number, depth: number, o: Opts): BerTlv[] {
  const out: BerTlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (o.skipPadding && (bytes[i] === 0x00 || bytes[i] === 0xff)) {
      i++;
      continue;
    }
    const { tlv, length } = decodeAt(bytes, i, base, depth, o);
    out.push(tlv);
    i += length;
  }
  return out;
}

function decodeAt(bytes: Uint8Array, start: number, base: number, depth: number, o: Opts): { tlv: BerTlv; length: number } {
  if (depth > o.maxDepth) throw new CodecError('BER-TLV', `nesting deeper than ${o.maxDepth}`, { offset: base + start });
  let i = start;
  if (i >= bytes.length) throw new CodecError('BER-TLV', 'missing tag', { offset: base + i });
  const first = bytes[i++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // subsequent tag bytes: b8 set means another follows (X.690 8.1.2.4)
    let n = 1;
    for (;;) {
      if (i >= bytes.length) throw new CodecError('BER-TLV', 'tag truncated', { offset: base + start });
      const b = bytes[i++]!;
      tag = tag * 256 + b;
      n++;
      if ((b & 0x80) === 0) break;
      if (n >= 4) throw new CodecError('BER-TLV', 'tag longer than 4 bytes', { offset: base + start });
    }
  }
  const th = tagHex(tag);
  if (i >= bytes.length) throw new CodecError('BER-TLV', 'length missing', { offset: base + i, tag: th });
  let len = bytes[i++]!;
  if (len === 0x80) throw new CodecError('BER-TLV', 'indefinite length is not allowed', { offset: base + i - 1, tag: th });
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new CodecError('BER-TLV', `length field of ${n} bytes (at most 4)`, { offset: base + i - 1, tag: th });
    if (i + n > bytes.length) throw new CodecError('BER-TLV', 'length truncated', { offset: base + i - 1, tag: th });
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + bytes[i++]!;
  }
  if (i + len > bytes.length) {
    throw new CodecError('BER-TLV', `length ${len} runs past the end (${bytes.length - i} bytes left)`, { offset: base + start, tag: th });
  }
  const value = bytes.subarray(i, i + len);
  const constructed = (first & 0x20) !== 0;
  const tlv: BerTlv = { tag, constructed, value, offset: base + start };
  if (constructed && o.recurse) tlv.children = decodeSeq(value, base + i, depth + 1, o);
  return { tlv, length: i + len - start };
}

export function encodeBerLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  if (len <= 0xff) return Uint8Array.of(0x81, len);
  if (len <= 0xffff) return Uint8Array.of(0x82, len >> 8, len & 0xff);
  if (len <= 0xffffff) return Uint8Array.of(0x83, len >> 16, (len >> 8) & 0xff, len & 0xff);
  return Uint8Array.of(0x84, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
}

export function encodeBerTag(tag: number): Uint8Array {
  const n = tagLength(tag);
  const out = new Uint8Array(n);
  let t = tag;
  for (let k = n - 1; k >= 0; k--) {
    out[k] = t & 0xff;
    t = Math.floor(t / 256);
  }
  return out;
}

/** Encodes one TLV; `value` may be bytes or child objects (then the tag should be constructed). */
export function encodeBer(tag: number, value: Uint8Array | BerTlvInput[]): Uint8Array {
  const v = value instanceof Uint8Array ? value : encodeBerSeq(value);
  const t = encodeBerTag(tag);
  const l = encodeBerLength(v.length);
  const out = new Uint8Array(t.length + l.length + v.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(v, t.length + l.length);
  return out;
}

export type BerTlvInput = { tag: number; value: Uint8Array | BerTlvInput[] };

export function encodeBerSeq(items: BerTlvInput[]): Uint8Array {
  const parts = items.map((it) => encodeBer(it.tag, it.value));
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** First child with `tag` (searching one level). */
export function findBer(list: BerTlv[] | undefined, tag: number): BerTlv | undefined {
  return list?.find((t) => t.tag === tag);
}
