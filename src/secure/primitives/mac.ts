/**
 * ISO/IEC 9797-1 MAC algorithms on DES/3DES.
 * - Algorithm 1 (clause 7.2): CBC-MAC, the last CBC block under the whole key (DES, 2- or 3-key
 *   3DES). With a 16-byte key this is the "full 3DES MAC" of GP SCP02 cryptograms and the
 *   3DES CBC-MAC of ETSI TS 102 225.
 * - Algorithm 3 (clause 7.4, "retail MAC", ANSI X9.19): single-DES CBC under K1 over all blocks,
 *   then the final block is decrypted with K2 and encrypted again with K1.
 * The data is padded here (method 1 or 2 of 9797-1, or 'none' if already block-aligned).
 */
import { desCbcEncrypt, desEcbDecrypt, desEcbEncrypt } from './des.js';
import { CryptoError } from './errors.js';
import { padIso9797M1, padIso9797M2 } from './padding.js';

export type MacPadding = 'none' | 'method1' | 'method2';

export interface DesMacOptions {
  iv?: Uint8Array;
  padding?: MacPadding;
}

function pad(data: Uint8Array, p: MacPadding): Uint8Array {
  if (p === 'method1') return padIso9797M1(data, 8);
  if (p === 'method2') return padIso9797M2(data, 8);
  if (data.length === 0 || data.length % 8 !== 0) {
    throw new CryptoError('block-length', 'MAC input must be a non-empty multiple of 8 bytes without padding');
  }
  return data;
}

/** ISO 9797-1 MAC algorithm 1 (8 bytes); key 8, 16 or 24 bytes. Default padding method 2. */
export function desMacAlg1(key: Uint8Array, data: Uint8Array, opts: DesMacOptions = {}): Uint8Array {
  const d = pad(data, opts.padding ?? 'method2');
  const c = desCbcEncrypt(key, d, opts.iv);
  return c.slice(c.length - 8);
}

/** ISO 9797-1 MAC algorithm 3 (retail MAC, 8 bytes); key 16 bytes (K1||K2) or 24 (K1||K2||K3, final E under K3). */
export function retailMac(key: Uint8Array, data: Uint8Array, opts: DesMacOptions = {}): Uint8Array {
  if (key.length !== 16 && key.length !== 24) {
    throw new CryptoError('key-length', `retail MAC key must be 16 or 24 bytes, got ${key.length}`);
  }
  const k1 = key.subarray(0, 8);
  const k2 = key.subarray(8, 16);
  const k3 = key.length === 24 ? key.subarray(16, 24) : k1;
  const d = pad(data, opts.padding ?? 'method2');
  const c = desCbcEncrypt(k1, d, opts.iv);
  const last = c.subarray(c.length - 8);
  return desEcbEncrypt(k3, desEcbDecrypt(k2, last));
}
