/**
 * A small declarative ASN.1 layer over asn1js, in the spirit of @peculiar/asn1-schema: every
 * ASN.1 type is declared once as an `Asn1Type<T>` and that one declaration both encodes (to an
 * asn1js block, DER through asn1js) and decodes (from the asn1js block tree). Tagging follows
 * X.680 31.2: `implicit` replaces the tag, `explicit` wraps; a CHOICE is tagged explicitly.
 *
 * Decoding never throws anything but CodecError, naming the element path and the byte offset.
 * Non-fatal findings (a tolerated mis-encoding) are collected in `DecodeCtx.warnings`.
 */
import * as asn1js from 'asn1js';
import { CodecError } from '../errors.js';
import { hexNum } from '../../util/hex.js';

export const CODEC = 'PKCS#15';

export interface DecodeCtx {
  warnings: string[];
}

export interface Where {
  /** absolute offset of the element's first byte */
  offset: number;
  /** element path, e.g. "DODF entry 2 / commonObjectAttributes / label" */
  path: string;
}

export interface Asn1Type<T> {
  readonly name: string;
  /** whether an element with this tag can start a value of this type */
  matches(b: asn1js.AsnType): boolean;
  toAsn1(v: T): asn1js.AsnType;
  fromAsn1(b: asn1js.AsnType, where: Where, ctx: DecodeCtx): T;
}

const UNIVERSAL = 1;
const CONTEXT = 3;

type Block = asn1js.AsnType & {
  idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean; blockLength: number };
  lenBlock: { blockLength: number };
  valueBlock: { value?: Block[]; valueHexView?: Uint8Array };
  /** the element's bytes as decoded (tag, length, content) */
  valueBeforeDecodeView?: Uint8Array;
  blockLength: number;
};

const blk = (b: asn1js.AsnType): Block => b as unknown as Block;

function tagText(b: asn1js.AsnType): string {
  const id = blk(b).idBlock;
  const cls = ['?', 'UNIVERSAL ', 'APPLICATION ', '', 'PRIVATE '][id.tagClass] ?? '?';
  return `[${cls}${id.tagNumber}]${id.isConstructed ? ' constructed' : ''}`;
}

function fail(where: Where, msg: string): never {
  throw new CodecError(CODEC, `${where.path}: ${msg}`, { offset: where.offset, tag: where.path.split(' / ').pop() ?? where.path });
}

/** Content bytes of a primitive element. */
function contentOf(b: asn1js.AsnType, where: Where): Uint8Array {
  const x = blk(b);
  if (x.idBlock.isConstructed) fail(where, `expected a primitive element, found ${tagText(b)}`);
  // the content octets as they were on the wire (asn1js keeps typed views that drop e.g. the
  // BIT STRING unused-bits octet)
  const full = x.valueBeforeDecodeView;
  if (full && full.length) return new Uint8Array(full.subarray(x.idBlock.blockLength + x.lenBlock.blockLength));
  return new Uint8Array(x.valueBlock.valueHexView ?? new Uint8Array());
}

/** Children of a constructed element, each with its absolute offset. */
export function childrenOf(b: asn1js.AsnType, where: Where): { block: asn1js.AsnType; offset: number }[] {
  const x = blk(b);
  if (!x.idBlock.isConstructed) fail(where, `expected a constructed element, found ${tagText(b)}`);
  let off = where.offset + x.idBlock.blockLength + x.lenBlock.blockLength;
  const out: { block: asn1js.AsnType; offset: number }[] = [];
  // constructed string types (e.g. tag 32) keep a string here, not elements
  const kids = Array.isArray(x.valueBlock.value)
    ? x.valueBlock.value
    : fail(where, `constructed ${tagText(b)} where a SEQUENCE or a tagged element was expected`);
  for (const c of kids) {
    out.push({ block: c, offset: off });
    off += c.blockLength;
  }
  return out;
}

function isTag(b: asn1js.AsnType, cls: number, n: number, constructed?: boolean): boolean {
  const id = blk(b).idBlock;
  return id.tagClass === cls && id.tagNumber === n && (constructed === undefined || id.isConstructed === constructed);
}

function retag<B extends asn1js.AsnType>(b: B, cls: number, n: number): B {
  const id = blk(b).idBlock;
  id.tagClass = cls;
  id.tagNumber = n;
  return b;
}

// ---- primitives ------------------------------------------------------------------------

export const OctetString: Asn1Type<Uint8Array> = {
  name: 'OCTET STRING',
  matches: (b) => isTag(b, UNIVERSAL, 4),
  toAsn1: (v) => new asn1js.OctetString({ valueHex: v }),
  fromAsn1: (b, w) => contentOf(b, w),
};

const utf8dec = new TextDecoder('utf-8', { fatal: true });

export const Utf8String: Asn1Type<string> = {
  name: 'UTF8String',
  matches: (b) => isTag(b, UNIVERSAL, 12),
  toAsn1: (v) => new asn1js.Utf8String({ value: v }),
  fromAsn1: (b, w) => {
    try {
      return utf8dec.decode(contentOf(b, w));
    } catch (e) {
      if (e instanceof CodecError) throw e;
      return fail(w, 'not valid UTF-8');
    }
  },
};

