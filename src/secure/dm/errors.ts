/**
 * OMA DM authentication errors. Codes: `dm.auth-failure`, `dm.nonce-replay`, `dm.nonce-unknown`,
 * `dm.nonce-expired`, `dm.header` (malformed x-syncml-hmac), `dm.notification` (malformed package #0),
 * `dm.unsupported`. Messages never contain passwords, digests or nonces.
 */
import { SimdmError } from '../../errors.js';

export class DmError extends SimdmError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
