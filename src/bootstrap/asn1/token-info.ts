/**
 * EF.TokenInfo (PKCS #15 v1.1 section 6.9):
 *
 *   TokenInfo ::= SEQUENCE {
 *       version         INTEGER {v1(0)} (v1,...),
 *       serialNumber    OCTET STRING,
 *       manufacturerID  Label OPTIONAL,
 *       label           [0] Label OPTIONAL,
 *       tokenflags      TokenFlags,
 *       ... -- seInfo, recordInfo, supportedAlgorithms, issuerId, holderId, lastUpdate, preferredLanguage
 *   }
 *   Label ::= UTF8String (SIZE(0..pkcs15-ub-label))
 *   TokenFlags ::= BIT STRING { readonly(0), loginRequired(1), prnGeneration(2), eidCompliant(3) }
 *
 * Extensions after tokenflags are skipped on reading and not written.
 */
import { BitFlags, implicit, Integer, OctetString, sequence, Utf8String } from '../../codec/asn1/codec.js';

export interface TokenInfo {
  version: number;
  serialNumber: Uint8Array;
  manufacturerID?: string;
  label?: string;
  /** bit numbers set: 0 readonly, 1 loginRequired, 2 prnGeneration, 3 eidCompliant */
  tokenflags: number[];
}

export const TokenInfoType = sequence<TokenInfo>('TokenInfo', [
  { key: 'version', type: Integer },
  { key: 'serialNumber', type: OctetString },
  { key: 'manufacturerID', type: Utf8String, optional: true },
  { key: 'label', type: implicit(0, Utf8String), optional: true },
  { key: 'tokenflags', type: BitFlags },
]);
