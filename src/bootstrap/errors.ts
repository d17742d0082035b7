import { SimdmError } from '../errors.js';

/**
 * What the bootstrap layer reports: a structure that cannot be written (a file too small, a
 * missing key), a profile that does not validate (file, line, field). Never carries secrets.
 */
export class BootstrapError extends SimdmError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`bootstrap.${code}`, message, options);
  }
}
