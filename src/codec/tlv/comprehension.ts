/**
 * COMPREHENSION-TLV: ETSI TS 102 223 section 7.1.1 (tag) and ETSI TS 101 220 section 7.1.2
 * (length), as used inside proactive commands, terminal responses and ENVELOPEs.
 *
 * Tag, single-byte format (7.1.1.1): bit 8 = CR (comprehension required), bits 7-1 = tag value
 * '01'..'7E'; the bytes '00', '80' and 'FF' are not used and '7F' announces the three-byte format.
 * Tag, three-byte format (7.1.1.2): '7F', then bit 8 of the next byte = CR and the remaining
 * 15 bits = tag value '0001'..'7FFF'.
 * Length: '00'..'7F' in one byte, '81' + '80'..'FF' in two (TS 101 220 7.1.2; longer forms are
 * not needed since an APDU carries at most 255 bytes).
 *
 * The outer template of a proactive command or an ENVELOPE (tags 'D0'..'DF', TS 101 220 table
 * 7.17) is BER-TLV: see `decodeCatTemplate`.
 */
import { CodecError } from '../errors.js';
import { concatBytes, toHex } from '../../util/hex.js';
import { encodeBer, readBerHeader, tagHex } from './ber.js';

export interface ComprehensionTlv {
  /** tag value without the CR bit: 1..0x7E (single byte) or 1..0x7FFF (three-byte format) */
  tag: number;
  /** comprehension required (bit 8 of the tag) */
  cr: boolean;
  /** the tag was (or is to be) coded in the three-byte format; default: only when tag > 0x7E */
  threeByte?: boolean;
  value: Uint8Array;
  /** byte offset of the tag in the decoded input */
  offset?: number;
}

const CODEC = 'COMPREHENSION-TLV';

/** The tag bytes as the specifications write them, e.g. '81' (command details, CR), '7F8001'. */
export function comprehensionTagHex(t: Pick<ComprehensionTlv, 'tag' | 'cr' | 'threeByte'>): string {
  return toHex(encodeComprehensionTag(t));
}

export function encodeComprehensionTag(t: Pick<ComprehensionTlv, 'tag' | 'cr' | 'threeByte'>): Uint8Array {
  const three = t.threeByte === true || t.tag > 0x7e;
  if (!Number.isInteger(t.tag) || t.tag < 1 || t.tag > (three ? 0x7fff : 0x7e)) {
    throw new CodecError(CODEC, `tag value ${t.tag} out of range`, { tag: String(t.tag), offset: 0 });
  }
  if (!three) return Uint8Array.of((t.cr ? 0x80 : 0) | t.tag);
  return Uint8Array.of(0x7f, (t.cr ? 0x80 : 0) | (t.tag >> 8), t.tag & 0xff);
}

/** TS 101 220 7.1.2 length, 1 or 2 bytes. */
export function encodeComprehensionLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  if (len <= 0xff) return Uint8Array.of(0x81, len);
  throw new CodecError(CODEC, `value of ${len} bytes is longer than 255`, { offset: 0 });
}

export function encodeComprehension(items: ComprehensionTlv[]): Uint8Array {
  return concatBytes(...items.flatMap((it) => [encodeComprehensionTag(it), encodeComprehensionLength(it.value.length), it.value]));
}

/** Decodes a sequence of COMPREHENSION-TLV objects filling `bytes` exactly. */
export function decodeComprehension(bytes: Uint8Array, baseOffset = 0): ComprehensionTlv[] {
  const out: ComprehensionTlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    const start = i;
    const b0 = bytes[i++]!;
    let tag: number;
    let cr: boolean;
    let threeByte = false;
    if (b0 === 0x7f) {
      if (i + 2 > bytes.length)
        throw new CodecError(CODEC, 'three-byte tag truncated', { offset: baseOffset + start, tag: toHex(bytes.subarray(start, i + 2)) });
      const b1 = bytes[i++]!;
      const b2 = bytes[i++]!;
      cr = (b1 & 0x80) !== 0;
      tag = ((b1 & 0x7f) << 8) | b2;
      threeByte = true;
      if (tag === 0)
        throw new CodecError(CODEC, 'three-byte tag value 0000 is not allowed', { offset: baseOffset + start, tag: toHex(bytes.subarray(start, i)) });
    } else {
      if (b0 === 0x00 || b0 === 0x80 || b0 === 0xff) {
        throw new CodecError(CODEC, 'tag byte is not used (TS 102 223 7.1.1.1)', { offset: baseOffset + start, tag: toHex(Uint8Array.of(b0)) });
      }
      cr = (b0 & 0x80) !== 0;
      tag = b0 & 0x7f;
    }
    const th = toHex(bytes.subarray(start, i));
    if (i >= bytes.length) throw new CodecError(CODEC, 'length missing', { offset: baseOffset + i, tag: th });
    let len = bytes[i++]!;
    if (len === 0x81) {
      if (i >= bytes.length) throw new CodecError(CODEC, 'length truncated', { offset: baseOffset + i - 1, tag: th });
      len = bytes[i++]!;
      if (len < 0x80) throw new CodecError(CODEC, `length ${len} must use the one-byte form`, { offset: baseOffset + i - 2, tag: th });
    } else if (len >= 0x80) {
      throw new CodecError(CODEC, `length byte ${toHex(Uint8Array.of(len))} is not allowed (00-7F or 81 xx)`, { offset: baseOffset + i - 1, tag: th });
    }
    if (i + len > bytes.length) {
      throw new CodecError(CODEC, `length ${len} runs past the end (${bytes.length - i} bytes left)`, { offset: baseOffset + start, tag: th });
    }
    const tlv: ComprehensionTlv = { tag, cr, value: bytes.subarray(i, i + len), offset: baseOffset + start };
    if (threeByte && tag <= 0x7e) tlv.threeByte = true;
    out.push(tlv);
    i += len;
  }
  return out;
}

