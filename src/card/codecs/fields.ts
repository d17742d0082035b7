/**
 * Building blocks for EF codecs: each block is declared once and both decodes bytes to a
 * JSON-friendly value and encodes that value back. A codec is a composition of blocks
 * (struct, list, bcd, plmn, bit flags, GSM strings ...), so one declaration per EF is the
 * whole codec (see ./ef-*.ts).
 *
 * Decoding throws only CodecError (with the byte offset and the field path); encoding throws
 * CodecError naming the field and the reason ("field 'name': 20 characters do not fit in 16 bytes").
 */
import { CodecError } from '../../codec/errors.js';
import { toHex, hexNum } from '../../util/hex.js';
import type { Json } from './types.js';

export interface Ctx {
  /** codec name for messages, e.g. 'EF.SPN' */
  codec: string;
  /** field path, e.g. 'lai.mcc' */
  path: string;
  /** absolute offset of the block's first byte */
  offset: number;
}

export interface Block {
  /** fixed length in bytes; undefined: takes what the enclosing struct leaves */
  readonly size?: number;
  decode(b: Uint8Array, ctx: Ctx): Json;
  /** `size` is the length to produce (the fixed size, or what the struct leaves) */
  encode(v: Json | undefined, size: number, ctx: Ctx): Uint8Array;
}

export function fail(ctx: Ctx, message: string): never {
  throw new CodecError(ctx.codec, ctx.path ? `field '${ctx.path}': ${message}` : message, { offset: ctx.offset, ...(ctx.path ? { tag: ctx.path } : {}) });
}

const sub = (ctx: Ctx, name: string, offset: number): Ctx => ({ codec: ctx.codec, path: !name ? ctx.path : ctx.path ? `${ctx.path}.${name}` : name, offset });

const ff = (n: number): Uint8Array => new Uint8Array(Math.max(0, n)).fill(0xff);
export const isEmpty = (b: Uint8Array): boolean => b.every((x) => x === 0xff);

function padTo(b: Uint8Array, size: number, ctx: Ctx, what = 'bytes'): Uint8Array {
  if (b.length > size) fail(ctx, `${b.length} ${what} do not fit in ${size} bytes`);
  if (b.length === size) return b;
  const out = ff(size);
  out.set(b);
  return out;
}

function isObj(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- primitives ------------------------------------------------------------------------------

/** Raw bytes as uppercase hex. */
export function hex(size?: number): Block {
  return {
    ...(size !== undefined ? { size } : {}),
    decode: (b) => toHex(b),
    encode(v, n, ctx) {
      if (typeof v !== 'string' || !/^([0-9A-Fa-f]{2})*$/.test(v)) fail(ctx, 'hex string expected');
      const bytes = Uint8Array.from(Buffer.from(v, 'hex'));
      if (size !== undefined && bytes.length !== size) fail(ctx, `${bytes.length} bytes given, ${size} expected`);
      return padTo(bytes, n, ctx);
    },
  };
}

/** Big-endian unsigned integer of `size` bytes. */
export function uint(size: number): Block {
  const max = 2 ** (8 * size) - 1;
  return {
    size,
    decode: (b) => b.reduce((a, x) => a * 256 + x, 0),
    encode(v, _n, ctx) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(ctx, `integer 0..${max} expected, got ${JSON.stringify(v)}`);
      const out = new Uint8Array(size);
      let x = v;
      for (let i = size - 1; i >= 0; i--) {
        out[i] = x % 256;
        x = Math.floor(x / 256);
      }
      return out;
    },
  };
}

/** A value from a table of names (unknown values decode to the number and encode back). */
export function enumOf(size: number, table: Record<number, string>): Block {
  const u = uint(size);
  const back = new Map(Object.entries(table).map(([k, v]) => [v, Number(k)]));
  return {
    size,
    decode: (b, ctx) => {
      const n = u.decode(b, ctx) as number;
      return table[n] ?? n;
    },
    encode(v, n, ctx) {
      if (typeof v === 'string') {
        const x = back.get(v);
        if (x === undefined) fail(ctx, `'${v}' is not one of ${[...back.keys()].join(', ')}`);
        return u.encode(x, n, ctx);
      }
      return u.encode(v, n, ctx);
    },
  };
}

