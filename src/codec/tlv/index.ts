/** TLV codecs: BER-TLV, COMPREHENSION-TLV, SIMPLE-TLV, LwM2M TLV, declarative schemas, FCP. */
export * from './ber.js';
export * from './comprehension.js';
export * from './simple.js';
export * from './lwm2m.js';
export * from './lwm2m-values.js';
export * from './lwm2m-model.js';
export * from './schema.js';
export * from './fcp.js';
export * from './canonical.js';
