import { SimdmError } from '../../errors.js';

/**
 * A tree or XML text that cannot be written as WBXML (a value out of range, a character the
 * charset cannot carry, malformed XML). Decoding bad bytes throws CodecError instead.
 */
export class WbxmlEncodeError extends SimdmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('codec.wbxml.encode', `wbxml: ${message}`, options);
  }
}
