/**
 * Declarative TLV schemas: one table of tags (name, value type, optional/repeatable) that both
 * decodes a BER-TLV or COMPREHENSION-TLV byte string into a plain JSON-friendly object and
 * encodes that object back.
 *
 * - Fields are matched by tag; for COMPREHENSION-TLV the CR bit is ignored when matching.
 * - Tags the schema does not know are kept in `_unknown` (tag and value bytes).
 * - The canonical element order is the schema's field order, unknown elements last. When the
 *   input used another order, or another CR bit, the tags as read are kept in `_order`, so that
 *   re-encoding a decoded object gives the input bytes back (lengths aside: they are always
 *   written in the shortest form, as DER requires).
 */
import { CodecError } from '../errors.js';
import { bytesEqual, concatBytes, fromHex, toHex, hexNum } from '../../util/hex.js';
import { SimdmError } from '../../errors.js';
import { encodeBerLength, encodeBerTag, readBerHeader, tagHex } from './ber.js';
import { encodeComprehensionLength } from './comprehension.js';

/** Where a value sits: for error messages. */
export interface Where {
  offset: number;
  tag: string;
}

/** How one value is turned from bytes into a JSON-friendly value and back. */
export interface ValueType<T> {
  /** short description for documentation and `tlv` CLI output, e.g. 'uint', 'hex', 'schema FCP' */
  kind: string;
  decode(bytes: Uint8Array, where: Where): T;
  encode(value: T): Uint8Array;
}

export interface FieldDef<T = unknown> {
  /** the tag bytes as a big-endian number, as written in the specification (e.g. 0x82, 0x7F21) */
  tag: number;
  /** property name in the decoded object */
  name: string;
  type: ValueType<T>;
  optional?: boolean;
  /** the tag may appear several times: the property is an array */
  repeatable?: boolean;
  /** the specification clause or a short description */
  doc?: string;
}

export type TlvFlavour = 'ber' | 'comprehension';

export interface TlvSchema {
  name: string;
  flavour: TlvFlavour;
  fields: readonly FieldDef[];
}

export interface UnknownElement {
  tag: number;
  value: Uint8Array;
}

/** A decoded object: field values by name, plus what is needed to re-encode losslessly. */
export interface SchemaObject {
  [name: string]: unknown;
  _unknown?: UnknownElement[];
  _order?: number[];
}

export class SchemaError extends SimdmError {
  constructor(message: string) {
    super('codec.schema', message);
  }
}

// ---- value types ---------------------------------------------------------------------------

function fail(codec: string, msg: string, where: Where): never {
  throw new CodecError(codec, msg, where);
}

/** Raw bytes (Uint8Array; printed as hex in JSON). */
export const bytesType: ValueType<Uint8Array> = {
  kind: 'bytes',
  decode: (b) => b.slice(),
  encode: (v) => v,
};

/** Bytes as an uppercase hex string, optionally of a fixed length or length range. */
export function hexType(min = 0, max = Infinity): ValueType<string> {
  return {
    kind: min === max ? `hex(${min})` : 'hex',
    decode: (b, w) => {
      if (b.length < min || b.length > max) fail('TLV-schema', `${b.length} bytes (expected ${min === max ? min : `${min}..${max}`})`, w);
      return toHex(b);
    },
    encode: (v) => fromHex(v),
  };
}

/** Big-endian unsigned integer; encoded in at least `minLength` bytes (default 1). */
export function uintType(minLength = 1, maxLength = 6): ValueType<number> {
  return {
    kind: 'uint',
    decode: (b, w) => {
      if (b.length < 1 || b.length > maxLength) fail('TLV-schema', `unsigned integer of ${b.length} bytes (1..${maxLength})`, w);
      let v = 0;
      for (const x of b) v = v * 256 + x;
      return v;
    },
    encode: (v) => {
      if (!Number.isSafeInteger(v) || v < 0) throw new SchemaError(`${v} is not an unsigned integer`);
      const out: number[] = [];
      let x = v;
      do {
        out.unshift(x % 256);
        x = Math.floor(x / 256);
      } while (x > 0);
      while (out.length < minLength) out.unshift(0);
      return Uint8Array.from(out);
    },
  };
}

