/**
 * FCP template the virtual card returns on SELECT/STATUS: ETSI TS 102 221 section 11.1.1.3,
 * encoded by the one FCP declaration in src/codec/tlv/fcp.ts. Security attributes use the expanded
 * format (tag AB, 11.1.1.4.7.2) built from the file's access rules by the card model's encoder
 * (card/access.ts), so a reader sees exactly which key protects which operation.
 */
import { encodeFcp, type ExpandedSecurityDo, type Fcp } from '../codec/tlv/fcp.js';
import { hexNum, toHex } from '../util/hex.js';
import { accessModeBits, type AccessOp, expandedSecurity } from '../card/access.js';
import { fileSize, type SimFile } from './fs.js';

/**
 * The file's access rules as expanded security attributes, coded by the card model's one encoder
 * (card/access.ts, the one the writer's CREATE FILE uses); the virtual card lists the rules in
 * descending access-mode bit order, and a DF's delete rule also governs deleting its children
 * (applets/admin.ts), so it says so (b1).
 */
function securityOf(f: SimFile): ExpandedSecurityDo[] {
  const isDf = f.type !== 'EF';
  const bit = (op: string) => accessModeBits(op as AccessOp, isDf, true) ?? 0;
  const ordered = Object.fromEntries(Object.entries(f.access).sort(([a], [b]) => bit(b) - bit(a)));
  return expandedSecurity(ordered, isDf, { childDelete: true });
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
    fileId: hexNum(f.fid, 4),
    lifeCycle: LCS[f.lcs],
    securityExpanded: securityOf(f),
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
    fcp.pinStatus = { psDo: hexNum(ps), keys: mine.map((p) => ({ keyReference: p.ref })) };
    fcp.totalFileSize = fileSize(f);
  } else {
    fcp.fileSize = fileSize(f);
    if (f.sfi === null) fcp.sfi = null;
    else if (f.sfi !== undefined) fcp.sfi = f.sfi;
  }
  return encodeFcp(fcp);
}
