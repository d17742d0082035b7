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

/** Throws `key.length` when `bytes` is not one of `lengths` bytes long. */
export function checkLength(what: string, bytes: Uint8Array, ...lengths: number[]): void {
  if (!lengths.includes(bytes.length)) {
    throw new AkaError('key.length', `${what} must be ${lengths.join(' or ')} bytes, got ${bytes.length}`);
  }
}