const utf8dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const utf8Type: ValueType<string> = {
  kind: 'utf8',
  decode: (b, w) => {
    try {
      return utf8dec.decode(b);
    } catch {
      return fail('TLV-schema', 'not valid UTF-8', w);
    }
  },
  encode: (v) => new TextEncoder().encode(v),
};

export const asciiType: ValueType<string> = {
  kind: 'ascii',
  decode: (b, w) => {
    let s = '';
    for (const x of b) {
      if (x > 0x7e || x < 0x20) fail('TLV-schema', `byte ${hexNum(x, 2)} is not printable ASCII`, w);
      s += String.fromCharCode(x);
    }
    return s;
  },
  encode: (v) => {
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 0x7e || c < 0x20) throw new SchemaError(`'${v[i]}' is not printable ASCII`);
      out[i] = c;
    }
    return out;
  },
};

/**
 * BCD digits, high nibble first (or low nibble first when `swapped`, as in TS 102 221 EF.ICCID);
 * a trailing 'F' nibble pads an odd count.
 */
export function bcdType(swapped = false): ValueType<string> {
  return {
    kind: swapped ? 'bcd-swapped' : 'bcd',
    decode: (b, w) => {
      let s = '';
      for (let i = 0; i < b.length; i++) {
        const n = swapped ? [b[i]! & 15, b[i]! >> 4] : [b[i]! >> 4, b[i]! & 15];
        for (let k = 0; k < 2; k++) {
          const d = n[k]!;
          if (d === 15 && i === b.length - 1 && k === 1) continue;
          if (d > 9) fail('TLV-schema', `nibble ${hexNum(d, 1)} is not a BCD digit`, w);
          s += String(d);
        }
      }
      return s;
    },
    encode: (v) => {
      if (!/^[0-9]*$/.test(v)) throw new SchemaError(`'${v}' is not a string of digits`);
      const d = v.length % 2 ? v + 'F' : v;
      const out = new Uint8Array(d.length / 2);
      for (let i = 0; i < out.length; i++) {
        const hi = parseInt(d[2 * i]!, 16);
        const lo = parseInt(d[2 * i + 1]!, 16);
        out[i] = swapped ? (lo << 4) | hi : (hi << 4) | lo;
      }
      return out;
    },
  };
}

/** A constructed value decoded with another schema. */
export function nestedType(schema: TlvSchema): ValueType<SchemaObject> {
  return {
    kind: `schema ${schema.name}`,
    decode: (b, w) => decodeSchemaAt(schema, b, w.offset),
    encode: (v) => encodeSchema(schema, v),
  };
}

/** A list of fixed-size items in one value, e.g. a list of 2-byte file identifiers. */
export function listType<T>(item: ValueType<T>, itemSize: number): ValueType<T[]> {
  return {
    kind: `list of ${item.kind}`,
    decode: (b, w) => {
      if (b.length % itemSize) fail('TLV-schema', `${b.length} bytes is not a multiple of ${itemSize}`, w);
      const out: T[] = [];
      for (let i = 0; i < b.length; i += itemSize) out.push(item.decode(b.subarray(i, i + itemSize), { offset: w.offset + i, tag: w.tag }));
      return out;
    },
    encode: (v) => {
      const parts = v.map((x) => item.encode(x));
      if (parts.some((p) => p.length !== itemSize)) throw new SchemaError(`list item not ${itemSize} bytes`);
      const out = new Uint8Array(parts.length * itemSize);
      parts.forEach((p, i) => out.set(p, i * itemSize));
      return out;
    },
  };
}

// ---- decoding ------------------------------------------------------------------------------

interface Element {
  tag: number;
  /** for matching: BER tag, or the COMPREHENSION tag value without CR */
  key: number;
  value: Uint8Array;
  offset: number;
  valueOffset: number;
}

