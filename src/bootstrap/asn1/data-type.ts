/**
 * EF.DODF entries (PKCS #15 v1.1 section 6.7; OMA-TS-DM_Bootstrap smart-card section; LwM2M
 * Core Appendix G.3.2):
 *
 *   DataType ::= CHOICE {
 *       opaqueDO    DataObject {Opaque},
 *       externalIDO [0] DataObject {ExternalIDO},
 *       oidDO       [1] DataObject {OidDO},
 *       ... -- For future extensions
 *   }
 *   DataObject {DataObjectAttributes} ::= PKCS15Object {
 *       CommonDataObjectAttributes, NULL, DataObjectAttributes }
 *   PKCS15Object {ClassAttributes, SubClassAttributes, TypeAttributes} ::= SEQUENCE {
 *       commonObjectAttributes CommonObjectAttributes,
 *       classAttributes        ClassAttributes,
 *       subClassAttributes     [0] SubClassAttributes OPTIONAL,
 *       typeAttributes         [1] TypeAttributes
 *   }
 *   Opaque ::= ObjectValue {PKCS15-OPAQUE.&Type}     -- indirect: a Path (SEQUENCE)
 *   OidDO ::= SEQUENCE { id OBJECT IDENTIFIER, value ObjectValue {PKCS15-OPAQUE.&Type} }
 *
 * typeAttributes is written `A1 { ... }` (explicit: the referenced types are CHOICEs), which is
 * what OpenSC and the nRF LwM2M client read. The Open Mobile API's searchOID reads none of these
 * forms (it wants a DODF whose first TLV is A7): OmapiEntryType below, plan.ts omapiDodf. simdm
 * handles the indirect (Path) form of ObjectValue; direct values are kept as bytes.
 */
import { Any, type Asn1Type, choice, type ChoiceValue, explicit, implicit, ObjectIdentifier, sequence } from '../../codec/asn1/codec.js';
import {
  type CommonDataObjectAttributes,
  CommonDataObjectAttributesType,
  type CommonObjectAttributes,
  CommonObjectAttributesType,
} from './common-attributes.js';
import { type Path, PathType } from './path.js';

export type ObjectValue = ChoiceValue<{ indirect: Path; direct: Uint8Array }>;

const ObjectValueType = choice<{ indirect: Path; direct: Uint8Array }>('ObjectValue', {
  indirect: PathType,
  direct: { ...Any, name: '[0] direct', matches: (b) => (b as unknown as { idBlock: { tagClass: number } }).idBlock.tagClass === 3 },
});

export interface OidDo {
  id: string;
  value: ObjectValue;
}

const OidDoType = sequence<OidDo>('OidDO', [
  { key: 'id', type: ObjectIdentifier },
  { key: 'value', type: ObjectValueType },
]);

export interface DataObject<T> {
  commonObjectAttributes: CommonObjectAttributes;
  classAttributes: CommonDataObjectAttributes;
  typeAttributes: T;
}

function dataObject<T>(name: string, typeAttrs: Asn1Type<T>): Asn1Type<DataObject<T>> {
  return sequence<DataObject<T>>(name, [
    { key: 'commonObjectAttributes', type: CommonObjectAttributesType },
    { key: 'classAttributes', type: CommonDataObjectAttributesType },
    { key: 'typeAttributes', type: explicit(1, typeAttrs) as Asn1Type<NonNullable<T>> },
  ]);
}

type DataTypeMap = {
  opaqueDO: DataObject<ObjectValue>;
  externalIDO: Uint8Array;
  oidDO: DataObject<OidDo>;
};

export type DataType = ChoiceValue<DataTypeMap>;

export const DataTypeType: Asn1Type<DataType> = choice<DataTypeMap>('DataType', {
  opaqueDO: dataObject('DataObject{Opaque}', ObjectValueType),
  externalIDO: {
    ...Any,
    name: '[0] externalIDO',
    matches: (b) => {
      const id = (b as unknown as { idBlock: { tagClass: number; tagNumber: number } }).idBlock;
      return id.tagClass === 3 && id.tagNumber === 0;
    },
  },
  oidDO: implicit(1, dataObject('DataObject{OidDO}', OidDoType)),
});

/** One entry of the Open Mobile API's searchOID DODF form: SEQUENCE { OID, Path } (plan.ts omapiDodf). */
export const OmapiEntryType = sequence<{ id: string; path: Path }>('OMAPI searchOID entry', [
  { key: 'id', type: ObjectIdentifier },
  { key: 'path', type: PathType },
]);