/**
 * Named bit fields of a big-endian integer of `size` bytes: [shift, width]; width 1 gives a
 * boolean. Bits no field names decode to `rfu` (only when set) and encode back from it.
 * `invert`: the bits are stored inverted (e.g. EF.SMSP parameter indicators, 0 = present).
 */
export function bits(size: number, fields: Record<string, [shift: number, width: number]>, opts: { invert?: boolean } = {}): Block {
  const u = uint(size);
  let known = 0;
  for (const [s, w] of Object.values(fields)) known += (2 ** w - 1) * 2 ** s;
  const all = 2 ** (8 * size) - 1;
  return {
    size,
    decode(b, ctx) {
      let n = u.decode(b, ctx) as number;
      if (opts.invert) n = all - n;
      const out: { [k: string]: Json } = {};
      for (const [name, [s, w]] of Object.entries(fields)) {
        const x = Math.floor(n / 2 ** s) % 2 ** w;
        out[name] = w === 1 ? x === 1 : x;
      }
      const rfu = (n & ~known & all) >>> 0;
      if (rfu) out.rfu = rfu;
      return out;
    },
    encode(v, len, ctx) {
      if (!isObj(v)) fail(ctx, 'object expected');
      let n = 0;
      for (const [name, [s, w]] of Object.entries(fields)) {
        const x = v[name];
        const c = sub(ctx, name, ctx.offset);
        let val: number;
        if (w === 1) {
          if (x === undefined) val = 0;
          else if (typeof x === 'boolean') val = x ? 1 : 0;
          else fail(c, 'true or false expected');
        } else {
          if (x === undefined) val = 0;
          else if (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** w) val = x;
          else fail(c, `integer 0..${2 ** w - 1} expected`);
        }
        n += val * 2 ** s;
      }
      const rfu = v.rfu;
      if (rfu !== undefined) {
        if (typeof rfu !== 'number' || !Number.isInteger(rfu) || (rfu & known) !== 0)
          fail(sub(ctx, 'rfu', ctx.offset), 'integer with only unnamed bits expected');
        n += rfu;
      }
      for (const k of Object.keys(v))
        if (k !== 'rfu' && !(k in fields)) fail(sub(ctx, k, ctx.offset), `unknown field (known: ${Object.keys(fields).join(', ')})`);
      if (opts.invert) n = all - n;
      return u.encode(n, len, ctx);
    },
  };
}

/**
 * A list of numbers from a bit map: bit numbering `n(byte, bit)` gives the number of bit `bit`
 * (0 = LSB) of byte `byte`. Used for service tables (TS 31.102 4.2.8) and access classes.
 */
export function bitList(numbering: (byte: number, bit: number) => number, size?: number): Block {
  return {
    ...(size !== undefined ? { size } : {}),
    decode(b) {
      const out: number[] = [];
      for (let i = 0; i < b.length; i++) for (let j = 0; j < 8; j++) if (b[i]! & (1 << j)) out.push(numbering(i, j));
      return out.sort((a, c) => a - c);
    },
    encode(v, n, ctx) {
      if (!Array.isArray(v)) fail(ctx, 'list of numbers expected');
      const out = new Uint8Array(n);
      const where = new Map<number, [number, number]>();
      for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) where.set(numbering(i, j), [i, j]);
      for (const x of v) {
        const w = typeof x === 'number' ? where.get(x) : undefined;
        if (!w) fail(ctx, `${JSON.stringify(x)} is not a number this ${n}-byte field can hold`);
        out[w[0]] |= 1 << w[1];
      }
      return out;
    },
  };
}

/**
 * BCD digits, low nibble first in each byte (TS 31.102 / TS 51.011 "swapped" BCD), F padded.
 * Extended digits (TS 51.011 10.5.1 table 12): A = '*', B = '#', C = 'p' (DTMF pause), D = '?' (wild), E = '!' (RFU).
 */
