/**
 * The FCP template returned by SELECT: ETSI TS 102 221 section 11.1.1.3 (response for an EF,
 * DF/ADF, MF) and 11.1.1.4 (the data objects), on ISO/IEC 7816-4 5.3.3 (table 12).
 *
 * Declared once as a schema (FCP_SCHEMA) whose table of tags both decodes and encodes.
 * `decodeFcp` takes the whole template (tag '62'); `encodeFcp` writes it back. Unknown tags are
 * kept, so re-encoding a decoded FCP gives the same bytes for DER-like input.
 */
import { CodecError } from '../errors.js';
import { bytesEqual, fromHex, toHex } from '../../util/hex.js';
import { decodeBer, encodeBer, encodeBerSeq, isValidBerTag, readBerHeader, tagHex, type BerTlv, type BerTlvInput } from './ber.js';
import {
  SchemaError,
  decodeSchemaAt,
  encodeSchema,
  encodeSchemaCanonical,
  hexType,
  nestedType,
  uintType,
  type SchemaObject,
  type TlvSchema,
  type UnknownElement,
  type ValueType,
  type Where,
} from './schema.js';

export const FCP_TAG = 0x62;

// ---- 82 file descriptor (TS 102 221 11.1.1.4.3, table 11.5) ---------------------------------

export type FileType = 'DF' | 'workingEF' | 'internalEF' | 'RFU';
export type EfStructure = 'noInfo' | 'transparent' | 'linearFixed' | 'cyclic' | 'berTlv' | 'RFU';

export interface FileDescriptor {
  /** the file descriptor byte as read; when writing, it must agree with the fields below */
  descriptorByte?: number;
  /** b7: the file is shareable between logical channels */
  shareable: boolean;
  /** b6-b4: 111 = DF or ADF, 000 = working EF, 001 = internal EF */
  fileType: FileType;
  /** b3-b1 (EFs only): 001 transparent, 010 linear fixed, 110 cyclic; b6-b1 = 111001 BER-TLV */
  structure?: EfStructure;
  /** the data coding byte, '21' in TS 102 221 */
  dataCoding?: number;
  /** bytes 3-4: record length (linear fixed and cyclic EFs) */
  recordLength?: number;
  /** byte 5: number of records */
  numberOfRecords?: number;
}

const STRUCTURES: Record<number, EfStructure> = { 0: 'noInfo', 1: 'transparent', 2: 'linearFixed', 6: 'cyclic' };

function describeByte(b: number): Pick<FileDescriptor, 'shareable' | 'fileType' | 'structure'> {
  const shareable = (b & 0x40) !== 0;
  if (b & 0x80) return { shareable, fileType: 'RFU' };
  const low = b & 0x3f;
  if (low === 0x38) return { shareable, fileType: 'DF' };
  if (low === 0x39) return { shareable, fileType: 'workingEF', structure: 'berTlv' };
  const t = low >> 3;
  if (t > 1) return { shareable, fileType: 'RFU' };
  return { shareable, fileType: t === 0 ? 'workingEF' : 'internalEF', structure: STRUCTURES[low & 7] ?? 'RFU' };
}

function descriptorByteOf(d: FileDescriptor): number {
  const sh = d.shareable ? 0x40 : 0;
  if (d.fileType === 'RFU' || d.structure === 'RFU') {
    if (d.descriptorByte === undefined) throw new SchemaError('file descriptor: an RFU file type or structure needs descriptorByte');
    return d.descriptorByte;
  }
  if (d.fileType === 'DF') return sh | 0x38;
  if (d.structure === 'berTlv') return sh | 0x39;
  const s = Number(Object.entries(STRUCTURES).find(([, v]) => v === (d.structure ?? 'noInfo'))![0]);
  return sh | (d.fileType === 'internalEF' ? 0x08 : 0) | s;
}

