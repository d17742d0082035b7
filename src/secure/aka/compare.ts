/**
 * Byte helpers of the AKA code. The constant-time comparison is the one of secure/primitives/ct.ts
 * (crypto.timingSafeEqual), re-exported under the name its many callers use.
 */
export { constantTimeEqual as ctEqual } from '../primitives/ct.js';

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