function readElements(flavour: TlvFlavour, bytes: Uint8Array, base: number, codec: string): Element[] {
  const out: Element[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (flavour === 'ber') {
      const h = readBerHeader(bytes, i, base);
      const vo = i + h.headerLength;
      out.push({ tag: h.tag, key: h.tag, value: bytes.subarray(vo, vo + h.length), offset: base + i, valueOffset: base + vo });
      i = vo + h.length;
    } else {
      const start = i;
      let tag: number;
      let key: number;
      const b0 = bytes[i]!;
      if (b0 === 0x7f) {
        if (i + 3 > bytes.length) fail(codec, 'three-byte tag truncated', { offset: base + i, tag: toHex(bytes.subarray(i, i + 3)) });
        tag = (0x7f << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
        key = 0x7f0000 | ((bytes[i + 1]! & 0x7f) << 8) | bytes[i + 2]!;
        i += 3;
      } else {
        if (b0 === 0x00 || b0 === 0x80 || b0 === 0xff) fail(codec, 'tag byte is not used (TS 102 223 7.1.1.1)', { offset: base + i, tag: tagHex(b0) });
        tag = b0;
        key = b0 & 0x7f;
        i += 1;
      }
      const th = tagHex(tag);
      if (i >= bytes.length) fail(codec, 'length missing', { offset: base + i, tag: th });
      let len = bytes[i++]!;
      if (len === 0x81) {
        if (i >= bytes.length) fail(codec, 'length truncated', { offset: base + i - 1, tag: th });
        len = bytes[i++]!;
        if (len < 0x80) fail(codec, `length ${len} must use the one-byte form`, { offset: base + i - 2, tag: th });
      } else if (len >= 0x80) fail(codec, 'length byte not allowed (00-7F or 81 xx)', { offset: base + i - 1, tag: th });
      if (i + len > bytes.length) fail(codec, `length ${len} runs past the end`, { offset: base + start, tag: th });
      out.push({ tag, key, value: bytes.subarray(i, i + len), offset: base + start, valueOffset: base + i });
      i += len;
    }
  }
  return out;
}

const KEY_CACHE = new WeakMap<TlvSchema, Map<number, FieldDef>>();

/** Fields by match key (cached per schema object: schemas are declared once). */
function fieldsByKey(schema: TlvSchema): Map<number, FieldDef> {
  let m = KEY_CACHE.get(schema);
  if (!m) {
    m = new Map();
    for (const f of schema.fields) {
      const k = matchKey(schema.flavour, f.tag);
      if (m.has(k)) throw new SchemaError(`${schema.name}: tag ${tagHex(f.tag)} declared twice`);
      m.set(k, f);
    }
    KEY_CACHE.set(schema, m);
  }
  return m;
}

function matchKey(flavour: TlvFlavour, tag: number): number {
  if (flavour === 'ber') return tag;
  if (tag > 0xffff) return 0x7f0000 | (tag & 0x7fff);
  return tag & 0x7f;
}

/** Decodes the content of a template (a sequence of TLVs) with `schema`. */
export function decodeSchema(schema: TlvSchema, bytes: Uint8Array): SchemaObject {
  return decodeSchemaAt(schema, bytes, 0);
}

export function decodeSchemaAt(schema: TlvSchema, bytes: Uint8Array, baseOffset: number, containerTag?: string): SchemaObject {
  const codec = schema.flavour === 'ber' ? 'BER-TLV' : 'COMPREHENSION-TLV';
  const byKey = fieldsByKey(schema);
  const out: SchemaObject = {};
  const order: number[] = [];
  for (const el of readElements(schema.flavour, bytes, baseOffset, codec)) {
    order.push(el.tag);
    const f = byKey.get(el.key);
    if (!f) {
      (out._unknown ??= []).push({ tag: el.tag, value: el.value.slice() });
      continue;
    }
    const v = f.type.decode(el.value, { offset: el.valueOffset, tag: tagHex(el.tag) });
    if (f.repeatable) ((out[f.name] ??= []) as unknown[]).push(v);
    else if (f.name in out) fail(codec, `${f.name} appears twice in ${schema.name}`, { offset: el.offset, tag: tagHex(el.tag) });
    else out[f.name] = v;
  }
  for (const f of schema.fields) {
    if (!f.optional && !(f.name in out)) {
      fail(codec, `${schema.name}: mandatory ${f.name} (tag ${tagHex(f.tag)}) is missing`, { offset: baseOffset, tag: containerTag ?? tagHex(f.tag) });
    }
  }
  const canonical = canonicalOrder(schema, out);
  if (canonical.length !== order.length || canonical.some((t, i) => t !== order[i])) out._order = order;
  return out;
}

/** Tags in the order `encodeSchema` writes them when there is no `_order`. */
function canonicalOrder(schema: TlvSchema, obj: SchemaObject): number[] {
  const tags: number[] = [];
  for (const f of schema.fields) {
    const v = obj[f.name];
    if (v === undefined) continue;
    const n = f.repeatable ? (v as unknown[]).length : 1;
    for (let i = 0; i < n; i++) tags.push(f.tag);
  }
  for (const u of obj._unknown ?? []) tags.push(u.tag);
  return tags;
}

// ---- encoding ------------------------------------------------------------------------------

function encodeElement(flavour: TlvFlavour, tag: number, value: Uint8Array): Uint8Array {
  const t = encodeBerTag(tag);
  const l = flavour === 'ber' ? encodeBerLength(value.length) : encodeComprehensionLength(value.length);
  const out = new Uint8Array(t.length + l.length + value.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(value, t.length + l.length);
  return out;
}

/** Encodes `obj` (as decodeSchema returns it, or written by hand) into the template content. */
export function encodeSchema(schema: TlvSchema, obj: SchemaObject): Uint8Array {
  const byKey = fieldsByKey(schema);
  const encodedOf = (f: FieldDef): Uint8Array[] => {
    const v = obj[f.name];
    if (v === undefined) {
      if (!f.optional) throw new SchemaError(`${schema.name}: mandatory ${f.name} is missing`);
      return [];
    }
    if (!f.repeatable) return [f.type.encode(v)];
    if (!Array.isArray(v)) throw new SchemaError(`${schema.name}: ${f.name} must be an array`);
    return v.map((x) => f.type.encode(x));
  };
  const unknownValue = (u: UnknownElement): Uint8Array => {
    if (byKey.has(matchKey(schema.flavour, u.tag))) throw new SchemaError(`${schema.name}: unknown element with known tag ${tagHex(u.tag)}`);
    const v: unknown = u.value;
    return typeof v === 'string' ? fromHex(v) : (v as Uint8Array);
  };
  const parts: Uint8Array[] = [];
  if (!obj._order) {
    // canonical: schema order, then unknown elements as kept
    for (const f of schema.fields) for (const v of encodedOf(f)) parts.push(encodeElement(schema.flavour, f.tag, v));
    for (const u of obj._unknown ?? []) parts.push(encodeElement(schema.flavour, u.tag, unknownValue(u)));
  } else {
    const queues = new Map<number, Uint8Array[]>();
    for (const f of schema.fields) queues.set(matchKey(schema.flavour, f.tag), encodedOf(f));
    const unknown = new Map<number, Uint8Array[]>();
    for (const u of obj._unknown ?? []) {
      const list = unknown.get(u.tag) ?? [];
      list.push(unknownValue(u));
      unknown.set(u.tag, list);
    }
    for (const tag of obj._order) {
      const k = matchKey(schema.flavour, tag);
      const v = (byKey.has(k) ? queues.get(k) : unknown.get(tag))?.shift();
      if (!v) throw new SchemaError(`${schema.name}: _order names tag ${tagHex(tag)} more often than there are values`);
      parts.push(encodeElement(schema.flavour, tag, v));
    }
    for (const [k, q] of [...queues, ...unknown]) {
      if (q.length) throw new SchemaError(`${schema.name}: tag ${tagHex(byKey.get(k)?.tag ?? k)} has values missing from _order`);
    }
  }
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}

/** The canonical encoding: schema order at every level (any `_order` is ignored). */
export function encodeSchemaCanonical(schema: TlvSchema, obj: SchemaObject): Uint8Array {
  return encodeSchema(schema, stripOrder(obj) as SchemaObject);
}

/** Canonical equality: both objects have the same canonical encoding. */
export function schemaEquals(schema: TlvSchema, a: SchemaObject, b: SchemaObject): boolean {
  return bytesEqual(encodeSchemaCanonical(schema, a), encodeSchemaCanonical(schema, b));
}

/** Deep copy of plain objects and arrays without `_order` keys (bytes are shared). */
export function stripOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripOrder);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '_order') out[k] = stripOrder(x);
  return out;
}
