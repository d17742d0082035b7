/** DMS errors: `dms.request` (malformed request), `dms.config` (bad accounts file). */
import { SimdmError } from '../errors.js';

export class DmsError extends SimdmError {
  constructor(code: 'dms.request' | 'dms.config', message: string) {
    super(code, message);
  }
}
