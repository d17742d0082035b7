import { SimdmError } from '../../errors.js';

/**
 * Errors from the cryptographic primitives: a key of the wrong length, data not a multiple of the
 * block size, bad padding. Codes are `crypto.<what>`; messages never contain key material.
 */
export class CryptoError extends SimdmError {
  constructor(what: string, message: string, options?: { cause?: unknown }) {
    super(`crypto.${what}`, message, options);
  }
}