const fileDescriptorType: ValueType<FileDescriptor> = {
  kind: 'file descriptor',
  decode(b: Uint8Array, w: Where): FileDescriptor {
    if (b.length !== 1 && b.length !== 2 && b.length !== 5) {
      throw new CodecError('FCP', `file descriptor of ${b.length} bytes (1, 2 or 5 expected, TS 102 221 11.1.1.4.3)`, w);
    }
    const d: FileDescriptor = { descriptorByte: b[0]!, ...describeByte(b[0]!) };
    if (b.length >= 2) d.dataCoding = b[1]!;
    if (b.length === 5) {
      d.recordLength = (b[2]! << 8) | b[3]!;
      d.numberOfRecords = b[4]!;
    }
    return d;
  },
  encode(d: FileDescriptor): Uint8Array {
    const fdb = descriptorByteOf(d);
    if (d.descriptorByte !== undefined && d.descriptorByte !== fdb) {
      throw new SchemaError(`file descriptor: descriptorByte ${tagHex(d.descriptorByte)} disagrees with the fields (${tagHex(fdb)})`);
    }
    const hasRecords = d.recordLength !== undefined || d.numberOfRecords !== undefined;
    if (!hasRecords) return d.dataCoding === undefined ? Uint8Array.of(fdb) : Uint8Array.of(fdb, d.dataCoding);
    const rl = d.recordLength ?? 0;
    const nr = d.numberOfRecords ?? 0;
    if (rl < 0 || rl > 0xffff || nr < 0 || nr > 0xff) throw new SchemaError(`file descriptor: record length ${rl} / count ${nr} out of range`);
    return Uint8Array.of(fdb, d.dataCoding ?? 0x21, rl >> 8, rl & 0xff, nr);
  },
};

// ---- 8A life cycle status integer (TS 102 221 11.1.1.4.9, ISO 7816-4 table 13) -------------

export type LifeCycleState =
  'no information' | 'creation' | 'initialisation' | 'operational activated' | 'operational deactivated' | 'termination' | 'proprietary' | 'RFU';

export interface LifeCycleStatus {
  /** the byte as read; when writing, it must agree with `state` (default: the usual value) */
  value?: number;
  state: LifeCycleState;
}

export function lifeCycleState(v: number): LifeCycleState {
  if (v === 0x00) return 'no information';
  if (v === 0x01) return 'creation';
  if (v === 0x03) return 'initialisation';
  if ((v & 0xfd) === 0x05) return 'operational activated'; // 0000 01x1
  if ((v & 0xfd) === 0x04) return 'operational deactivated'; // 0000 01x0
  if ((v & 0xfc) === 0x0c) return 'termination'; // 0000 11xx
  if (v >= 0x10) return 'proprietary';
  return 'RFU';
}

const LCS_DEFAULT: Partial<Record<LifeCycleState, number>> = {
  'no information': 0x00,
  creation: 0x01,
  initialisation: 0x03,
  'operational activated': 0x05,
  'operational deactivated': 0x04,
  termination: 0x0c,
};

const lifeCycleType: ValueType<LifeCycleStatus> = {
  kind: 'life cycle status',
  decode(b, w) {
    if (b.length !== 1) throw new CodecError('FCP', `life cycle status of ${b.length} bytes (1 expected)`, w);
    return { value: b[0]!, state: lifeCycleState(b[0]!) };
  },
  encode(l) {
    const v = l.value ?? LCS_DEFAULT[l.state];
    if (v === undefined) throw new SchemaError(`life cycle status: state '${l.state}' needs a value`);
    if (lifeCycleState(v) !== l.state) throw new SchemaError(`life cycle status: value ${tagHex(v)} is '${lifeCycleState(v)}', not '${l.state}'`);
    return Uint8Array.of(v);
  },
};

// ---- security attributes (TS 102 221 11.1.1.4.7) -------------------------------------------

/** 8C compact format (ISO 7816-4 9.3.3): AM byte then one SC byte per bit set in b7-b1. */
export interface CompactSecurity {
  accessMode: number;
  conditions: number[];
}

const compactType: ValueType<CompactSecurity> = {
  kind: 'compact security attributes',
  decode(b, w) {
    if (b.length < 1) throw new CodecError('FCP', 'compact security attributes are empty', w);
    return { accessMode: b[0]!, conditions: Array.from(b.subarray(1)) };
  },
  encode(c) {
    return Uint8Array.from([c.accessMode, ...c.conditions]);
  },
};

