/**
 * ETSI TS 102 221: the MF and its EFs (section 13), each declared once with its codec: EF.ICCID
 * (13.2), EF.DIR (13.1), EF.PL (13.3), EF.ARR (13.4, whose coding the ADF-level EF.ARR files
 * share), EF.UMPC (13.6). The applications and DFs below the MF come from their own spec files.
 */
import { decodeBer, encodeBer, type BerTlv } from '../../codec/tlv/ber.js';
import { toHex, hexNum } from '../../util/hex.js';
import { AM_EF } from '../access.js';
import { keyName, keyRefOf } from '../keys.js';
import { type DfDecl, type EfDecl, efs, type FileDecl, TS102 } from './model.js';
import { defineCodec } from '../codecs/define.js';
import { ascii, bcd, bits, type Block, fail, hex, isEmpty, isObj, list, struct, uint } from '../codecs/fields.js';
import type { Json } from '../codecs/types.js';

const ff = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);

/** 13.2: ICCID, BCD with the nibbles of each byte swapped, F padded to 10 bytes. */
export const EF_ICCID = defineCodec({
  name: 'EF.ICCID',
  spec: 'ETSI TS 102 221 13.2',
  block: struct([['iccid', bcd(10)]]),
  vectors: [{ hex: '988812010000400310F0', value: { iccid: '8988211000000430010' }, source: 'pySim ts_51_011 EF_ICCID test vector (real card)' }],
});

/** The ICCID digits of EF.ICCID's content; undefined for a blank card (all FF) or content that is not BCD digits. */
export function iccidOf(content: Uint8Array): string | undefined {
  try {
    const v = EF_ICCID.decode(content);
    const iccid = isObj(v) ? v['iccid'] : undefined;
    return typeof iccid === 'string' && iccid !== '' ? iccid : undefined;
  } catch {
    return undefined;
  }
}

/** EF.ICCID content (10 bytes) of `digits`. */
export function iccidContent(digits: string): Uint8Array {
  return EF_ICCID.encode({ iccid: digits }, 10);
}

/** 13.1: one record = application template 61 { 4F AID, 50 label, other DOs }, FF padded. */
function dirRecord(): Block {
  return {
    decode(b, ctx) {
      if (isEmpty(b)) return null;
      let tlvs: BerTlv[];
      try {
        tlvs = decodeBer(b);
      } catch (e) {
        fail(ctx, `not a BER-TLV application template: ${(e as Error).message}`);
      }
      const t = tlvs[0];
      if (!t || t.tag !== 0x61 || tlvs.length !== 1) fail(ctx, 'one application template (tag 61) expected');
      const out: { [k: string]: Json } = {};
      const other: number[] = [];
      for (const c of t.children ?? []) {
        if (c.tag === 0x4f && out.aid === undefined) out.aid = toHex(c.value);
        else if (c.tag === 0x50 && out.label === undefined) out.label = Buffer.from(c.value).toString('utf8');
        else other.push(...encodeBer(c.tag, c.value));
      }
      if (out.aid === undefined) fail(ctx, 'application template without an AID (4F)');
      if (other.length) out.other = toHex(Uint8Array.from(other));
      return out;
    },
    encode(v, n, ctx) {
      if (v === null) return ff(n);
      if (!isObj(v) || typeof v.aid !== 'string' || !/^([0-9A-Fa-f]{2}){5,16}$/.test(v.aid))
        fail(ctx, "{ aid: 'A000000087...' (5..16 bytes), label?: 'USIM' } expected");
      for (const k of Object.keys(v)) if (!['aid', 'label', 'other'].includes(k)) fail({ ...ctx, path: k }, 'unknown field (known: aid, label, other)');
      const parts: number[] = [...encodeBer(0x4f, Buffer.from(v.aid, 'hex'))];
      if (v.label !== undefined) {
        if (typeof v.label !== 'string') fail({ ...ctx, path: 'label' }, 'text expected');
        parts.push(...encodeBer(0x50, Buffer.from(v.label, 'utf8')));
      }
      if (v.other !== undefined) {
        if (typeof v.other !== 'string' || !/^([0-9A-Fa-f]{2})*$/.test(v.other)) fail({ ...ctx, path: 'other' }, 'hex expected');
        parts.push(...Buffer.from(v.other, 'hex'));
      }
      const rec = encodeBer(0x61, Uint8Array.from(parts));
      if (rec.length > n) fail(ctx, `the application template needs ${rec.length} bytes, the record has ${n}`);
      const out = ff(n);
      out.set(rec);
      return out;
    },
  };
}

