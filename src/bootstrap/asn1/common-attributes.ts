/**
 * Attributes common to every PKCS#15 object and to data objects (PKCS #15 v1.1 sections 6.3.1
 * and 6.7):
 *
 *   CommonObjectAttributes ::= SEQUENCE {
 *       label           Label OPTIONAL,
 *       flags           CommonObjectFlags OPTIONAL,
 *       authId          Identifier OPTIONAL,
 *       ... -- userConsent, accessControlRules
 *   }
 *   CommonObjectFlags ::= BIT STRING { private(0), modifiable(1) }
 *
 *   CommonDataObjectAttributes ::= SEQUENCE {
 *       applicationName Label OPTIONAL,
 *       applicationOID  OBJECT IDENTIFIER OPTIONAL,
 *       ... -- For future extensions
 *   }
 */
import { BitFlags, ObjectIdentifier, OctetString, sequence, Utf8String } from '../../codec/asn1/codec.js';

export interface CommonObjectAttributes {
  label?: string;
  /** bit numbers set: 0 private (PIN needed to read), 1 modifiable */
  flags?: number[];
  authId?: Uint8Array;
}

export const CommonObjectAttributesType = sequence<CommonObjectAttributes>('CommonObjectAttributes', [
  { key: 'label', type: Utf8String, optional: true },
  { key: 'flags', type: BitFlags, optional: true },
  { key: 'authId', type: OctetString, optional: true },
]);

export interface CommonDataObjectAttributes {
  applicationName?: string;
  applicationOID?: string;
}

export const CommonDataObjectAttributesType = sequence<CommonDataObjectAttributes>('CommonDataObjectAttributes', [
  { key: 'applicationName', type: Utf8String, optional: true },
  { key: 'applicationOID', type: ObjectIdentifier, optional: true },
]);
