/**
 * ISO/IEC 9797-1 padding methods 1 and 2 (clause 6.1.2 / 6.1.3).
 * Method 1: append zero bytes up to a multiple of the block size (empty data gets one zero block
 * only when `emptyBlock` is set; ISO says pad empty data to one block).
 * Method 2: append 0x80 then zero bytes up to a multiple of the block size (always adds >= 1 byte);
 * the same as ISO/IEC 7816-4 padding.
 */
import { CryptoError } from './errors.js';

export function padIso9797M1(data: Uint8Array, block: number): Uint8Array {
  const n = data.length === 0 ? block : Math.ceil(data.length / block) * block;
  const out = new Uint8Array(n);
  out.set(data);
  return out;
}

export function padIso9797M2(data: Uint8Array, block: number): Uint8Array {
  const n = (Math.floor(data.length / block) + 1) * block;
  const out = new Uint8Array(n);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes method-2 padding; throws CryptoError `crypto.padding` if it is not well formed. */
export function unpadIso9797M2(data: Uint8Array, block?: number): Uint8Array {
  if (data.length === 0 || (block !== undefined && data.length % block !== 0)) {
    throw new CryptoError('padding', 'padded data is empty or not a multiple of the block size');
  }
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || (block !== undefined && data.length - i > block)) {
    throw new CryptoError('padding', 'ISO 9797-1 method 2 padding not found');
  }
  return data.slice(0, i);
}