export const EF_DIR = defineCodec({
  name: 'EF.DIR',
  spec: 'ETSI TS 102 221 13.1',
  unit: 'record',
  block: dirRecord(),
  vectors: [
    {
      hex: '61294F10A0000000871002FFFFFFFF890709000050055553696D31730EA00C80011781025F608203454150',
      value: { aid: 'A0000000871002FFFFFFFF8907090000', label: 'USim1', other: '730EA00C80011781025F608203454150' },
      source: 'pySim ts_102_221 EF_DIR test vector (real card)',
    },
    {
      hex: '61194F10A0000000871004FFFFFFFF890709000050054953696D31',
      value: { aid: 'A0000000871004FFFFFFFF8907090000', label: 'ISim1' },
      source: 'pySim ts_102_221 EF_DIR test vector (real card)',
    },
    { hex: 'FFFFFFFFFFFFFFFFFFFF', value: null, source: 'TS 102 221 13.1: unused record' },
  ],
});

/** 13.3: language codes (ISO 639, two ASCII characters each), FF padded. */
export const EF_PL = defineCodec({
  name: 'EF.PL',
  spec: 'ETSI TS 102 221 13.3',
  block: struct([['languages', list(ascii(2))]]),
  vectors: [{ hex: '6465656EFFFFFFFFFFFF', value: { languages: ['de', 'en'] }, source: "pySim ts_51_011 EF_PL entry vectors '6465' de, '656e' en" }],
});

// ---- EF.ARR (13.4): access rules in the expanded format, TS 102 221 9.2.x / ISO 7816-4 9.3 ----

// AM byte bits: an EF's (card/access.ts AM_EF, ISO 7816-4 table 17); an ARR record does not say if it is for an EF or a DF
const HEADER_PARTS: [string, number][] = [
  ['cla', 0x08],
  ['ins', 0x04],
  ['p1', 0x02],
  ['p2', 0x01],
];

/** SC DO -> 'ALW' | 'NEV' | 'PIN1' | 'PIN1|ADM1' | 'PIN1&ADM1' | { raw } */
function scToJson(t: BerTlv): Json {
  const raw = { raw: toHex(encodeBer(t.tag, t.value)) };
  const key = (c: BerTlv): string | undefined => {
    if (c.tag !== 0xa4 || c.value.length !== 6) return undefined;
    const [a, b, kr, d, e, uq] = c.value;
    if (a !== 0x83 || b !== 0x01 || d !== 0x95 || e !== 0x01 || uq !== 0x08) return undefined;
    const n = keyName(kr!);
    return n.startsWith('key ') ? undefined : n;
  };
  if (t.tag === 0x90 && t.value.length === 0) return 'ALW';
  if (t.tag === 0x97 && t.value.length === 0) return 'NEV';
  if (t.tag === 0xa4) return key(t) ?? raw;
  if (t.tag === 0xa0 || t.tag === 0xaf) {
    const ks = (t.children ?? []).map(key);
    if (ks.length && ks.every((k) => k !== undefined)) return ks.join(t.tag === 0xa0 ? '|' : '&');
  }
  return raw;
}