/** TS 101 220 table 7.17: BER-TLV tags of the CAT templates that hold COMPREHENSION-TLVs. */
export const CAT_TEMPLATE_TAGS: Readonly<Record<number, string>> = {
  0xd0: 'Proactive Command',
  0xd1: 'SMS-PP download',
  0xd2: 'Cell Broadcast download',
  0xd3: 'Menu selection',
  0xd4: 'Call Control',
  0xd5: 'MO Short Message control',
  0xd6: 'Event download',
  0xd7: 'Timer expiration',
  0xd8: 'Reserved for intra-UICC communication',
  0xd9: 'USSD download',
  0xda: 'MMS transfer status',
  0xdb: 'MMS notification download',
  0xdc: 'Terminal application',
  0xdd: 'Geographical location reporting',
  0xde: 'Envelope container',
  0xdf: 'ProSe report',
};

export interface CatTemplate {
  /** BER-TLV tag 'D0'..'DF' */
  tag: number;
  items: ComprehensionTlv[];
}

/** Decodes a proactive command or ENVELOPE: one BER-TLV 'Dx' template of COMPREHENSION-TLVs. */
export function decodeCatTemplate(bytes: Uint8Array): CatTemplate {
  const h = readBerHeader(bytes, 0, 0);
  if (h.tag < 0xd0 || h.tag > 0xdf) {
    throw new CodecError(CODEC, 'not a CAT template (BER tag D0..DF expected)', { offset: 0, tag: tagHex(h.tag) });
  }
  const end = h.headerLength + h.length;
  if (end !== bytes.length) {
    throw new CodecError(CODEC, `${bytes.length - end} bytes after the template`, { offset: end, tag: tagHex(h.tag) });
  }
  return { tag: h.tag, items: decodeComprehension(bytes.subarray(h.headerLength, end), h.headerLength) };
}

export function encodeCatTemplate(t: CatTemplate): Uint8Array {
  return encodeBer(t.tag, encodeComprehension(t.items));
}

/** TS 101 220 table 7.23 / TS 102 223 9.3: names of common COMPREHENSION-TLV tag values. */
export const COMPREHENSION_TAG_NAMES: Readonly<Record<number, string>> = {
  0x01: 'Command details',
  0x02: 'Device identity',
  0x03: 'Result',
  0x04: 'Duration',
  0x05: 'Alpha identifier',
  0x06: 'Address',
  0x07: 'Capability configuration parameters',
  0x08: 'Subaddress',
  0x0b: 'SMS TPDU',
  0x0d: 'Text string',
  0x0e: 'Tone',
  0x0f: 'Item',
  0x10: 'Item identifier',
  0x11: 'Response length',
  0x12: 'File List',
  0x13: 'Location Information',
  0x14: 'IMEI',
  0x15: 'Help request',
  0x16: 'Network Measurement Results',
  0x17: 'Default Text',
  0x18: 'Items Next Action Indicator',
  0x19: 'Event list',
  0x1e: 'Icon identifier',
  0x24: 'Timer identifier',
  0x25: 'Timer value',
  0x26: 'Date-Time and Time zone',
  0x2b: 'Immediate response',
  0x2c: 'DTMF string',
  0x2d: 'Language',
  0x2f: 'AID',
  0x31: 'URL',
  0x35: 'Bearer description',
  0x36: 'Channel data',
  0x37: 'Channel data length',
  0x38: 'Channel status',
  0x39: 'Buffer size',
  0x3c: 'UICC/terminal interface transport level',
  0x3e: 'Other address (data destination address)',
  0x47: 'Network Access Name',
};