export function bcd(size?: number, opts: { extended?: boolean } = {}): Block {
  const ext = opts.extended ? ['*', '#', 'p', '?', '!'] : [];
  return {
    ...(size !== undefined ? { size } : {}),
    decode(b, ctx) {
      let s = '';
      for (let i = 0; i < b.length; i++) {
        for (const nib of [b[i]! & 0x0f, b[i]! >> 4]) {
          if (nib === 0x0f) {
            // padding: the rest must be padding too
            const rest = b.subarray(i + 1);
            if ((nib === (b[i]! & 0x0f) && b[i]! >> 4 !== 0x0f) || !isEmpty(rest)) fail({ ...ctx, offset: ctx.offset + i }, 'digits after the F padding');
            return s;
          }
          if (nib > 9) {
            if (!opts.extended) fail({ ...ctx, offset: ctx.offset + i }, `nibble ${hexNum(nib, 1)} is not a BCD digit`);
            s += ext[nib - 10];
          } else s += String(nib);
        }
      }
      return s;
    },
    encode(v, n, ctx) {
      if (typeof v !== 'string') fail(ctx, 'digit string expected');
      const nibs: number[] = [];
      for (const ch of v) {
        if (ch >= '0' && ch <= '9') nibs.push(ch.charCodeAt(0) - 48);
        else if (ext.includes(ch)) nibs.push(10 + ext.indexOf(ch));
        else fail(ctx, `'${ch}' is not a digit${opts.extended ? ' or one of * # p ? !' : ''}`);
      }
      if (nibs.length > 2 * n) fail(ctx, `${nibs.length} digits do not fit in ${n} bytes`);
      const out = ff(n);
      for (let i = 0; i < nibs.length; i++) {
        const k = i >> 1;
        out[k] = i & 1 ? (out[k]! & 0x0f) | (nibs[i]! << 4) : (out[k]! & 0xf0) | nibs[i]!;
      }
      return out;
    },
  };
}

/**
 * PLMN identity, 3 bytes (TS 24.008 10.5.1.3, TS 31.102 4.2.5): MCC d2|d1, MNC d3|MCC d3,
 * MNC d2|d1; MNC d3 = F for two-digit MNCs. FFFFFF = unused (null).
 */
export function plmn(): Block {
  return {
    size: 3,
    decode(b, ctx) {
      if (isEmpty(b)) return null;
      const d = [b[0]! & 15, b[0]! >> 4, b[1]! & 15, b[2]! & 15, b[2]! >> 4, b[1]! >> 4];
      for (const [i, x] of d.entries()) if (x > 9 && !(i === 5 && x === 15)) fail(ctx, `PLMN ${toHex(b)}: digit ${hexNum(x, 1)} is not BCD`);
      return { mcc: d.slice(0, 3).join(''), mnc: d[5] === 15 ? `${d[3]}${d[4]}` : `${d[3]}${d[4]}${d[5]}` };
    },
    encode(v, _n, ctx) {
      if (v === null) return ff(3);
      if (!isObj(v) || typeof v.mcc !== 'string' || typeof v.mnc !== 'string') fail(ctx, "{ mcc: '001', mnc: '01' } or null expected");
      if (!/^\d{3}$/.test(v.mcc)) fail(sub(ctx, 'mcc', ctx.offset), '3 digits expected');
      if (!/^\d{2,3}$/.test(v.mnc)) fail(sub(ctx, 'mnc', ctx.offset), '2 or 3 digits expected');
      const m = [...v.mcc].map(Number);
      const n = [...v.mnc].map(Number);
      return Uint8Array.of((m[1]! << 4) | m[0]!, ((n[2] ?? 15) << 4) | m[2]!, (n[1]! << 4) | n[0]!);
    },
  };
}

// ---- GSM 7-bit default alphabet (TS 23.038 6.2.1), unpacked, and UCS2 (TS 102 221 Annex A) --

const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u00a0ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT: Record<number, string> = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };
const GSM_INDEX = new Map([...GSM].map((c, i) => [c, i]));
const GSM_EXT_INDEX = new Map(Object.entries(GSM_EXT).map(([k, v]) => [v, Number(k)]));

function gsmEncode(s: string): number[] | undefined {
  const out: number[] = [];
  for (const ch of s) {
    const i = GSM_INDEX.get(ch);
    if (i !== undefined && ch !== '\u00a0') out.push(i);
    else {
      const e = GSM_EXT_INDEX.get(ch);
      if (e === undefined) return undefined;
      out.push(0x1b, e);
    }
  }
  return out;
}

