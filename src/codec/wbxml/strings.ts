/**
 * Character data in the document's charset (WAP-192-WBXML section 5.6): UTF-8 (106), US-ASCII (3)
 * and ISO-8859-1 (4), all terminated by one 0x00 byte (section 5.8.4.1, termstr).
 */
import { CodecError } from '../errors.js';
import { CHARSET } from './tokens.js';
import { hexNum } from '../../util/hex.js';

const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true });
const UTF8_ENC = new TextEncoder();

/** Decodes bytes[start, end) in `charset`; bad bytes give a CodecError at their offset. */
export function decodeChars(bytes: Uint8Array, start: number, end: number, charset: number, token: string, base = 0): string {
  // ASCII fast path, shared by the three charsets
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (end - start < 64) {
      let s = '';
      for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
      return s;
    }
    return UTF8_FATAL.decode(bytes.subarray(start, end)); // ASCII is valid UTF-8
  }
  if (charset === CHARSET['UTF-8']) {
    try {
      return UTF8_FATAL.decode(bytes.subarray(start, end));
    } catch {
      throw new CodecError('wbxml', 'invalid UTF-8 in string', { offset: base + firstBadUtf8(bytes, start, end), tag: token });
    }
  }
  if (charset === CHARSET['ISO-8859-1']) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  let i = start;
  while (bytes[i]! < 0x80) i++;
  throw new CodecError('wbxml', `byte 0x${hexNum(bytes[i]!)} is not US-ASCII`, { offset: base + i, tag: token });
}

/** Offset of the first byte where a UTF-8 decoder fails (for the error message). */
function firstBadUtf8(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > end) return i;
    try {
      UTF8_FATAL.decode(bytes.subarray(i, i + n));
    } catch {
      return i;
    }
    i += n;
  }
  return start;
}

/** Encodes `s` in `charset`; the caller has already replaced characters the charset lacks by ENTITY. */
export function encodeChars(s: string, charset: number): Uint8Array {
  if (charset === CHARSET['UTF-8']) return UTF8_ENC.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Highest code point the charset carries as a plain character (others need ENTITY). */
export function charsetLimit(charset: number): number {
  return charset === CHARSET['US-ASCII'] ? 0x7f : charset === CHARSET['ISO-8859-1'] ? 0xff : 0x10ffff;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const XML_NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*$/;

/** A (slightly permissive) XML 1.0 Name check, for LITERAL names read from the string table. */
export function isXmlName(s: string): boolean {
  return XML_NAME.test(s);
}