/**
 * One data object of the expanded format (AB): an AM DO ('80'-'8F') or an SC DO ('90' always,
 * '97' never, 'A4' CRT, 'A0' OR / 'AF' AND / 'A7' NOT templates, ...). `value` is the value
 * bytes in hex; constructed DOs also carry their decoded `children`, which win when encoding.
 */
export interface ExpandedSecurityDo {
  tag: string;
  value: string;
  children?: ExpandedSecurityDo[];
}

function expandedDo(t: BerTlv): ExpandedSecurityDo {
  const d: ExpandedSecurityDo = { tag: tagHex(t.tag), value: toHex(t.value) };
  if (t.children) d.children = t.children.map(expandedDo);
  return d;
}

function expandedInput(d: ExpandedSecurityDo): BerTlvInput {
  const tag = parseInt(d.tag, 16);
  if (!/^([0-9A-Fa-f]{2}){1,3}$/.test(d.tag) || !isValidBerTag(tag)) throw new SchemaError(`expanded security: bad tag '${d.tag}'`);
  if (d.children) return { tag, value: d.children.map(expandedInput) };
  return { tag, value: fromHex(d.value) };
}

const expandedType: ValueType<ExpandedSecurityDo[]> = {
  kind: 'expanded security attributes',
  decode(b, w) {
    // OR/AND/NOT templates nest CRTs: a few levels at most
    return decodeBer(b, { baseOffset: w.offset, skipPadding: false, maxDepth: 8 }).map(expandedDo);
  },
  encode(list) {
    return encodeBerSeq(list.map(expandedInput));
  },
};

/**
 * 8B referenced format: EF.ARR file id and record number (3 bytes), or EF.ARR file id then
 * SEID/record number pairs (TS 102 221 11.1.1.4.7.3); ISO 7816-4 also allows the record number alone.
 */
export interface ReferencedSecurity {
  arrFid?: string;
  record?: number;
  seRecords?: Array<{ seid: number; record: number }>;
}

const referencedType: ValueType<ReferencedSecurity> = {
  kind: 'referenced security attributes',
  decode(b, w) {
    if (b.length === 1) return { record: b[0]! };
    if (b.length === 3) return { arrFid: toHex(b.subarray(0, 2)), record: b[2]! };
    if (b.length >= 4 && b.length % 2 === 0) {
      const seRecords: Array<{ seid: number; record: number }> = [];
      for (let i = 2; i < b.length; i += 2) seRecords.push({ seid: b[i]!, record: b[i + 1]! });
      return { arrFid: toHex(b.subarray(0, 2)), seRecords };
    }
    throw new CodecError('FCP', `referenced security attributes of ${b.length} bytes (1, 3 or 2+2n expected)`, w);
  },
  encode(r) {
    if (r.seRecords) {
      if (!r.arrFid || r.record !== undefined) throw new SchemaError('referenced security: seRecords need arrFid and no record');
      return Uint8Array.from([...fromHex(r.arrFid), ...r.seRecords.flatMap((p) => [p.seid, p.record])]);
    }
    if (r.record === undefined) throw new SchemaError('referenced security: record or seRecords needed');
    return r.arrFid ? Uint8Array.from([...fromHex(r.arrFid), r.record]) : Uint8Array.of(r.record);
  },
};

// ---- C6 PIN status template DO (TS 102 221 9.5.2) ------------------------------------------

export interface PinStatusKey {
  /** key reference ('83'), e.g. 01 = PIN1, 81 = PIN2, 0A = ADM1 */
  keyReference: number;
  /** usage qualifier ('95') that precedes the key reference, if any */
  usageQualifier?: number;
  /** from the PS_DO bitmap: the PIN is enabled (read-only, derived from psDo) */
  enabled?: boolean;
}

export interface PinStatusTemplate {
  /** PS_DO ('90') bitmap: bit 8 of the first byte for the first key reference, and so on */
  psDo: string;
  keys: PinStatusKey[];
}

