/**
 * PKCS#15 Path (PKCS #15 v1.1 section 6.1.5; ISO/IEC 7816-15):
 *
 *   Path ::= SEQUENCE {
 *       efidOrPath  OCTET STRING,
 *       index       INTEGER (0..pkcs15-ub-index) OPTIONAL,
 *       length      [0] INTEGER (0..pkcs15-ub-index) OPTIONAL
 *   } (WITH COMPONENTS {..., index PRESENT, length PRESENT} |
 *      WITH COMPONENTS {..., index ABSENT, length ABSENT})
 *
 * `efidOrPath` of 2 bytes is a file identifier relative to the PKCS#15 application DF; longer,
 * a path (from 3F00 when it starts with 3F00, else relative).
 */
import { implicit, Integer, OctetString, sequence } from '../../codec/asn1/codec.js';

export interface Path {
  path: Uint8Array;
  index?: number;
  length?: number;
}

export const PathType = sequence<Path>('Path', [
  { key: 'path', type: OctetString },
  { key: 'index', type: Integer, optional: true },
  { key: 'length', type: implicit(0, Integer), optional: true },
]);
