/**
 * The 3GPP generic key derivation function (TS 33.220 Annex B.2, reused by TS 33.401 Annex A
 * and TS 33.501 Annex A):
 *   derived key = HMAC-SHA-256(Key, S),  S = FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ … ‖ Pn ‖ Ln
 * where FC is one octet and Li is the length of Pi in octets as a 2-octet big-endian number (B.2.1).
 */
import { createHmac } from 'node:crypto';
import { SimdmError } from '../../errors.js';

export class GbaError extends SimdmError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** S = FC ‖ P0 ‖ L0 ‖ … (B.2.1). Parameters are bytes or UTF-8 strings. */
export function kdfInput(fc: number, params: (Uint8Array | string)[]): Uint8Array {
  if (!Number.isInteger(fc) || fc < 0 || fc > 255) throw new GbaError('gba.param', 'FC must be one octet');
  const ps = params.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  let n = 1;
  for (const p of ps) {
    if (p.length > 0xffff) throw new GbaError('gba.param', `KDF parameter of ${p.length} octets exceeds 65535`);
    n += p.length + 2;
  }
  const s = new Uint8Array(n);
  s[0] = fc;
  let o = 1;
  for (const p of ps) {
    s.set(p, o);
    o += p.length;
    s[o++] = p.length >> 8;
    s[o++] = p.length & 0xff;
  }
  return s;
}

/** HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ …), 32 octets (B.2.2 / B.2.1). */
export function kdf(key: Uint8Array, fc: number, params: (Uint8Array | string)[]): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(kdfInput(fc, params)).digest());
}
