/**
 * LwM2M TLV content format (application/vnd.oma.lwm2m+tlv, content-format 11542):
 * OMA-TS-LightweightM2M-V1_0 section 6.4.3 / OMA-TS-LightweightM2M_Core-V1_1 section 7.4.3.
 *
 * Type byte: bits 7-6 = identifier type (00 object instance, 01 resource instance, 10 multiple
 * resource, 11 resource with value); bit 5 = identifier length (0: 8 bits, 1: 16 bits);
 * bits 4-3 = length type (00: length in bits 2-0, 01/10/11: an 8/16/24-bit length follows);
 * bits 2-0 = length when bits 4-3 are 00. Then the identifier, the length, the value.
 *
 * An object instance holds resources and multiple resources; a multiple resource holds resource
 * instances; nothing else nests, so decoding depth is bounded by construction.
 */
import { CodecError } from '../errors.js';
import { concatBytes, toHex } from '../../util/hex.js';

export type Lwm2mTlvKind = 'objectInstance' | 'resourceInstance' | 'multipleResource' | 'resource';

const KIND_BITS: Record<Lwm2mTlvKind, number> = {
  objectInstance: 0b00,
  resourceInstance: 0b01,
  multipleResource: 0b10,
  resource: 0b11,
};
const KINDS: readonly Lwm2mTlvKind[] = ['objectInstance', 'resourceInstance', 'multipleResource', 'resource'];

export interface Lwm2mTlv {
  kind: Lwm2mTlvKind;
  /** object instance, resource or resource instance id (0..65535) */
  id: number;
  /** the value bytes (for object instances and multiple resources too, so nothing is lost) */
  value: Uint8Array;
  /** decoded children of object instances and multiple resources */
  children?: Lwm2mTlv[];
  /** byte offset of the type byte in the decoded input */
  offset?: number;
}

export type Lwm2mTlvInput =
  | { kind: 'resource' | 'resourceInstance'; id: number; value: Uint8Array }
  | { kind: 'objectInstance' | 'multipleResource'; id: number; children: Lwm2mTlvInput[] };

const CODEC = 'LwM2M-TLV';

/** How errors name an element: its kind and identifier, e.g. "resource 7". */
export function lwm2mTlvName(kind: Lwm2mTlvKind, id: number | undefined): string {
  return id === undefined ? kind : `${kind} ${id}`;
}

/** Which kinds each container may hold (section 7.4.3: object instance > resource > instance). */
const ALLOWED_IN: Record<'top' | 'objectInstance' | 'multipleResource', readonly Lwm2mTlvKind[]> = {
  top: KINDS,
  objectInstance: ['resource', 'multipleResource'],
  multipleResource: ['resourceInstance'],
};

export function decodeLwm2mTlv(bytes: Uint8Array, baseOffset = 0): Lwm2mTlv[] {
  return decodeSeq(bytes, baseOffset, 'top');
}

function decodeSeq(bytes: Uint8Array, base: number, ctx: keyof typeof ALLOWED_IN): Lwm2mTlv[] {
  const out: Lwm2mTlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    const start = i;
    const type = bytes[i++]!;
    const kind = KINDS[type >> 6]!;
    const idLen = type & 0x20 ? 2 : 1;
    const lenType = (type >> 3) & 0x03;
    const typeName = `type ${toHex(Uint8Array.of(type))}`;
    if (i + idLen > bytes.length) throw new CodecError(CODEC, `identifier truncated`, { offset: base + i, tag: `${kind} (${typeName})` });
    const id = idLen === 2 ? (bytes[i]! << 8) | bytes[i + 1]! : bytes[i]!;
    i += idLen;
    const name = lwm2mTlvName(kind, id);
    if (!ALLOWED_IN[ctx].includes(kind)) {
      throw new CodecError(CODEC, `${kind} is not allowed inside ${ctx === 'top' ? 'the payload' : `a ${ctx}`}`, { offset: base + start, tag: name });
    }
    let len: number;
    if (lenType === 0) {
      len = type & 0x07;
    } else {
      if (i + lenType > bytes.length) throw new CodecError(CODEC, 'length truncated', { offset: base + i, tag: name });
      len = 0;
      for (let k = 0; k < lenType; k++) len = len * 256 + bytes[i++]!;
    }
    if (i + len > bytes.length) {
      throw new CodecError(CODEC, `length ${len} runs past the end (${bytes.length - i} bytes left)`, { offset: base + start, tag: name });
    }
    const value = bytes.subarray(i, i + len);
    const tlv: Lwm2mTlv = { kind, id, value, offset: base + start };
    if (kind === 'objectInstance' || kind === 'multipleResource') tlv.children = decodeSeq(value, base + i, kind);
    out.push(tlv);
    i += len;
  }
  return out;
}

/** Encodes in the shortest form: 8-bit identifiers when < 256, length in the type byte when < 8. */
export function encodeLwm2mTlv(items: readonly Lwm2mTlvInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const it of items) parts.push(encodeOne(it));
  return join(parts);
}

function encodeOne(it: Lwm2mTlvInput): Uint8Array {
  const value = 'children' in it ? encodeLwm2mTlv(it.children) : it.value;
  if (!Number.isInteger(it.id) || it.id < 0 || it.id > 0xffff) {
    throw new CodecError(CODEC, `identifier ${it.id} out of range 0..65535`, { offset: 0, tag: lwm2mTlvName(it.kind, it.id) });
  }
  const len = value.length;
  if (len > 0xffffff) throw new CodecError(CODEC, `value of ${len} bytes is too long`, { offset: 0, tag: lwm2mTlvName(it.kind, it.id) });
  const idLen = it.id > 0xff ? 2 : 1;
  const lenType = len < 8 ? 0 : len <= 0xff ? 1 : len <= 0xffff ? 2 : 3;
  const head = new Uint8Array(1 + idLen + lenType);
  head[0] = (KIND_BITS[it.kind] << 6) | (idLen === 2 ? 0x20 : 0) | (lenType << 3) | (lenType === 0 ? len : 0);
  if (idLen === 2) {
    head[1] = it.id >> 8;
    head[2] = it.id & 0xff;
  } else head[1] = it.id;
  for (let k = 0; k < lenType; k++) head[1 + idLen + k] = (len >> (8 * (lenType - 1 - k))) & 0xff;
  return join([head, value]);
}

/** Turns a decoded tree back into encoder input (children win over value bytes). */
export function lwm2mTlvToInput(t: Lwm2mTlv): Lwm2mTlvInput {
  if (t.kind === 'objectInstance' || t.kind === 'multipleResource') {
    return { kind: t.kind, id: t.id, children: (t.children ?? decodeSeq(t.value, 0, t.kind)).map(lwm2mTlvToInput) };
  }
  return { kind: t.kind, id: t.id, value: t.value };
}

const join = (parts: Uint8Array[]): Uint8Array => concatBytes(...parts);
