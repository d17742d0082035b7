/**
 * Errors of the authentication layer (3GPP AKA, GBA, OMA DM auth). Codes are stable:
 * `aka.mac-failure`, `aka.sync-failure`, `aka.sqn-range`, `aka.format`, `key.length`, `dm.nonce-replay`, ...
 * Messages name the field and the expected size, never the value of a key or a MAC.
 */
import { SimdmError } from '../../errors.js';

export class AkaError extends SimdmError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Throws `key.length` when `bytes` is neither `len` nor `alt` bytes long (no rest array: hot path). */
export function checkLength(what: string, bytes: Uint8Array, len: number, alt?: number): void {
  if (bytes.length !== len && bytes.length !== alt) {
    throw new AkaError('key.length', `${what} must be ${alt === undefined ? len : `${len} or ${alt}`} bytes, got ${bytes.length}`);
  }
}
