/**
 * The shape of an EF codec: declared once (see ./fields.ts), it decodes an EF's bytes (the whole
 * content of a transparent EF, or one record of a record EF) to a JSON-friendly value and encodes
 * that value back, padded to the file size or record length. Every codec carries its own test
 * vectors (bytes and the value they mean, from the standards or public real-card dumps) which one
 * generic test runs for all (test/unit/card/ef-codecs.test.ts).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface CodecVector {
  /** the EF content (or record) in hex */
  hex: string;
  /** what it means */
  value: Json;
  /** where the numbers come from (spec clause, dump) */
  source: string;
  /** encoding the value back gives `hex` exactly (default true); false for lossy inputs */
  roundTrip?: boolean;
}

export interface EfCodec {
  /** catalogue name, e.g. 'EF.IMSI' */
  readonly name: string;
  /** spec clause of the content coding */
  readonly spec: string;
  /** 'record': the codec applies to one record */
  readonly unit: 'content' | 'record';
  /** bytes -> value; throws CodecError only */
  decode(bytes: Uint8Array): Json;
  /** value -> bytes of exactly `size` (FF padded); throws CodecError naming the field at fault */
  encode(value: Json, size: number): Uint8Array;
  readonly vectors: readonly CodecVector[];
}
