/**
 * NIST SP 800-108 KDF in counter mode (clause 5.1) with AES-CMAC as the PRF. The counter [i]_r sits
 * between `before` and `after` (CAVP's BEFORE_FIXED is before = empty; GP SCP03 puts it between the
 * label/L and the context, Amendment D 4.1.5). Output is the leftmost `outLen` bytes of
 * K(1) || K(2) || ... .
 */
import { concatBytes, uintBytes } from '../../util/hex.js';
import { aesCmac } from './cmac.js';
import { CryptoError } from './errors.js';

export interface CounterKdfInput {
  /** fixed input data before the counter (may be empty) */
  before?: Uint8Array;
  /** fixed input data after the counter (may be empty) */
  after?: Uint8Array;
  /** counter width r in bytes: 1..4 */
  counterBytes?: number;
}

export function kdfCounterCmac(key: Uint8Array, outLen: number, input: CounterKdfInput): Uint8Array {
  const r = input.counterBytes ?? 1;
  if (r < 1 || r > 4) throw new CryptoError('kdf', `counter width must be 1..4 bytes, got ${r}`);
  const n = Math.ceil(outLen / 16);
  if (n > 2 ** (8 * r) - 1) throw new CryptoError('kdf', 'requested output too long for the counter width');
  const before = input.before ?? new Uint8Array(0);
  const after = input.after ?? new Uint8Array(0);
  const out = new Uint8Array(n * 16);
  for (let i = 1; i <= n; i++) {
    out.set(aesCmac(key, concatBytes(before, uintBytes(i, r), after)), (i - 1) * 16);
  }
  return out.slice(0, outLen);
}