function scFromJson(v: Json, ctx: Parameters<Block['encode']>[2]): Uint8Array {
  if (v === 'ALW') return Uint8Array.of(0x90, 0x00);
  if (v === 'NEV') return Uint8Array.of(0x97, 0x00);
  if (isObj(v) && typeof v.raw === 'string' && /^([0-9A-Fa-f]{2})+$/.test(v.raw)) return Uint8Array.from(Buffer.from(v.raw, 'hex'));
  if (typeof v !== 'string') fail(ctx, "'ALW', 'NEV', a key like 'ADM1', 'PIN1|ADM1', 'PIN1&ADM1' or { raw: hex } expected");
  const and = v.includes('&');
  const crt = (k: string): Uint8Array => {
    let ref: number;
    try {
      ref = keyRefOf(k);
    } catch {
      fail(ctx, `unknown key '${k}'`);
    }
    return encodeBer(0xa4, Uint8Array.of(0x83, 0x01, ref, 0x95, 0x01, 0x08));
  };
  const keys = v.split(/[|&]/);
  if (keys.length === 1) return crt(keys[0]!);
  const inner = Uint8Array.from(keys.flatMap((k) => [...crt(k)]));
  return encodeBer(and ? 0xaf : 0xa0, inner);
}

function arrRecord(): Block {
  return {
    decode(b, ctx) {
      if (isEmpty(b)) return [];
      let tlvs: BerTlv[];
      try {
        tlvs = decodeBer(b);
      } catch (e) {
        fail(ctx, `not BER-TLV access rules: ${(e as Error).message}`);
      }
      const rules: Json[] = [];
      for (let i = 0; i < tlvs.length; i += 2) {
        const am = tlvs[i]!;
        const sc = tlvs[i + 1];
        const at = { ...ctx, offset: ctx.offset + (am.offset ?? 0) };
        if (!sc) fail(at, 'access mode DO without a security condition DO after it');
        if (am.tag < 0x80 || am.tag > 0x8f) fail(at, `tag ${hexNum(am.tag)} where an access mode DO (80..8F) belongs`);
        const rule: { [k: string]: Json } = {};
        if (am.tag === 0x80) {
          if (am.value.length !== 1) fail(at, 'access mode byte of ' + am.value.length + ' bytes');
          const x = am.value[0]!;
          if (x & 0x80) rule.accessMode = toHex(am.value);
          else rule.ops = AM_EF.filter(([, bit]) => x & bit).map(([n]) => n);
        } else {
          const parts = HEADER_PARTS.filter(([, bit]) => am.tag & bit);
          if (parts.length !== am.value.length) fail(at, `command header DO ${hexNum(am.tag)} with ${am.value.length} bytes, ${parts.length} expected`);
          const cmd: { [k: string]: Json } = {};
          parts.forEach(([n], j) => (cmd[n] = toHex(am.value.subarray(j, j + 1))));
          rule.command = cmd;
        }
        rule.condition = scToJson(sc);
        rules.push(rule);
      }
      return rules;
    },
    encode(v, n, ctx) {
      if (!Array.isArray(v)) fail(ctx, 'list of { ops: [...], condition } rules expected');
      const out: number[] = [];
      v.forEach((r, i) => {
        const c = { ...ctx, path: String(i) };
        if (!isObj(r)) fail(c, 'rule object expected');
        if (Array.isArray(r.ops)) {
          let am = 0;
          for (const op of r.ops) {
            const bit = AM_EF.find(([name]) => name === op)?.[1];
            if (bit === undefined) fail({ ...c, path: `${i}.ops` }, `'${String(op)}' is not one of ${AM_EF.map(([x]) => x).join(', ')}`);
            am |= bit;
          }
          out.push(0x80, 0x01, am);
        } else if (typeof r.accessMode === 'string' && /^[0-9A-Fa-f]{2}$/.test(r.accessMode)) {
          out.push(0x80, 0x01, parseInt(r.accessMode, 16));
        } else if (isObj(r.command)) {
          let tag = 0x80;
          const vals: number[] = [];
          for (const [name, bit] of HEADER_PARTS) {
            const x = r.command[name];
            if (x === undefined) continue;
            if (typeof x !== 'string' || !/^[0-9A-Fa-f]{2}$/.test(x)) fail({ ...c, path: `${i}.command.${name}` }, 'one byte in hex expected');
            tag |= bit;
            vals.push(parseInt(x, 16));
          }
          out.push(tag, vals.length, ...vals);
        } else fail(c, 'ops: [...] or command: { ins: "D4" } expected');
        out.push(...scFromJson(r.condition ?? null, { ...c, path: `${i}.condition` }));
      });
      if (out.length > n) fail(ctx, `the rules need ${out.length} bytes, the record has ${n}`);
      const res = ff(n);
      res.set(out);
      return res;
    },
  };
}