/**
 * Alpha identifier / name text: GSM default alphabet with b8 = 0, FF padded, or one of the three
 * UCS2 codings of TS 102 221 Annex A (80: UCS2 big-endian; 81/82: half-page base). Encoding picks
 * GSM when every character has a GSM code, else the 80 coding.
 */
export function gsmText(size?: number): Block {
  return {
    ...(size !== undefined ? { size } : {}),
    decode(b, ctx) {
      let end = b.length;
      if (b[0] === 0x80) {
        let s = '';
        for (let i = 1; i + 1 < b.length; i += 2) {
          const c = (b[i]! << 8) | b[i + 1]!;
          if (c === 0xffff) break;
          s += String.fromCharCode(c);
        }
        return s;
      }
      if (b[0] === 0x81 || b[0] === 0x82) {
        if (b.length < (b[0] === 0x81 ? 3 : 4)) fail(ctx, 'UCS2 text header too short');
        const n = b[1]!;
        const base = b[0] === 0x81 ? b[2]! << 7 : (b[2]! << 8) | b[3]!;
        const start = b[0] === 0x81 ? 3 : 4;
        if (start + n > b.length) fail(ctx, `UCS2 text of ${n} characters is longer than the field`);
        let s = '';
        for (let i = 0; i < n; i++) {
          const x = b[start + i]!;
          s += x & 0x80 ? String.fromCharCode(base + (x & 0x7f)) : GSM[x]!;
        }
        return s;
      }
      while (end > 0 && b[end - 1] === 0xff) end--;
      let s = '';
      for (let i = 0; i < end; i++) {
        const x = b[i]!;
        if (x & 0x80) fail({ ...ctx, offset: ctx.offset + i }, `byte ${hexNum(x)} is not a GSM default alphabet character`);
        if (x === 0x1b && i + 1 < end) {
          const e = GSM_EXT[b[i + 1]!];
          if (e !== undefined) {
            s += e;
            i++;
            continue;
          }
        }
        s += GSM[x]!;
      }
      return s;
    },
    encode(v, n, ctx) {
      if (typeof v !== 'string') fail(ctx, 'text expected');
      const g = gsmEncode(v);
      let bytes: number[];
      if (g) bytes = g;
      else {
        bytes = [0x80];
        for (const ch of v) {
          const c = ch.codePointAt(0)!;
          if (c > 0xffff) fail(ctx, `'${ch}' is outside UCS2`);
          bytes.push(c >> 8, c & 0xff);
        }
      }
      if (bytes.length > n) fail(ctx, `${[...v].length} characters need ${bytes.length} bytes, the field has ${n}`);
      return padTo(Uint8Array.from(bytes), n, ctx);
    },
  };
}

/** ASCII text of fixed size (language codes, TS 102 221 13.3 / ISO 639), FF padded. */
export function ascii(size: number): Block {
  return {
    size,
    decode(b, ctx) {
      let end = b.length;
      while (end > 0 && b[end - 1] === 0xff) end--;
      for (let i = 0; i < end; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) fail({ ...ctx, offset: ctx.offset + i }, `byte ${hexNum(b[i]!)} is not printable ASCII`);
      return Buffer.from(b.subarray(0, end)).toString('latin1');
    },
    encode(v, n, ctx) {
      if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) fail(ctx, 'printable ASCII text expected');
      return padTo(Uint8Array.from(Buffer.from(v, 'latin1')), n, ctx, 'characters');
    },
  };
}

// ---- composition -------------------------------------------------------------------------

export type StructField = [name: string, block: Block];

/**
 * Fields in order. At most one field may have no fixed size: it takes what the others leave.
 * A field named '...' merges its object's properties into the parent.
 */
