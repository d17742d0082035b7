import { SimdmError } from '../../errors.js';

/**
 * OTA secured packet failures (ETSI TS 102 225 / 3GPP TS 31.115, TS 102 226). Stable codes:
 * `ota.format` (malformed packet or script), `ota.cc` (RC/CC/DS mismatch), `ota.cipher` (ciphering
 * error: bad length or padding), `ota.counter-replay` (counter not higher than the last one),
 * `ota.counter-high` / `ota.counter-blocked`, `ota.key` (missing key or unsupported algorithm),
 * `ota.por` (the card answered with a non-OK response status). `status` is the TS 102 225
 * response status code the receiving entity answers with, when there is one.
 */
export class OtaError extends SimdmError {
  readonly status: number | undefined;
  constructor(what: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(`ota.${what}`, message, options);
    this.status = status;
  }
}