export const EF_ARR = defineCodec({
  name: 'EF.ARR',
  spec: 'ETSI TS 102 221 13.4 / 9.2.x (expanded format)',
  unit: 'record',
  block: arrRecord(),
  vectors: [
    {
      hex: '800101A40683010A950108800106900080016097008401D4A40683010A950108',
      value: [
        { ops: ['read'], condition: 'ADM1' },
        { ops: ['update', 'write'], condition: 'ALW' },
        { ops: ['terminate', 'delete'], condition: 'NEV' },
        { command: { ins: 'D4' }, condition: 'ADM1' },
      ],
      source: 'pySim ts_102_221 EF_ARR test vector 1 (real card)',
    },
    {
      hex: '80010190008001029700800118A40683010A9501088401D4A40683010A950108',
      value: [
        { ops: ['read'], condition: 'ALW' },
        { ops: ['update'], condition: 'NEV' },
        { ops: ['deactivate', 'activate'], condition: 'ADM1' },
        { command: { ins: 'D4' }, condition: 'ADM1' },
      ],
      source: 'pySim ts_102_221 EF_ARR test vector 2 (real card)',
    },
  ],
});

/** 13.6: UICC maximum power consumption, operator-defined time, additional information. */
export const EF_UMPC = defineCodec({
  name: 'EF.UMPC',
  spec: 'ETSI TS 102 221 13.6',
  block: struct([
    ['maxCurrentMa', uint(1)],
    ['tOpSeconds', uint(1)],
    ['additionalInfo', bits(1, { increasedIdleCurrent: [0, 1], suspendSupported: [1, 1] })],
    ['rfu', hex()],
  ]),
  vectors: [
    {
      hex: '3CFF02',
      value: { maxCurrentMa: 60, tOpSeconds: 255, additionalInfo: { increasedIdleCurrent: false, suspendSupported: true }, rfu: '' },
      source: 'pySim ts_102_221 EF_UMPC test vector',
    },
    {
      hex: '320500',
      value: { maxCurrentMa: 50, tOpSeconds: 5, additionalInfo: { increasedIdleCurrent: false, suspendSupported: false }, rfu: '' },
      source: 'pySim ts_102_221 EF_UMPC test vector',
    },
  ],
});

// ---- section 13: the MF's EFs ---------------------------------------------------------------

export const MF_EFS: EfDecl[] = efs(TS102, [
  [0x2fe2, 'EF.ICCID', 't', 0x02, 'ICC identification', '13.2', { codec: EF_ICCID, size: 10, access: 'ALW/NEV' }],
  [0x2f00, 'EF.DIR', 'l', 0x1e, 'application directory', '13.1', { codec: EF_DIR, size: [5], access: 'ALW/ADM' }],
  [0x2f05, 'EF.PL', 't', 0x05, 'preferred languages', '13.3', { codec: EF_PL, size: [2], access: 'ALW/PIN' }],
  [0x2f06, 'EF.ARR', 'l', 0x06, 'access rule reference', '13.4', { codec: EF_ARR, access: 'ALW/ADM' }],
  [0x2f08, 'EF.UMPC', 't', 0x08, 'UICC maximum power consumption', '13.6', { codec: EF_UMPC, size: 5, access: 'ALW/ADM' }],
]);

/** The MF (8.1) over its EFs and the given applications and DFs. */
export function mfDecl(below: FileDecl[]): DfDecl {
  return { kind: 'MF', name: 'MF', fid: 0x3f00, desc: 'master file', spec: `${TS102} 8.1`, children: [...MF_EFS, ...below] };
}
