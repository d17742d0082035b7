/**
 * BER-TLV raw layer: ISO/IEC 7816-4 section 5.2 / ITU-T X.690 section 8.1.
 * Tags are kept as their encoded bytes read as a big-endian number (e.g. 0x62, 0x9F46, 0x7F21)
 * so that they print as the standards write them. Definite lengths only (ISO 7816-4 5.2.2.2:
 * the indefinite form of X.690 8.1.3.6 is not used on cards).
 *
 * Decoding is bounded: nesting deeper than `maxDepth` (capped at BER_HARD_MAX_DEPTH) is a
 * CodecError, so hostile input cannot exhaust the stack.
 */
import { CodecError } from '../errors.js';
import { concatBytes, toHex, hexNum, uintBytes } from '../../util/hex.js';

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
/** no caller can ask for more nesting than this (keeps recursion far from the stack limit) */
export const BER_HARD_MAX_DEPTH = 256;

export type BerClass = 'universal' | 'application' | 'context' | 'private';

export function tagHex(tag: number): string {
  let h = hexNum(tag);
  if (h.length % 2) h = '0' + h;
  return h;
}

/** Number of bytes of an encoded tag number (1..4). */
export function berTagLength(tag: number): number {
  if (tag <= 0xff) return 1;
  if (tag <= 0xffff) return 2;
  if (tag <= 0xffffff) return 3;
  return 4;
}

function firstTagByte(tag: number): number {
  return Math.floor(tag / 256 ** (berTagLength(tag) - 1));
}

/** X.690 8.1.2.2: bit 6 of the first tag byte. */
export function isConstructedTag(tag: number): boolean {
  return (firstTagByte(tag) & 0x20) !== 0;
}

/** X.690 8.1.2.2 table 1: bits 8-7 of the first tag byte. */
export function berTagClass(tag: number): BerClass {
  return (['universal', 'application', 'context', 'private'] as const)[firstTagByte(tag) >> 6]!;
}

/** X.690 8.1.2.3/8.1.2.4: the tag number (bits 5-1, or the base-128 subsequent bytes). */
export function berTagNumber(tag: number): number {
  const b = encodeBerTag(tag);
  if ((b[0]! & 0x1f) !== 0x1f) return b[0]! & 0x1f;
  let n = 0;
  for (let i = 1; i < b.length; i++) n = n * 128 + (b[i]! & 0x7f);
  return n;
}

/** Checks that `tag` is a well-formed BER tag (as the decoder would accept it). */
export function isValidBerTag(tag: number): boolean {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) return false;
  const b = encodeBerTag(tag);
  if ((b[0]! & 0x1f) !== 0x1f) return b.length === 1;
  if (b.length < 2 || b[1] === 0x80) return false;
  for (let i = 1; i < b.length; i++) {
    const more = (b[i]! & 0x80) !== 0;
    if (more !== i < b.length - 1) return false;
  }
  return true;
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

interface Opts {
  recurse: boolean;
  skipPadding: boolean;
  maxDepth: number;
}

function opts(o: BerDecodeOptions): Opts {
  return {
    recurse: o.recurse ?? true,
    skipPadding: o.skipPadding ?? true,
    maxDepth: Math.min(Math.max(0, o.maxDepth ?? BER_MAX_DEPTH), BER_HARD_MAX_DEPTH),
  };
}

/** Decodes a sequence of BER-TLV objects filling `bytes` exactly (padding aside). */
export function decodeBer(bytes: Uint8Array, o: BerDecodeOptions = {}): BerTlv[] {
  return decodeSeq(bytes, o.baseOffset ?? 0, 0, opts(o), undefined);
}

/** Decodes exactly one object starting at `bytes[0]`; returns it and the bytes consumed. */
export function decodeBerOne(bytes: Uint8Array, o: BerDecodeOptions = {}): { tlv: BerTlv; length: number } {
  return decodeAt(bytes, 0, o.baseOffset ?? 0, 0, opts(o), undefined);
}

