/**
 * The few APDUs the bootstrap reader needs, issued directly so that detection takes the fewest
 * commands (OMA DM req. 6.3.2.7): SELECT without FCP (P2 = 0C, TS 102 221 11.1.1.2), READ BINARY
 * with Le = 00 read until the file ends (short answer, 6282 or 6B00). The writer uses CardFs
 * (src/card) for sizes and access conditions, and these for CREATE/DELETE FILE (TS 102 222).
 */
import type { ApduSender } from '../apdu/link.js';
import { SwError } from '../apdu/sw.js';
import { fromHex, toHex } from '../util/hex.js';

export const fidBytes = (fid: number): Uint8Array => Uint8Array.of(fid >> 8, fid & 0xff);
export const fidHex = (fid: number): string => fid.toString(16).toUpperCase().padStart(4, '0');

/** SELECT by AID, no answer data. Returns the SW (9000 / 6283 found). */
export async function selectAid(s: ApduSender, aid: Uint8Array): Promise<number> {
  return (await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid })).sw;
}

/**
 * SELECT by a PKCS#15 path (PKCS #15 v1.1 6.1.5): 2 bytes = FID in the current DF; starting with
 * 3F00 = path from the MF (P1 = 08); otherwise a path from the current DF (P1 = 09).
 */
export async function selectPath(s: ApduSender, path: Uint8Array, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
  let p1 = 0x00;
  let data = path;
  if (path.length > 2) {
    if (path[0] === 0x3f && path[1] === 0x00) {
      p1 = 0x08;
      data = path.subarray(2);
    } else p1 = 0x09;
  }
  const r = await s.transmit({ cla: 0x00, ins: 0xa4, p1, p2: fcp ? 0x04 : 0x0c, data, ...(fcp ? { le: 256 } : {}) });
  return { sw: r.sw, data: r.data };
}

export async function selectFid(s: ApduSender, fid: number, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
  return selectPath(s, fidBytes(fid), fcp);
}

export const found = (sw: number): boolean => sw === 0x9000 || sw === 0x6283 || sw >> 8 === 0x91;

/**
 * READ BINARY of the current EF from offset 0 until its end, or until `enough(bytesSoFar)` says
 * the data is complete (e.g. a length header was read, or FF padding began).
 */
export async function readToEnd(s: ApduSender, what: string, enough?: (b: Uint8Array) => boolean, max = 0x8000, secret = false): Promise<Uint8Array> {
  const out: number[] = [];
  for (let off = 0; off < max; ) {
    // `secret`: the content may hold credentials (a DM password, a PSK); the trace hides it
    const r = await s.transmit({ cla: 0x00, ins: 0xb0, p1: (off >> 8) & 0x7f, p2: off & 0xff, le: 256, ...(secret ? { secret: true } : {}) });
    if (r.sw === 0x6b00 && off > 0) break;
    if (r.sw !== 0x9000 && r.sw !== 0x6282) throw new SwError(r.sw, `READ BINARY ${what} at offset ${off}`);
    out.push(...r.data);
    off += r.data.length;
    if (r.data.length < 256 || r.sw === 0x6282) break;
    if (enough?.(Uint8Array.from(out))) break;
  }
  return Uint8Array.from(out);
}

/** UPDATE BINARY of the current EF in chunks of at most 255 bytes (short APDUs). */
export async function updateAll(s: ApduSender, data: Uint8Array, what: string, offset = 0, secret = false): Promise<number> {
  let n = 0;
  for (let o = 0; o < data.length; o += 255) {
    const chunk = data.subarray(o, o + 255);
    const at = offset + o;
    const r = await s.transmit({ cla: 0x00, ins: 0xd6, p1: (at >> 8) & 0x7f, p2: at & 0xff, data: chunk, ...(secret ? { secret: true } : {}) });
    n++;
    if (r.sw !== 0x9000) throw new SwError(r.sw, `UPDATE BINARY ${what} at offset ${at}`);
  }
  return n;
}

export interface CreateSpec {
  fid: number;
  /** transparent EF of `size` bytes, or a DF/ADF when `df` */
  size?: number;
  df?: boolean;
  aid?: Uint8Array;
  /** access rules: op -> 'ALW' | 'NEV' | 'ADM1' | 'ADM1|ADM2' */
  access: Partial<Record<'read' | 'update' | 'activate' | 'deactivate' | 'delete' | 'create', string>>;
  sfi?: number | null;
}

/** Key reference of a key name (TS 102 221 9.5.1). */
export function keyRef(name: string): number {
  const m = /^(PIN|ADM)(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown key ${name}`);
  const n = Number(m[2]);
  if (m[1] === 'PIN') return n;
  return n <= 5 ? 0x09 + n : 0x84 + n;
}

/** Expanded security attributes (TS 102 221 11.1.1.4.7.2): AM DO 80 then SC DO per distinct rule. */
export function expandedSecurity(access: CreateSpec['access'], df: boolean): Uint8Array {
  const bits: Record<string, number> = df
    ? { delete: 0x40, activate: 0x10, deactivate: 0x08, create: 0x06 }
    : { delete: 0x40, activate: 0x10, deactivate: 0x08, update: 0x02, read: 0x01 };
  const groups = new Map<string, number>();
  for (const [op, rule] of Object.entries(access)) {
    const bit = bits[op];
    if (bit === undefined || !rule) continue;
    groups.set(rule, (groups.get(rule) ?? 0) | bit);
  }
  const out: number[] = [];
  for (const [rule, am] of groups) {
    out.push(0x80, 0x01, am);
    if (rule === 'ALW') out.push(0x90, 0x00);
    else if (rule === 'NEV') out.push(0x97, 0x00);
    else {
      const crts = rule.split('|').map((k) => [0xa4, 0x06, 0x83, 0x01, keyRef(k), 0x95, 0x01, 0x08]);
      if (crts.length === 1) out.push(...crts[0]!);
      else {
        const flat = crts.flat();
        out.push(0xa0, flat.length, ...flat);
      }
    }
  }
  return Uint8Array.from(out);
}

/** The FCP template of CREATE FILE (TS 102 222 6.3.2). */
export function createFcp(c: CreateSpec): Uint8Array {
  const items: number[] = [];
  const put = (tag: number, v: ArrayLike<number>) => {
    items.push(tag, v.length, ...Array.from(v));
  };
  put(0x82, c.df ? [0x78, 0x21] : [0x41, 0x21]);
  put(0x83, fidBytes(c.fid));
  if (c.aid) put(0x84, c.aid);
  put(0x8a, [0x05]);
  put(0xab, expandedSecurity(c.access, !!c.df));
  if (!c.df) {
    const sz = c.size ?? 0;
    put(0x80, [sz >> 8, sz & 0xff]);
    if (c.sfi === null) put(0x88, []);
    else if (c.sfi !== undefined) put(0x88, [c.sfi << 3]);
  }
  return Uint8Array.from([0x62, items.length, ...items]);
}

export async function createFile(s: ApduSender, c: CreateSpec): Promise<number> {
  return (await s.transmit({ cla: 0x00, ins: 0xe0, p1: 0x00, p2: 0x00, data: createFcp(c) })).sw;
}

export async function deleteFile(s: ApduSender, fid: number): Promise<number> {
  return (await s.transmit({ cla: 0x00, ins: 0xe4, p1: 0x00, p2: 0x00, data: fidBytes(fid) })).sw;
}

export { fromHex, toHex };
