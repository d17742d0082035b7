/**
 * FCP template the virtual card returns on SELECT/STATUS: ETSI TS 102 221 section 11.1.1.3,
 * encoded by the one FCP declaration in src/codec/tlv/fcp.ts. Security attributes use the expanded
 * format (tag AB, 11.1.1.4.7.2) built from the file's access rules, so a reader sees exactly which
 * key protects which operation.
 */
import { encodeFcp, type ExpandedSecurityDo, type Fcp } from '../codec/tlv/fcp.js';
import { toHex } from '../util/hex.js';
import type { AccessOp } from './image.js';
import { fileSize, type SimFile } from './fs.js';

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
const AM_EF: [AccessOp, number][] = [
  ['delete', 0x40],
  ['terminate', 0x20],
  ['activate', 0x10],
  ['deactivate', 0x08],
  ['increase', 0x04],
  ['update', 0x02],
  ['read', 0x01],
];
const AM_DF: [AccessOp, number][] = [
  ['delete', 0x40],
  ['terminate', 0x20],
  ['activate', 0x10],
  ['deactivate', 0x08],
  ['create', 0x06],
  ['delete', 0x01],
];

const byte = (n: number): string => toHex(Uint8Array.of(n));

function securityCondition(rule: string): ExpandedSecurityDo {
  if (rule === 'ALW') return { tag: '90', value: '' };
  if (rule === 'NEV') return { tag: '97', value: '' };
  const crts: ExpandedSecurityDo[] = rule.split('|').map((k) => ({
    tag: 'A4',
    value: '',
    // usage qualifier 08: user authentication, knowledge based (TS 102 221 9.5.2)
    children: [
      { tag: '83', value: byte(keyRef(k)) },
      { tag: '95', value: '08' },
    ],
  }));
  return crts.length === 1 ? crts[0]! : { tag: 'A0', value: '', children: crts };
}

export function expandedSecurity(f: SimFile): ExpandedSecurityDo[] {
  const table = f.type === 'EF' ? AM_EF : AM_DF;
  const groups = new Map<string, number>();
  for (const [op, bit] of table) {
    const rule = f.access[op];
    if (!rule) continue;
    groups.set(rule, (groups.get(rule) ?? 0) | bit);
  }
  return [...groups].flatMap(([rule, am]) => [{ tag: '80', value: byte(am) }, securityCondition(rule)]);
}

const LCS: Record<SimFile['lcs'], Fcp['lifeCycle']> = {
  operational: { state: 'operational activated' },
  deactivated: { state: 'operational deactivated' },
  terminated: { state: 'termination' },
};

export interface PinStatus {
  ref: number;
  enabled: boolean;
}

export function buildFcp(f: SimFile, pins: PinStatus[], freeSpace: number): Uint8Array {
  const isDf = f.type !== 'EF';
  const structure = f.structure === 'cyclic' ? 'cyclic' : f.structure === 'linear-fixed' ? 'linearFixed' : 'transparent';
  const fcp: Fcp = {
    // file descriptor, TS 102 221 11.1.1.4.3: shareable, DF or working EF of its structure
    fileDescriptor: isDf
      ? { shareable: true, fileType: 'DF', dataCoding: 0x21 }
      : {
          shareable: true,
          fileType: 'workingEF',
          structure,
          dataCoding: 0x21,
          ...(structure !== 'transparent' ? { recordLength: f.recordLength ?? 0, numberOfRecords: f.records?.length ?? 0 } : {}),
        },
    fileId: toHex(Uint8Array.of(f.fid >> 8, f.fid & 0xff)),
    lifeCycle: LCS[f.lcs],
    securityExpanded: expandedSecurity(f),
  };
  if (f.aid) fcp.dfName = toHex(f.aid);
  if (isDf) {
    // proprietary information: UICC characteristics (clock stop allowed, 3V/1.8V) and available memory
    fcp.proprietary = { ...(f.type === 'MF' ? { uiccCharacteristics: 0x71 } : {}), availableMemory: freeSpace };
    // PIN status template DO (TS 102 221 9.5.2): the MF lists the ADM keys, an application all keys
    const mine = pins.filter((p) => (f.type === 'MF' ? p.ref >= 0x0a && p.ref <= 0x0e : true)).slice(0, 8);
    let ps = 0;
    mine.forEach((p, i) => {
      if (p.enabled) ps |= 0x80 >> i;
    });
    fcp.pinStatus = { psDo: byte(ps), keys: mine.map((p) => ({ keyReference: p.ref })) };
    fcp.totalFileSize = fileSize(f);
  } else {
    fcp.fileSize = fileSize(f);
    if (f.sfi === null) fcp.sfi = null;
    else if (f.sfi !== undefined) fcp.sfi = f.sfi;
  }
  return encodeFcp(fcp);
}
