/**
 * Constant-time equality for MACs, RES, digests (crypto.timingSafeEqual). A length mismatch
 * returns false without comparing; lengths of MACs are public in every protocol used here.
 */
import { timingSafeEqual } from 'node:crypto';

export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
