/** `simdm/codec`: TLV codecs (BER, COMPREHENSION, SIMPLE, LwM2M, the FCP schema) and WBXML. */
export * from '../codec/tlv/ber.js';
export * from '../codec/tlv/comprehension.js';
export * from '../codec/tlv/simple.js';
export * from '../codec/tlv/lwm2m.js';
export * from '../codec/tlv/lwm2m-values.js';
export * from '../codec/tlv/lwm2m-model.js';
export * from '../codec/tlv/schema.js';
export * from '../codec/tlv/fcp.js';
export * from '../codec/tlv/canonical.js';
export * from '../codec/wbxml/index.js';
export { CodecError } from '../codec/errors.js';