function decodeSeq(bytes: Uint8Array, base: number, depth: number, o: Opts, parent: string | undefined): BerTlv[] {
  const out: BerTlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (o.skipPadding && (bytes[i] === 0x00 || bytes[i] === 0xff)) {
      i++;
      continue;
    }
    const { tlv, length } = decodeAt(bytes, i, base, depth, o, parent);
    out.push(tlv);
    i += length;
  }
  return out;
}

export interface BerHeader {
  tag: number;
  constructed: boolean;
  /** bytes of tag + length fields */
  headerLength: number;
  /** length of the value */
  length: number;
}

/**
 * Reads the tag and length of the object at `bytes[start]` and checks that its value fits.
 * `base` is added to offsets in errors; `parent` names the enclosing tag for errors that occur
 * before this object's tag is known.
 */
export function readBerHeader(bytes: Uint8Array, start: number, base = 0, parent?: string): BerHeader {
  let i = start;
  if (i >= bytes.length) throw new CodecError('BER-TLV', 'missing tag', { offset: base + i, tag: parent ?? '(none)' });
  const first = bytes[i++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // subsequent tag bytes: b8 set means another follows (X.690 8.1.2.4)
    let n = 1;
    for (;;) {
      const partial = toHex(bytes.subarray(start, i));
      if (i >= bytes.length) throw new CodecError('BER-TLV', 'tag truncated', { offset: base + start, tag: partial });
      const b = bytes[i++]!;
      if (n === 1 && b === 0x80) {
        // X.690 8.1.2.4.2 c): bits 7-1 of the first subsequent byte shall not all be zero
        throw new CodecError('BER-TLV', 'tag number has a leading zero byte', { offset: base + start, tag: partial + '80' });
      }
      tag = tag * 256 + b;
      n++;
      if ((b & 0x80) === 0) break;
      if (n >= 4) throw new CodecError('BER-TLV', 'tag longer than 4 bytes', { offset: base + start, tag: toHex(bytes.subarray(start, i)) });
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
  return { tag, constructed: (first & 0x20) !== 0, headerLength: i - start, length: len };
}

function decodeAt(bytes: Uint8Array, start: number, base: number, depth: number, o: Opts, parent: string | undefined): { tlv: BerTlv; length: number } {
  const h = readBerHeader(bytes, start, base, parent);
  const vStart = start + h.headerLength;
  const value = bytes.subarray(vStart, vStart + h.length);
  const tlv: BerTlv = { tag: h.tag, constructed: h.constructed, value, offset: base + start };
  if (h.constructed && o.recurse) {
    if (depth >= o.maxDepth) {
      throw new CodecError('BER-TLV', `nesting deeper than ${o.maxDepth}`, { offset: base + start, tag: tagHex(h.tag) });
    }
    tlv.children = decodeSeq(value, base + vStart, depth + 1, o, tagHex(h.tag));
  }
  return { tlv, length: h.headerLength + h.length };
}

/** X.690 8.1.3.4/8.1.3.5: the shortest (DER) form of a definite length. */
export function encodeBerLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  if (len <= 0xff) return Uint8Array.of(0x81, len);
  if (len <= 0xffff) return Uint8Array.of(0x82, len >> 8, len & 0xff);
  if (len <= 0xffffff) return Uint8Array.of(0x83, len >> 16, (len >> 8) & 0xff, len & 0xff);
  return Uint8Array.of(0x84, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
}

export function encodeBerTag(tag: number): Uint8Array {
  return uintBytes(tag, berTagLength(tag));
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
  return concatBytes(...items.map((it) => encodeBer(it.tag, it.value)));
}

/** Re-encodes decoded objects from their children when present, else from their value bytes. */
export function encodeBerTree(items: BerTlv[]): Uint8Array {
  return encodeBerSeq(items.map(toInput));
}

function toInput(t: BerTlv): BerTlvInput {
  return { tag: t.tag, value: t.children ? t.children.map(toInput) : t.value };
}

/** First child with `tag` (searching one level). */
export function findBer(list: BerTlv[] | undefined, tag: number): BerTlv | undefined {
  return list?.find((t) => t.tag === tag);
}