const pinStatusType: ValueType<PinStatusTemplate> = {
  kind: 'PIN status template',
  decode(b, w) {
    let psDo: Uint8Array | undefined;
    const keys: PinStatusKey[] = [];
    let pending: number | undefined;
    let i = 0;
    while (i < b.length) {
      const h = readBerHeader(b, i, w.offset, w.tag);
      const v = b.subarray(i + h.headerLength, i + h.headerLength + h.length);
      const at = { offset: w.offset + i, tag: tagHex(h.tag) };
      if (h.tag === 0x90) {
        if (psDo || keys.length || pending !== undefined) throw new CodecError('FCP', 'PS_DO must come first, once', at);
        psDo = v;
      } else if (h.tag === 0x95 || h.tag === 0x83) {
        if (!psDo) throw new CodecError('FCP', 'PS_DO (90) must come first', at);
        if (v.length !== 1) throw new CodecError('FCP', `${tagHex(h.tag)} of ${v.length} bytes (1 expected)`, at);
        if (h.tag === 0x95) {
          if (pending !== undefined) throw new CodecError('FCP', 'two usage qualifiers in a row', at);
          pending = v[0]!;
        } else {
          const n = keys.length;
          const enabled = n < psDo.length * 8 ? (psDo[n >> 3]! & (0x80 >> (n & 7))) !== 0 : false;
          const k: PinStatusKey = { keyReference: v[0]! };
          if (pending !== undefined) k.usageQualifier = pending;
          k.enabled = enabled;
          keys.push(k);
          pending = undefined;
        }
      } else {
        throw new CodecError('FCP', 'unexpected tag in the PIN status template', at);
      }
      i += h.headerLength + h.length;
    }
    if (!psDo) throw new CodecError('FCP', 'PIN status template without PS_DO (90)', w);
    if (pending !== undefined) throw new CodecError('FCP', 'usage qualifier (95) without a key reference after it', w);
    return { psDo: toHex(psDo), keys };
  },
  encode(p) {
    const ps = fromHex(p.psDo);
    const out: number[] = [...encodeBer(0x90, ps)];
    for (const [n, k] of p.keys.entries()) {
      const bit = n < ps.length * 8 && (ps[n >> 3]! & (0x80 >> (n & 7))) !== 0;
      if (k.enabled !== undefined && k.enabled !== bit) {
        throw new SchemaError(`PIN status: key ${tagHex(k.keyReference)} enabled=${k.enabled} disagrees with PS_DO ${p.psDo}`);
      }
      if (k.usageQualifier !== undefined) out.push(0x95, 0x01, k.usageQualifier);
      out.push(0x83, 0x01, k.keyReference);
    }
    return Uint8Array.from(out);
  },
};

// ---- 88 short file identifier (TS 102 221 11.1.1.4.8) --------------------------------------

/** null: '88' present and empty, the EF has no SFI. */
const sfiType: ValueType<number | null> = {
  kind: 'SFI',
  decode(b, w) {
    if (b.length === 0) return null;
    if (b.length !== 1 || (b[0]! & 0x07) !== 0 || b[0] === 0) throw new CodecError('FCP', `SFI must be empty or one byte with b3-b1 = 000 and b8-b4 not 0`, w);
    return b[0]! >> 3;
  },
  encode(v) {
    if (v === null) return new Uint8Array(0);
    if (!Number.isInteger(v) || v < 1 || v > 30) throw new SchemaError(`SFI ${v} out of range 1..30`);
    return Uint8Array.of(v << 3);
  },
};

// ---- A5 proprietary information (TS 102 221 11.1.1.4.6) ------------------------------------

export interface ApplicationPowerConsumption {
  /** supply voltage class (TS 102 221 table 6.x: 'A'..'E' as bits) */
  voltageClass: number;
  /** application power consumption in mA */
  consumptionMa: number;
  /** reference frequency in units of 0.1 MHz */
  referenceFrequency: number;
}

