/** Constant-time comparison for MACs and cryptograms (never `===` on secrets). */
import { timingSafeEqual } from 'node:crypto';

/** True if `a` and `b` are equal; the time taken depends only on the lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