export function struct(fields: StructField[]): Block {
  const fixed = fields.reduce((n, [, b]) => n + (b.size ?? 0), 0);
  const variable = fields.filter(([, b]) => b.size === undefined).length;
  if (variable > 1) throw new Error('struct: at most one field without a fixed size');
  return {
    ...(variable === 0 ? { size: fixed } : {}),
    decode(b, ctx) {
      if (b.length < fixed) fail(ctx, `${b.length} bytes, at least ${fixed} expected`);
      if (variable === 0 && b.length !== fixed) fail(ctx, `${b.length} bytes, ${fixed} expected`);
      const out: { [k: string]: Json } = {};
      let o = 0;
      for (const [name, blk] of fields) {
        const len = blk.size ?? b.length - fixed;
        const v = blk.decode(b.subarray(o, o + len), sub(ctx, name === '...' ? '' : name, ctx.offset + o));
        if (name === '...' && isObj(v)) Object.assign(out, v);
        else out[name] = v;
        o += len;
      }
      return out;
    },
    encode(v, n, ctx) {
      if (!isObj(v)) fail(ctx, 'object expected');
      if (n < fixed) fail(ctx, `the file/record has ${n} bytes, this structure needs at least ${fixed}`);
      const names = new Set<string>();
      const out = new Uint8Array(variable ? n : fixed);
      let o = 0;
      for (const [name, blk] of fields) {
        const len = blk.size ?? n - fixed;
        let val: Json | undefined;
        if (name === '...') {
          const inner: { [k: string]: Json } = {};
          // the merged block's own keys are whatever it accepts: pass the whole object minus known names
          for (const [k, x] of Object.entries(v)) if (!fields.some(([f]) => f === k)) inner[k] = x;
          for (const k of Object.keys(inner)) names.add(k);
          val = inner;
        } else {
          names.add(name);
          val = v[name];
        }
        out.set(blk.encode(val, len, sub(ctx, name === '...' ? '' : name, ctx.offset + o)), o);
        o += len;
      }
      for (const k of Object.keys(v))
        if (!names.has(k))
          fail(
            sub(ctx, k, ctx.offset),
            `unknown field (known: ${fields
              .map(([f]) => f)
              .filter((f) => f !== '...')
              .join(', ')})`,
          );
      return out;
    },
  };
}

/**
 * A run of fixed-size entries filling the file (transparent EFs holding lists, e.g. EF.FPLMN).
 * An all-FF entry (or `empty`) is null; trailing all-FF entries are dropped on decoding and the
 * file is FF padded on encoding.
 */
export function list(item: Block, opts: { empty?: Uint8Array } = {}): Block {
  const n = item.size;
  if (!n) throw new Error('list: items need a fixed size');
  const empty = opts.empty ?? ff(n);
  const isNull = (b: Uint8Array): boolean => isEmpty(b) || b.every((x, i) => x === empty[i]);
  return {
    decode(b, ctx) {
      const out: Json[] = [];
      const whole = Math.floor(b.length / n);
      let last = whole;
      while (last > 0 && isEmpty(b.subarray((last - 1) * n, last * n))) last--;
      for (let i = 0; i < last; i++) {
        const e = b.subarray(i * n, (i + 1) * n);
        out.push(isNull(e) ? null : item.decode(e, sub(ctx, String(i), ctx.offset + i * n)));
      }
      return out;
    },
    encode(v, size, ctx) {
      if (!Array.isArray(v)) fail(ctx, 'list expected');
      if (v.length * n > size) fail(ctx, `${v.length} entries of ${n} bytes do not fit in ${size} bytes (at most ${Math.floor(size / n)})`);
      const out = ff(size);
      v.forEach((x, i) => out.set(x === null ? empty : item.encode(x, n, sub(ctx, String(i), ctx.offset + i * n)), i * n));
      return out;
    },
  };
}

/** null for an all-FF field (an unused record or entry), else the inner block. */
export function optional(inner: Block): Block {
  return {
    ...(inner.size !== undefined ? { size: inner.size } : {}),
    decode: (b, ctx) => (isEmpty(b) ? null : inner.decode(b, ctx)),
    encode: (v, n, ctx) => (v === null || v === undefined ? ff(n) : inner.encode(v, n, ctx)),
  };
}

/** A block whose decoded value passes through a pair of pure mappings (declared together). */
export function mapped(inner: Block, to: (v: Json, ctx: Ctx) => Json, from: (v: Json | undefined, ctx: Ctx) => Json): Block {
  return {
    ...(inner.size !== undefined ? { size: inner.size } : {}),
    decode: (b, ctx) => to(inner.decode(b, ctx), ctx),
    encode: (v, n, ctx) => inner.encode(from(v, ctx), n, ctx),
  };
}

export { isObj };
