/**
 * FCP template the virtual card returns on SELECT/STATUS: ETSI TS 102 221 section 11.1.1.3.
 * Security attributes use the expanded format (tag AB, 11.1.1.4.7.2) built from the file's
 * access rules, so a reader sees exactly which key protects which operation.
 */
import { encodeBer, type BerTlvInput } from '../codec/tlv/ber.js';
import { uintBytes } from '../util/hex.js';
import type { AccessOp } from './image.js';
import { effectiveSfi, fileSize, type SimFile } from './fs.js';

/** key reference of a key name, TS 102 221 9.5.1 */
export function keyRef(name: string): number {
  if (name === 'UPIN') return 0x11;
  if (name === 'PIN2') return 0x81;
  const pin = /^PIN([1-8])$/.exec(name);
  if (pin) return Number(pin[1]);
  const adm = /^ADM(\d+)$/.exec(name);
  if (adm) {
    const n = Number(adm[1]);
    return n <= 5 ? 0x09 + n : 0x84 + n;
  }
  throw new Error(`unknown key ${name}`);
}

/** Access mode byte bits, ISO 7816-4 table 17 (EF) and 18 (DF). */
const AM_EF: [AccessOp, number][] = [['delete', 0x40], ['terminate', 0x20], ['activate', 0x10], ['deactivate', 0x08], ['increase', 0x04], ['update', 0x02], ['read', 0x01]];
const AM_DF: [AccessOp, number][] = [['delete', 0x40], ['terminate', 0x20], ['activate', 0x10], ['deactivate', 0x08], ['create', 0x06], ['delete', 0x01]];

function securityCondition(rule: string): BerTlvInput {
  if (rule === 'ALW') return { tag: 0x90, value: new Uint8Array() };
  if (rule === 'NEV') return { tag: 0x97, value: new Uint8Array() };
  const crts = rule.split('|').map((k) => ({
    tag: 0xa4,
    value: [
      { tag: 0x83, value: Uint8Array.of(keyRef(k)) },
      // usage qualifier 08: user authentication, knowledge based (TS 102 221 9.5.2)
      { tag: 0x95, value: Uint8Array.of(0x08) },
    ],
  }));
  return crts.length === 1 ? crts[0]! : { tag: 0xa0, value: crts };
}

export function expandedSecurity(f: SimFile): BerTlvInput[] {
  const table = f.type === 'EF' ? AM_EF : AM_DF;
  const groups = new Map<string, number>();
  for (const [op, bit] of table) {
    const rule = f.access[op];
    if (!rule) continue;
    groups.set(rule, (groups.get(rule) ?? 0) | bit);
  }
  const out: BerTlvInput[] = [];
  for (const [rule, am] of groups) {
    out.push({ tag: 0x80, value: Uint8Array.of(am) }, securityCondition(rule));
  }
  return out;
}

/** File descriptor byte and data coding, TS 102 221 11.1.1.4.3 */
function descriptor(f: SimFile): Uint8Array {
  if (f.type !== 'EF') return Uint8Array.of(0x78, 0x21);
  if (f.structure === 'transparent') return Uint8Array.of(0x41, 0x21);
  const rl = f.recordLength ?? 0;
  const n = f.records?.length ?? 0;
  return Uint8Array.of(f.structure === 'cyclic' ? 0x46 : 0x42, 0x21, rl >> 8, rl & 0xff, n);
}

const LCS: Record<SimFile['lcs'], number> = { operational: 0x05, deactivated: 0x04, terminated: 0x0c };

export interface PinStatus {
  ref: number;
  enabled: boolean;
}

export function buildFcp(f: SimFile, pins: PinStatus[], freeSpace: number): Uint8Array {
  const items: BerTlvInput[] = [{ tag: 0x82, value: descriptor(f) }, { tag: 0x83, value: uintBytes(f.fid, 2) }];
  if (f.aid) items.push({ tag: 0x84, value: f.aid });
  if (f.type !== 'EF') {
    // proprietary information: UICC characteristics (clock stop allowed, 3V/1.8V) and available memory
    const prop: BerTlvInput[] = [];
    if (f.type === 'MF') prop.push({ tag: 0x80, value: Uint8Array.of(0x71) });
    prop.push({ tag: 0x83, value: uintBytes(freeSpace, 4) });
    items.push({ tag: 0xa5, value: prop });
  }
  items.push({ tag: 0x8a, value: Uint8Array.of(LCS[f.lcs]) });
  items.push({ tag: 0xab, value: expandedSecurity(f) });
  if (f.type !== 'EF') {
    // PIN status template DO (TS 102 221 9.5.2): PS_DO bitmap, then key references in that order
    const mine = pins.filter((p) => (f.type === 'MF' ? p.ref >= 0x0a && p.ref <= 0x0e : true));
    let ps = 0;
    mine.slice(0, 8).forEach((p, i) => {
      if (p.enabled) ps |= 0x80 >> i;
    });
    items.push({ tag: 0xc6, value: [{ tag: 0x90, value: Uint8Array.of(ps) }, ...mine.slice(0, 8).map((p) => ({ tag: 0x83, value: Uint8Array.of(p.ref) }))] });
    items.push({ tag: 0x81, value: uintBytes(fileSize(f), 2) });
  } else {
    items.push({ tag: 0x80, value: uintBytes(fileSize(f), 2) });
    const sfi = effectiveSfi(f);
    if (f.sfi === null) items.push({ tag: 0x88, value: new Uint8Array() });
    else if (f.sfi !== undefined && sfi !== null) items.push({ tag: 0x88, value: Uint8Array.of(sfi << 3) });
  }
  return encodeBer(0x62, items);
}
