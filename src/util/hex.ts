import { UsageError } from '../errors.js';

const HEX = '0123456789ABCDEF';

/** Uppercase hex of `bytes`, optionally with a separator between bytes. */
export function toHex(bytes: Uint8Array, sep = ''): string {
  // Buffer's native hex from 16 bytes on (256 bytes: 0.5 us against 3.4 us for the loop; 2 bytes: 150 ns against 30 ns)
  if (!sep && bytes.length >= 16) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex').toUpperCase();
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && sep) s += sep;
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** `n` in uppercase hex, zero-padded to `digits` digits (a byte: 2, a FID or an SW: 4). */
export function hexNum(n: number, digits = 2): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}

/** A file identifier as four uppercase hex digits (TS 102 221 8.2: "6F07", "3F00"). */
export const fidHex = (fid: number): string => hexNum(fid, 4);

/**
 * Parses hex, tolerating whitespace, ':' and '-' between digits and a leading "0x".
 * Throws UsageError naming `what` and the offending character position.
 */
export function fromHex(text: string, what = 'hex'): Uint8Array {
  let s = text.trim();
  if (s.startsWith('0x') || s.startsWith('0X')) s = s.slice(2);
  s = s.replace(/[\s:-]/g, '');
  if (s.length % 2 !== 0) throw new UsageError(`${what}: odd number of hex digits (${s.length})`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexVal(s.charCodeAt(2 * i));
    const lo = hexVal(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const bad = hi < 0 ? s[2 * i] : s[2 * i + 1];
      throw new UsageError(`${what}: '${bad}' is not a hex digit (at digit ${hi < 0 ? 2 * i : 2 * i + 1})`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function isHex(text: string): boolean {
  return /^(0x)?([0-9a-fA-F]{2}[\s:-]?)*$/.test(text.trim());
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
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

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Big-endian unsigned integer of 1..6 bytes. */
export function readUint(bytes: Uint8Array, off = 0, len = bytes.length - off): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + bytes[off + i]!;
  return v;
}

/** Big-endian encoding of `value` in exactly `len` bytes. */
export function uintBytes(value: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}
