/**
 * Reading PKCS#15 directory files (EF.ODF, EF.DODF): a concatenation of DER elements, the rest
 * of the file padded with FF or 00 (PKCS #15 v1.1 5.5.1: "the remainder of the file ... 00 or
 * FF"). A reader must tolerate both paddings, skip entries it does not understand, and carry on
 * after a malformed one when the element boundary is still known: every such finding becomes an
 * issue naming the file, entry and offset, and the valid entries are returned.
 */
import { CodecError } from '../codec/errors.js';
import { readBerHeader } from '../codec/tlv/ber.js';
import { type Asn1Type, type DecodeCtx, parseElement } from '../codec/asn1/codec.js';
import { hexNum } from '../util/hex.js';

export interface DirectoryEntry<T> {
  value: T;
  /** offset of the entry in the file */
  offset: number;
  /** the entry's bytes as found */
  raw: Uint8Array;
}

export interface DirectoryParse<T> {
  entries: DirectoryEntry<T>[];
  /** problems found (unknown tags, malformed entries, garbage after padding) */
  issues: string[];
  /** tolerated mis-encodings */
  warnings: string[];
  /** bytes up to the end of the last entry (the rest is padding) */
  usedLength: number;
}

const isPad = (b: number): boolean => b === 0x00 || b === 0xff;

export function parseDirectory<T>(bytes: Uint8Array, type: Asn1Type<T>, file: string): DirectoryParse<T> {
  const out: DirectoryParse<T> = { entries: [], issues: [], warnings: [], usedLength: 0 };
  let off = 0;
  let n = 0;
  while (off < bytes.length) {
    if (isPad(bytes[off]!)) {
      let j = off;
      while (j < bytes.length && isPad(bytes[j]!)) j++;
      if (j < bytes.length) out.issues.push(`${file}: data after padding at offset ${j} (ignored)`);
      break;
    }
    n++;
    const path = `${file} entry ${n}`;
    let length: number;
    let block;
    try {
      ({ block, length } = parseElement(bytes, off, path));
    } catch (e) {
      // the element does not parse; if its header does, skip it, else nothing after it is reachable
      try {
        const h = readBerHeader(bytes, off);
        const next = off + h.headerLength + h.length;
        if (next > bytes.length) throw new CodecError('BER-TLV', 'length beyond the file');
        out.issues.push(`${path} at offset ${off}: ${(e as Error).message}; skipped`);
        off = next;
        continue;
      } catch {
        out.issues.push(`${path} at offset ${off}: ${(e as Error).message}; the rest of ${file} is unreadable`);
        break;
      }
    }
    const raw = bytes.slice(off, off + length);
    if (!type.matches(block)) {
      out.issues.push(`${path} at offset ${off}: tag ${hexNum(raw[0]!, 2)} is not a ${type.name}; skipped`);
    } else {
      const ctx: DecodeCtx = { warnings: [] };
      try {
        out.entries.push({ value: type.fromAsn1(block, { offset: off, path }, ctx), offset: off, raw });
        out.warnings.push(...ctx.warnings);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        out.issues.push(`${e.message}; entry skipped`);
      }
    }
    off += length;
    out.usedLength = off;
  }
  return out;
}