const powerType: ValueType<ApplicationPowerConsumption> = {
  kind: 'application power consumption',
  decode(b, w) {
    if (b.length !== 3) throw new CodecError('FCP', `application power consumption of ${b.length} bytes (3 expected)`, w);
    return { voltageClass: b[0]!, consumptionMa: b[1]!, referenceFrequency: b[2]! };
  },
  encode(p) {
    return Uint8Array.of(p.voltageClass, p.consumptionMa, p.referenceFrequency);
  },
};

export const FCP_PROPRIETARY_SCHEMA: TlvSchema = {
  name: 'FCP proprietary information (A5)',
  flavour: 'ber',
  fields: [
    { tag: 0x80, name: 'uiccCharacteristics', type: uintType(1, 1), optional: true, doc: 'TS 102 221 11.1.1.4.6.1 (MF only)' },
    { tag: 0x81, name: 'applicationPowerConsumption', type: powerType, optional: true, doc: '11.1.1.4.6.2' },
    { tag: 0x82, name: 'minimumApplicationClock', type: uintType(1, 1), optional: true, doc: '11.1.1.4.6.3, units of 0.1 MHz' },
    { tag: 0x83, name: 'availableMemory', type: uintType(4, 4), optional: true, doc: '11.1.1.4.6.4, bytes' },
    { tag: 0x84, name: 'fileDetails', type: uintType(1, 1), optional: true, doc: '11.1.1.4.6.5' },
    { tag: 0x85, name: 'reservedFileSize', type: uintType(1, 4), optional: true, doc: '11.1.1.4.6.6' },
    { tag: 0x86, name: 'maximumFileSize', type: uintType(1, 4), optional: true, doc: '11.1.1.4.6.7' },
    { tag: 0x87, name: 'supportedSystemCommands', type: uintType(1, 1), optional: true, doc: '11.1.1.4.6.8 (b1: TERMINAL CAPABILITY)' },
    { tag: 0x88, name: 'specificUiccEnvironmentalConditions', type: uintType(1, 1), optional: true, doc: '11.1.1.4.6.9' },
    { tag: 0x89, name: 'p2pCatSecuredApdu', type: uintType(1, 1), optional: true, doc: '11.1.1.4.6.10' },
  ],
};

/** The FCP, tag by tag (TS 102 221 11.1.1.3), in the order the specification lists them. */
export const FCP_SCHEMA: TlvSchema = {
  name: 'FCP',
  flavour: 'ber',
  fields: [
    { tag: 0x82, name: 'fileDescriptor', type: fileDescriptorType, doc: '11.1.1.4.3' },
    { tag: 0x83, name: 'fileId', type: hexType(2, 2), optional: true, doc: '11.1.1.4.4' },
    { tag: 0x84, name: 'dfName', type: hexType(1, 16), optional: true, doc: '11.1.1.4.5 (AID)' },
    { tag: 0xa5, name: 'proprietary', type: nestedType(FCP_PROPRIETARY_SCHEMA), optional: true, doc: '11.1.1.4.6' },
    { tag: 0x8a, name: 'lifeCycle', type: lifeCycleType, optional: true, doc: '11.1.1.4.9' },
    { tag: 0x8b, name: 'securityReferenced', type: referencedType, optional: true, doc: '11.1.1.4.7.3' },
    { tag: 0x8c, name: 'securityCompact', type: compactType, optional: true, doc: '11.1.1.4.7.1' },
    { tag: 0xab, name: 'securityExpanded', type: expandedType, optional: true, doc: '11.1.1.4.7.2' },
    { tag: 0xc6, name: 'pinStatus', type: pinStatusType, optional: true, doc: '11.1.1.4.10 / 9.5.2' },
    { tag: 0x80, name: 'fileSize', type: uintType(2, 4), optional: true, doc: '11.1.1.4.1' },
    { tag: 0x81, name: 'totalFileSize', type: uintType(2, 4), optional: true, doc: '11.1.1.4.2' },
    { tag: 0x88, name: 'sfi', type: sfiType, optional: true, doc: '11.1.1.4.8' },
  ],
};

