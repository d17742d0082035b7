/**
 * Typed values of LwM2M resources in the TLV content format: OMA-TS-LightweightM2M_Core-V1_1
 * Appendix C "Data Types" (TLV column); LwM2M 1.0 Appendix C.
 *
 * integer / time: signed two's complement, network byte order, 1, 2, 4 or 8 bytes.
 * unsigned: 1, 2, 4 or 8 bytes (LwM2M 1.1). float: IEEE 754, 4 or 8 bytes.
 * boolean: one byte, 0 or 1. string / corelnk: UTF-8. opaque: any bytes.
 * objlnk: 16-bit object id then 16-bit object instance id. none: empty (executable resources).
 *
 * Encoding picks the shortest valid form (canonical): integers in the fewest of 1/2/4/8 bytes,
 * floats in 4 bytes when the value is exactly a float32, else 8.
 */
import { CodecError } from '../errors.js';

export type Lwm2mDataType = 'string' | 'integer' | 'unsigned' | 'float' | 'boolean' | 'opaque' | 'time' | 'objlnk' | 'corelnk' | 'none';

/** A JSON-friendly integer: a number when it is a safe integer, a bigint otherwise. */
export type Lwm2mInt = number | bigint;

export interface Lwm2mObjlnk {
  objectId: number;
  instanceId: number;
}

export type Lwm2mValue =
  | { type: 'string'; value: string }
  | { type: 'corelnk'; value: string }
  | { type: 'integer'; value: Lwm2mInt }
  | { type: 'unsigned'; value: Lwm2mInt }
  | { type: 'time'; value: Lwm2mInt }
  | { type: 'float'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'opaque'; value: Uint8Array }
  | { type: 'objlnk'; value: Lwm2mObjlnk }
  | { type: 'none' };

const CODEC = 'LwM2M-TLV';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8enc = new TextEncoder();

export interface ValueWhere {
  offset: number;
  tag: string;
}

function fail(msg: string, where: ValueWhere): never {
  throw new CodecError(CODEC, msg, where);
}

