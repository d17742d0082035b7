/** Response APDUs: data field followed by SW1 SW2 (ISO/IEC 7816-4 section 5.1). */
import { SimdmError } from '../errors.js';

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export class TruncatedResponseError extends SimdmError {
  constructor(length: number) {
    super('apdu.truncated', `R-APDU of ${length} byte${length === 1 ? '' : 's'}: no status word (card removed or reader fault)`);
  }
}

export function decodeResponse(b: Uint8Array): ResponseApdu {
  if (b.length < 2) throw new TruncatedResponseError(b.length);
  return { data: b.subarray(0, b.length - 2), sw: (b[b.length - 2]! << 8) | b[b.length - 1]! };
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data, 0);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}
