/**
 * A small DER walker for the target models (independent of simdm's own ASN.1 codec, so that a
 * model does not share simdm's mistakes): definite lengths, optional strictness (minimal length
 * encoding, no high tag numbers are used by PKCS #15 files).
 */
import { refuse } from './types.js';

export interface Tlv {
  tag: number;
  /** offset of the tag */
  start: number;
  /** offset of the value */
  at: number;
  len: number;
  /** offset after the value */
  end: number;
}

export const value = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.at, t.end);

/** The TLV at `off`; refuses (with `what`) what does not parse. */
export function tlvAt(b: Uint8Array, off: number, what: string, strict = false): Tlv {
  if (off + 2 > b.length) refuse(`${what}: truncated at offset ${off}`);
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) refuse(`${what}: multi-byte tag at offset ${off}`);
  let p = off + 1;
  let len = b[p++]!;
  if (len === 0x80) refuse(`${what}: indefinite length at offset ${off}`);
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 3 || p + n > b.length) refuse(`${what}: bad length at offset ${off}`);
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[p++]!;
    if (strict && (len < 0x80 || (n > 1 && len < 1 << (8 * (n - 1))))) refuse(`${what}: length ${len} not in its shortest form (DER) at offset ${off}`);
  }
  if (p + len > b.length) refuse(`${what}: element at offset ${off} runs past the end (${len} bytes, ${b.length - p} left)`);
  return { tag, start: off, at: p, len, end: p + len };
}

/** Every TLV of `b` in order. */
export function tlvs(b: Uint8Array, what: string, strict = false): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < b.length;) {
    const t = tlvAt(b, off, what, strict);
    out.push(t);
    off = t.end;
  }
  return out;
}

/** Where the padding (00 or FF to the end) starts; -1 when `b` is not padded that way from there. */
export function dataEnd(b: Uint8Array, what: string, strict: boolean): number {
  let off = 0;
  while (off < b.length) {
    const x = b[off]!;
    if (x === 0x00 || x === 0xff) {
      if (b.subarray(off).some((y) => y !== x)) {
        if (strict) refuse(`${what}: bytes after the padding that starts at offset ${off}`);
      }
      return off;
    }
    off = tlvAt(b, off, what, strict).end;
  }
  return off;
}

/** OID contents -> dotted text. */
export function oidText(v: Uint8Array): string {
  const parts: number[] = [];
  let n = 0;
  for (const x of v) {
    n = n * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - 40 * a, ...parts].join('.');
}

/** Dotted text -> OID contents. */
export function oidBytes(dotted: string): Uint8Array {
  const p = dotted.split('.').map(Number);
  const arcs = [p[0]! * 40 + p[1]!, ...p.slice(2)];
  const out: number[] = [];
  for (const a of arcs) {
    const chunk: number[] = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}