function narrow(v: bigint): Lwm2mInt {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readInt(b: Uint8Array, signed: boolean, what: string, where: ValueWhere): Lwm2mInt {
  if (b.length !== 1 && b.length !== 2 && b.length !== 4 && b.length !== 8) {
    fail(`${what} of ${b.length} bytes (1, 2, 4 or 8 expected)`, where);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  switch (b.length) {
    case 1:
      return signed ? dv.getInt8(0) : dv.getUint8(0);
    case 2:
      return signed ? dv.getInt16(0) : dv.getUint16(0);
    case 4:
      return signed ? dv.getInt32(0) : dv.getUint32(0);
    default:
      return narrow(signed ? dv.getBigInt64(0) : dv.getBigUint64(0));
  }
}

/** Decodes `bytes` as a value of `type`; `where` names the resource for errors. */
export function decodeLwm2mValue(type: Lwm2mDataType, bytes: Uint8Array, where: ValueWhere): Lwm2mValue {
  switch (type) {
    case 'string':
    case 'corelnk':
      try {
        return { type, value: utf8.decode(bytes) };
      } catch {
        return fail(`${type} is not valid UTF-8`, where);
      }
    case 'integer':
    case 'time':
      return { type, value: readInt(bytes, true, type, where) };
    case 'unsigned':
      return { type, value: readInt(bytes, false, type, where) };
    case 'float': {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      if (bytes.length === 4) return { type, value: dv.getFloat32(0) };
      if (bytes.length === 8) return { type, value: dv.getFloat64(0) };
      return fail(`float of ${bytes.length} bytes (4 or 8 expected)`, where);
    }
    case 'boolean':
      if (bytes.length !== 1 || bytes[0]! > 1) fail(`boolean must be one byte 00 or 01`, where);
      return { type, value: bytes[0] === 1 };
    case 'objlnk':
      if (bytes.length !== 4) fail(`objlnk of ${bytes.length} bytes (4 expected)`, where);
      return { type, value: { objectId: (bytes[0]! << 8) | bytes[1]!, instanceId: (bytes[2]! << 8) | bytes[3]! } };
    case 'none':
      if (bytes.length !== 0) return { type: 'opaque', value: bytes };
      return { type };
    case 'opaque':
      return { type, value: bytes };
  }
}

function toBig(v: Lwm2mInt): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

function encodeInt(v: Lwm2mInt, signed: boolean, what: string): Uint8Array {
  if (typeof v === 'number' && !Number.isInteger(v)) fail(`${what} ${v} is not an integer`, { offset: 0, tag: what });
  const b = toBig(v);
  if (signed ? b < I64_MIN || b > I64_MAX : b < 0n || b > U64_MAX) fail(`${what} ${b} out of range`, { offset: 0, tag: what });
  for (const n of [1, 2, 4, 8]) {
    const bits = BigInt(8 * n);
    const fits = signed ? b >= -(1n << (bits - 1n)) && b < 1n << (bits - 1n) : b < 1n << bits;
    if (!fits) continue;
    const out = new Uint8Array(n);
    let x = BigInt.asUintN(8 * n, b);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }
  /* c8 ignore next */
  return fail(`${what} ${b} out of range`, { offset: 0, tag: what });
}

export function encodeLwm2mValue(v: Lwm2mValue): Uint8Array {
  switch (v.type) {
    case 'string':
    case 'corelnk':
      return utf8enc.encode(v.value);
    case 'integer':
    case 'time':
      return encodeInt(v.value, true, v.type);
    case 'unsigned':
      return encodeInt(v.value, false, v.type);
    case 'float': {
      if (Object.is(Math.fround(v.value), v.value)) {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setFloat32(0, v.value);
        return out;
      }
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, v.value);
      return out;
    }
    case 'boolean':
      return Uint8Array.of(v.value ? 1 : 0);
    case 'objlnk': {
      const { objectId: o, instanceId: i } = v.value;
      for (const x of [o, i]) if (!Number.isInteger(x) || x < 0 || x > 0xffff) fail(`objlnk part ${x} out of range`, { offset: 0, tag: 'objlnk' });
      return Uint8Array.of(o >> 8, o & 0xff, i >> 8, i & 0xff);
    }
    case 'opaque':
      return v.value;
    case 'none':
      return new Uint8Array(0);
  }
}

/**
 * Canonical comparison of two values (OMA DM 6.3.4.16: new vs current configuration must be
 * told apart unambiguously): integers by numeric value whatever their encoded width, floats by
 * value (NaN equals NaN, +0 equals -0 is false: they are different bit patterns), strings by
 * code points, opaque by bytes. Returns <0, 0 or >0; values of different types order by type name.
 */
export function compareLwm2mValue(a: Lwm2mValue, b: Lwm2mValue): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  switch (a.type) {
    case 'string':
    case 'corelnk': {
      const y = (b as { value: string }).value;
      return a.value < y ? -1 : a.value > y ? 1 : 0;
    }
    case 'integer':
    case 'unsigned':
    case 'time': {
      const x = toBig(a.value);
      const y = toBig((b as { value: Lwm2mInt }).value);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'float': {
      const x = a.value;
      const y = (b as { value: number }).value;
      if (Object.is(x, y)) return 0;
      if (Number.isNaN(x)) return 1;
      if (Number.isNaN(y)) return -1;
      if (x === y) return Object.is(x, -0) ? -1 : 1; // -0 before +0
      return x < y ? -1 : 1;
    }
    case 'boolean':
      return Number(a.value) - Number((b as { value: boolean }).value);
    case 'objlnk': {
      const y = (b as { value: Lwm2mObjlnk }).value;
      return a.value.objectId - y.objectId || a.value.instanceId - y.instanceId;
    }
    case 'opaque': {
      const x = a.value;
      const y = (b as { value: Uint8Array }).value;
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    }
    case 'none':
      return 0;
  }
}

export function lwm2mValueEquals(a: Lwm2mValue, b: Lwm2mValue): boolean {
  return compareLwm2mValue(a, b) === 0;
}