export const Integer: Asn1Type<number> = {
  name: 'INTEGER',
  matches: (b) => isTag(b, UNIVERSAL, 2),
  toAsn1: (v) => new asn1js.Integer({ value: v }),
  fromAsn1: (b, w) => {
    const c = contentOf(b, w);
    if (c.length === 0 || c.length > 6) fail(w, `INTEGER of ${c.length} bytes`);
    const i = new asn1js.Integer();
    i.valueBlock.fromBER(c.slice().buffer, 0, c.length);
    return i.valueBlock.valueDec;
  },
};

/**
 * OBJECT IDENTIFIER in dotted form. Tolerates the mis-encoding found in deployed cards (from an
 * error in the LwM2M specification's example): the content carrying its own tag and length,
 * `06 04 67 2B 09 01` inside the OID value; reported as a warning.
 */
export const ObjectIdentifier: Asn1Type<string> = {
  name: 'OBJECT IDENTIFIER',
  matches: (b) => isTag(b, UNIVERSAL, 6),
  toAsn1: (v) => new asn1js.ObjectIdentifier({ value: v }),
  fromAsn1: (b, w, ctx) => {
    let c = contentOf(b, w);
    if (c.length >= 2 && c[0] === 0x06 && c[1] === c.length - 2 && c.length > 2) {
      ctx.warnings.push(
        `${w.path}: OID value carries its own tag and length (06 ${hexNum(c[1]!, 2)} ...), the LwM2M example's mis-encoding; read as the inner OID (offset ${w.offset})`,
      );
      c = c.subarray(2);
    }
    if (c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) fail(w, 'malformed OBJECT IDENTIFIER');
    const o = new asn1js.ObjectIdentifier();
    if (o.valueBlock.fromBER(c, 0, c.length) < 0) fail(w, 'malformed OBJECT IDENTIFIER');
    return o.valueBlock.toString();
  },
};

/** BIT STRING as the list of bit numbers set (bit 0 = the first, most significant bit: X.680 22). */
export const BitFlags: Asn1Type<number[]> = {
  name: 'BIT STRING',
  matches: (b) => isTag(b, UNIVERSAL, 3),
  toAsn1: (bits) => {
    const max = bits.length ? Math.max(...bits) : -1;
    const n = Math.ceil((max + 1) / 8);
    const bytes = new Uint8Array(n);
    for (const i of bits) bytes[i >> 3]! |= 0x80 >> (i & 7);
    // DER (X.690 11.2.2): no trailing zero bits
    return new asn1js.BitString({ valueHex: bytes, unusedBits: n ? n * 8 - (max + 1) : 0 });
  },
  fromAsn1: (b, w) => {
    const c = contentOf(b, w);
    if (c.length === 0 || c[0]! > 7 || (c.length === 1 && c[0] !== 0)) fail(w, 'malformed BIT STRING');
    const out: number[] = [];
    const nbits = (c.length - 1) * 8 - c[0]!;
    for (let i = 0; i < nbits; i++) if (c[1 + (i >> 3)]! & (0x80 >> (i & 7))) out.push(i);
    return out;
  },
};

export const Null: Asn1Type<null> = {
  name: 'NULL',
  matches: (b) => isTag(b, UNIVERSAL, 5),
  toAsn1: () => new asn1js.Null(),
  fromAsn1: () => null,
};

/** Any element, kept as its DER bytes (unknown choices and extensions). */
export const Any: Asn1Type<Uint8Array> = {
  name: 'ANY',
  matches: () => true,
  toAsn1: (v) => {
    const r = asn1js.fromBER(v);
    return r.result;
  },
  fromAsn1: (b) => new Uint8Array(b.toBER(false)),
};

// ---- tagging -------------------------------------------------------------------------

/** [n] IMPLICIT T (context class). */
export function implicit<T>(n: number, t: Asn1Type<T>): Asn1Type<T> {
  return {
    name: `[${n}] IMPLICIT ${t.name}`,
    matches: (b) => isTag(b, CONTEXT, n),
    toAsn1: (v) => retag(t.toAsn1(v), CONTEXT, n),
    // the inner type reads content bytes (primitives) or children (constructed), never the tag
    fromAsn1: (b, w, ctx) => t.fromAsn1(b, w, ctx),
  };
}

/** [n] EXPLICIT T (context class): a constructed wrapper around one T. */
export function explicit<T>(n: number, t: Asn1Type<T>): Asn1Type<T> {
  return {
    name: `[${n}] ${t.name}`,
    matches: (b) => isTag(b, CONTEXT, n, true),
    toAsn1: (v) => new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: n }, value: [t.toAsn1(v)] }),
    fromAsn1: (b, w, ctx) => {
      const kids = childrenOf(b, w);
      if (kids.length !== 1) fail(w, `[${n}] holds ${kids.length} elements instead of 1`);
      const k = kids[0]!;
      if (!t.matches(k.block)) fail({ ...w, offset: k.offset }, `expected ${t.name}, found ${tagText(k.block)}`);
      return t.fromAsn1(k.block, { offset: k.offset, path: w.path }, ctx);
    },
  };
}

