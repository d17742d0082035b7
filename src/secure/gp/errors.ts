import { SimdmError } from '../../errors.js';

/**
 * Secure channel (GlobalPlatform SCP02/SCP03) failures. Stable codes:
 * `scp.cryptogram` (card or host cryptogram mismatch), `scp.mac` (C-MAC/R-MAC mismatch),
 * `scp.state` (command out of sequence), `scp.format` (malformed INITIALIZE UPDATE / EXTERNAL
 * AUTHENTICATE / wrapped APDU), `scp.level` (unsupported security level), `scp.key` (key
 * version/length problems), `scp.padding` (bad padding after decryption), `scp.card` (the card
 * refused a secure channel command). Messages never contain key material.
 */
export class ScpError extends SimdmError {
  constructor(what: string, message: string, options?: { cause?: unknown }) {
    super(`scp.${what}`, message, options);
  }
}