export interface ProprietaryInfo {
  uiccCharacteristics?: number;
  applicationPowerConsumption?: ApplicationPowerConsumption;
  minimumApplicationClock?: number;
  availableMemory?: number;
  fileDetails?: number;
  reservedFileSize?: number;
  maximumFileSize?: number;
  supportedSystemCommands?: number;
  specificUiccEnvironmentalConditions?: number;
  p2pCatSecuredApdu?: number;
  /** sub-tags not in FCP_PROPRIETARY_SCHEMA, kept for lossless re-encoding */
  _unknown?: UnknownElement[];
  /** element order as read, when not the schema order */
  _order?: number[];
}

/** A decoded FCP. Property names follow FCP_SCHEMA; `_unknown`/`_order` keep re-encoding lossless. */
export interface Fcp {
  /** 82 (mandatory) */
  fileDescriptor: FileDescriptor;
  /** 83 file identifier, 4 hex digits */
  fileId?: string;
  /** 84 DF name (AID), hex */
  dfName?: string;
  /** A5 proprietary information */
  proprietary?: ProprietaryInfo;
  /** 8A life cycle status integer */
  lifeCycle?: LifeCycleStatus;
  /** 8B security attributes, referenced to EF.ARR */
  securityReferenced?: ReferencedSecurity;
  /** 8C security attributes, compact */
  securityCompact?: CompactSecurity;
  /** AB security attributes, expanded */
  securityExpanded?: ExpandedSecurityDo[];
  /** C6 PIN status template DO (DFs/ADFs) */
  pinStatus?: PinStatusTemplate;
  /** 80 file size (EF body) */
  fileSize?: number;
  /** 81 total file size (DF: with all its files; EF: with structural overhead) */
  totalFileSize?: number;
  /** 88 SFI: a number, null for "no SFI" (empty 88); absent = default SFI (see effectiveSfi) */
  sfi?: number | null;
  /** tags not in FCP_SCHEMA, kept for lossless re-encoding */
  _unknown?: UnknownElement[];
  /** element order as read, when not the schema order */
  _order?: number[];
}

/** Decodes a whole FCP template ('62' L ...). Throws CodecError. */
export function decodeFcp(bytes: Uint8Array): Fcp {
  const h = readBerHeader(bytes, 0, 0);
  if (h.tag !== FCP_TAG) throw new CodecError('FCP', `tag 62 expected`, { offset: 0, tag: tagHex(h.tag) });
  const end = h.headerLength + h.length;
  if (end !== bytes.length) throw new CodecError('FCP', `${bytes.length - end} bytes after the FCP template`, { offset: end, tag: '62' });
  return decodeSchemaAt(FCP_SCHEMA, bytes.subarray(h.headerLength, end), h.headerLength, '62') as unknown as Fcp;
}

/** Encodes an FCP template ('62' L ...). Throws SchemaError (a SimdmError) on inconsistent input. */
export function encodeFcp(fcp: Fcp): Uint8Array {
  return encodeBer(FCP_TAG, encodeSchema(FCP_SCHEMA, fcp as unknown as SchemaObject));
}

/** The canonical encoding (schema order), whatever order the FCP was read in. */
export function encodeFcpCanonical(fcp: Fcp): Uint8Array {
  return encodeBer(FCP_TAG, encodeSchemaCanonical(FCP_SCHEMA, fcp as unknown as SchemaObject));
}

/** Canonical equality of two FCPs. */
export function fcpEquals(a: Fcp, b: Fcp): boolean {
  return bytesEqual(encodeFcpCanonical(a), encodeFcpCanonical(b));
}

/**
 * The SFI that applies to an EF (TS 102 221 11.1.1.4.8): the value of '88'; none if '88' is
 * empty; if '88' is absent, the five low bits of the file identifier.
 */
export function effectiveSfi(fcp: Fcp): number | undefined {
  if (fcp.sfi === null) return undefined;
  if (fcp.sfi !== undefined) return fcp.sfi;
  if (fcp.fileDescriptor.fileType === 'DF' || !fcp.fileId) return undefined;
  return parseInt(fcp.fileId, 16) & 0x1f;
}
