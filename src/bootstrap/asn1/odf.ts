/**
 * EF.ODF entries (PKCS #15 v1.1 section 6.2; LwM2M Core Appendix G.3.1):
 *
 *   PKCS15Objects ::= CHOICE {
 *       privateKeys         [0] PrivateKeys,
 *       publicKeys          [1] PublicKeys,
 *       trustedPublicKeys   [2] PublicKeys,
 *       secretKeys          [3] SecretKeys,
 *       certificates        [4] Certificates,
 *       trustedCertificates [5] Certificates,
 *       usefulCertificates  [6] Certificates,
 *       dataObjects         [7] DataObjects,
 *       authObjects         [8] AuthObjects,
 *       ... -- For future extensions
 *   }
 *   DataObjects ::= PathOrObjects {DataType}
 *   PathOrObjects {ObjectType} ::= CHOICE { path Path, objects [0] SEQUENCE OF ObjectType, ... }
 *
 * The ODF is a concatenation of these (a CHOICE is tagged explicitly, so `A7 xx 30 ...`). simdm
 * reads and writes the `path` alternative; objects held directly in the ODF are kept as bytes.
 */
import { Any, type Asn1Type, choice, type ChoiceValue, explicit } from '../../codec/asn1/codec.js';
import { type Path, PathType } from './path.js';

export type PathOrObjects = ChoiceValue<{ path: Path; objects: Uint8Array }>;

const PathOrObjectsType = choice<{ path: Path; objects: Uint8Array }>('PathOrObjects', {
  path: PathType,
  objects: { ...Any, name: '[0] objects', matches: (b) => (b as unknown as { idBlock: { tagClass: number; tagNumber: number } }).idBlock.tagClass === 3 },
});

export const ODF_KINDS = [
  'privateKeys',
  'publicKeys',
  'trustedPublicKeys',
  'secretKeys',
  'certificates',
  'trustedCertificates',
  'usefulCertificates',
  'dataObjects',
  'authObjects',
] as const;
export type OdfKind = (typeof ODF_KINDS)[number];

type OdfMap = { [K in OdfKind]: PathOrObjects };

export type OdfEntry = ChoiceValue<OdfMap>;

export const OdfEntryType: Asn1Type<OdfEntry> = choice<OdfMap>(
  'PKCS15Objects',
  Object.fromEntries(ODF_KINDS.map((k, i) => [k, explicit(i, PathOrObjectsType)])) as { [K in OdfKind]: Asn1Type<PathOrObjects> },
);
