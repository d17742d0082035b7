/** `simdm/codec`: TLV codecs (BER, COMPREHENSION, SIMPLE, LwM2M, the FCP schema) and WBXML. */
export * from '../codec/tlv/index.js';
export * from '../codec/wbxml/index.js';
export { CodecError } from '../codec/errors.js';
