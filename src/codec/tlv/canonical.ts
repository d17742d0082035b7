/**
 * Canonical forms and comparison of TLV data (OMA DM requirement 6.3.4.16: a DM server must tell
 * a new configuration from the current one unambiguously). Two encodings that carry the same
 * values compare equal: BER-TLV with non-minimal lengths or 00/FF padding, LwM2M integers in
 * 1 or 8 bytes, FCP elements in another order.
 *
 * - BER-TLV: the DER-like form of X.690 10.1 (shortest lengths), padding dropped, element order kept
 *   (order is significant in a BER-TLV string).
 * - LwM2M: by decoded value per type (lwm2m-values.ts), instances and resources by id.
 * - Schemas (FCP...): schema order, declared CR bits (schema.ts).
 */
import { bytesEqual } from '../../util/hex.js';
import { decodeBer, encodeBerTree } from './ber.js';
import { decodeComprehension, encodeComprehension } from './comprehension.js';
import { decodeLwm2mObject, lwm2mObjectsEqual } from './lwm2m-model.js';
import { decodeSimple, encodeSimple } from './simple.js';

/** BER-TLV in its canonical form: shortest lengths, no padding between objects. */
export function canonicalBer(bytes: Uint8Array): Uint8Array {
  return encodeBerTree(decodeBer(bytes));
}

export function berEquals(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(canonicalBer(a), canonicalBer(b));
}

/** COMPREHENSION-TLV canonically: one-byte tags where possible (the CR bit is kept: it is meaning). */
export function canonicalComprehension(bytes: Uint8Array): Uint8Array {
  return encodeComprehension(decodeComprehension(bytes).map(({ threeByte, ...t }) => (void threeByte, t)));
}

/** SIMPLE-TLV canonically: one-byte lengths below 255. */
export function canonicalSimple(bytes: Uint8Array): Uint8Array {
  return encodeSimple(decodeSimple(bytes).map(({ longLength, ...t }) => (void longLength, t)));
}

/** Same LwM2M configuration of object `objectId`, whatever the encoding widths or order. */
export function lwm2mBytesEqual(a: Uint8Array, b: Uint8Array, objectId: number): boolean {
  return lwm2mObjectsEqual(decodeLwm2mObject(a, objectId), decodeLwm2mObject(b, objectId));
}

/** Lexicographic comparison of two canonical byte strings (a total order for sorting). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
