import { SimdmError } from '../errors.js';

/**
 * Every codec (TLV, WBXML, ASN.1, EF codecs) throws only this on bad bytes. `offset` is the byte
 * offset in the input where the fault was found; `tag` names the element being decoded, if known.
 */
export class CodecError extends SimdmError {
  readonly offset: number | undefined;
  readonly tag: string | undefined;
  constructor(codec: string, message: string, where: { offset?: number; tag?: string } = {}) {
    const at = [where.tag !== undefined ? `tag ${where.tag}` : undefined, where.offset !== undefined ? `offset ${where.offset}` : undefined]
      .filter(Boolean)
      .join(', ');
    super(`codec.${codec}`, `${codec}: ${message}${at ? ` (${at})` : ''}`);
    this.offset = where.offset;
    this.tag = where.tag;
  }
}