// ---- constructed ----------------------------------------------------------------------

export interface Field<T, K extends keyof T = keyof T> {
  key: K;
  type: Asn1Type<NonNullable<T[K]>>;
  optional?: boolean;
}

/** SEQUENCE { fields } with OPTIONAL fields; unknown trailing elements (extensions) are ignored. */
export function sequence<T extends object>(name: string, fields: { [K in keyof T]-?: Field<T, K> }[keyof T][]): Asn1Type<T> {
  return {
    name,
    matches: (b) => isTag(b, UNIVERSAL, 16, true),
    toAsn1: (v) => {
      const value: asn1js.AsnType[] = [];
      for (const f of fields) {
        const x = v[f.key];
        if (x === undefined || x === null) {
          if (!f.optional) throw new CodecError(CODEC, `${name}: ${String(f.key)} is required`);
          continue;
        }
        value.push(f.type.toAsn1(x as never));
      }
      return new asn1js.Sequence({ value });
    },
    fromAsn1: (b, w, ctx) => {
      const kids = childrenOf(b, w);
      const out: Record<string, unknown> = {};
      let i = 0;
      for (const f of fields) {
        const k = kids[i];
        if (k && f.type.matches(k.block)) {
          out[String(f.key)] = f.type.fromAsn1(k.block, { offset: k.offset, path: `${w.path} / ${String(f.key)}` }, ctx);
          i++;
        } else if (!f.optional) {
          fail(
            k ? { ...w, offset: k.offset } : w,
            k ? `${String(f.key)} (${f.type.name}) expected, found ${tagText(k.block)}` : `${String(f.key)} (${f.type.name}) missing`,
          );
        }
      }
      return out as T;
    },
  };
}

/** A CHOICE: the value is `{ kind, value }` with one alternative per kind. */
export type ChoiceValue<M> = { [K in keyof M]: { kind: K; value: M[K] } }[keyof M];

export function choice<M extends object>(name: string, alts: { [K in keyof M]: Asn1Type<M[K]> }): Asn1Type<ChoiceValue<M>> {
  const entries = Object.entries(alts) as [keyof M & string, Asn1Type<unknown>][];
  return {
    name,
    matches: (b) => entries.some(([, t]) => t.matches(b)),
    toAsn1: (v) => (alts[v.kind] as Asn1Type<unknown>).toAsn1(v.value),
    fromAsn1: (b, w, ctx) => {
      const e = entries.find(([, t]) => t.matches(b));
      if (!e) fail(w, `no alternative of ${name} has tag ${tagText(b)}`);
      return { kind: e[0], value: e[1].fromAsn1(b, { ...w, path: `${w.path} / ${e[0]}` }, ctx) } as ChoiceValue<M>;
    },
  };
}

// ---- bytes in, bytes out ----------------------------------------------------------------

export function encodeDer<T>(t: Asn1Type<T>, v: T): Uint8Array {
  return new Uint8Array(t.toAsn1(v).toBER(false));
}

/** Parses one element at `offset` of `bytes`; returns it and the length it took. */
export function parseElement(bytes: Uint8Array, offset: number, path: string): { block: asn1js.AsnType; length: number } {
  let r: ReturnType<typeof asn1js.fromBER>;
  try {
    r = asn1js.fromBER(bytes.subarray(offset));
  } catch (e) {
    // asn1js throws plain Errors for some malformed universal types (e.g. a GeneralizedTime)
    throw new CodecError(CODEC, `${path}: ${(e as Error).message}`, { offset, tag: path });
  }
  if (r.offset === -1) {
    throw new CodecError(CODEC, `${path}: ${r.result.error || 'malformed BER'}`, { offset, tag: path });
  }
  // DER and card BER-TLV use definite lengths only (X.690 10.1; ISO/IEC 7816-4 5.2.2.2)
  const indefinite = (b: asn1js.AsnType): boolean => {
    const x = b as unknown as { lenBlock?: { isIndefiniteForm?: boolean }; idBlock: { isConstructed: boolean }; valueBlock: { value?: asn1js.AsnType[] } };
    const kids = x.valueBlock.value;
    return !!x.lenBlock?.isIndefiniteForm || (x.idBlock.isConstructed && Array.isArray(kids) && kids.some(indefinite));
  };
  if (indefinite(r.result)) throw new CodecError(CODEC, `${path}: indefinite length (not allowed in DER)`, { offset, tag: path });
  return { block: r.result, length: r.offset };
}

export function decodeDer<T>(t: Asn1Type<T>, bytes: Uint8Array, path: string = t.name, ctx: DecodeCtx = { warnings: [] }): T {
  const { block, length } = parseElement(bytes, 0, path);
  if (length !== bytes.length) throw new CodecError(CODEC, `${path}: ${bytes.length - length} bytes after the element`, { offset: length, tag: path });
  if (!t.matches(block)) throw new CodecError(CODEC, `${path}: expected ${t.name}, found ${tagText(block)}`, { offset: 0, tag: path });
  return t.fromAsn1(block, { offset: 0, path }, ctx);
}
