/**
 * Answer-to-Reset decoding: ISO/IEC 7816-3 section 8.2 (TS, T0, interface bytes, historical
 * bytes, TCK) and 7816-4 section 8.1.1 (historical bytes in COMPACT-TLV after category 80).
 */
import { SimdmError } from '../errors.js';
import { hexNum, toHex } from '../util/hex.js';

export class AtrError extends SimdmError {
  constructor(message: string, offset: number) {
    super('atr.format', `ATR: ${message} (offset ${offset})`);
  }
}

export interface InterfaceBytes {
  TA?: number;
  TB?: number;
  TC?: number;
  TD?: number;
}

export interface Atr {
  convention: 'direct' | 'inverse';
  protocols: number[];
  /** TA1: clock rate conversion factor Fi and baud rate adjustment Di */
  fi?: number;
  di?: number;
  interfaceBytes: InterfaceBytes[];
  historical: Uint8Array;
  /** COMPACT-TLV objects of the historical bytes when category indicator is 80 */
  historicalObjects?: { tag: number; value: string }[];
  tck?: number;
  tckValid?: boolean;
}

// ISO 7816-3 table 7 and 8
const FI = [372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0];
const DI = [0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0];

export function decodeAtr(atr: Uint8Array): Atr {
  if (atr.length < 2) throw new AtrError(`too short (${atr.length} bytes)`, 0);
  const ts = atr[0]!;
  if (ts !== 0x3b && ts !== 0x3f) throw new AtrError(`TS ${hexNum(ts)} is neither 3B nor 3F`, 0);
  let i = 1;
  const t0 = atr[i++]!;
  const k = t0 & 0x0f;
  let y = t0 >> 4;
  const ib: InterfaceBytes[] = [];
  const protocols = new Set<number>();
  let tckNeeded = false;
  for (let n = 0; y; n++) {
    const b: InterfaceBytes = {};
    for (const [bit, name] of [
      [1, 'TA'],
      [2, 'TB'],
      [4, 'TC'],
      [8, 'TD'],
    ] as const) {
      if (y & bit) {
        if (i >= atr.length) throw new AtrError(`${name}${n + 1} missing`, i);
        b[name] = atr[i++]!;
      }
    }
    ib.push(b);
    if (b.TD !== undefined) {
      const t = b.TD & 0x0f;
      protocols.add(t);
      if (t !== 0) tckNeeded = true;
      y = b.TD >> 4;
    } else y = 0;
  }
  if (protocols.size === 0) protocols.add(0);
  if (i + k > atr.length) throw new AtrError(`${k} historical bytes announced, ${atr.length - i} present`, i);
  const historical = atr.subarray(i, i + k);
  i += k;
  const out: Atr = {
    convention: ts === 0x3b ? 'direct' : 'inverse',
    protocols: [...protocols].filter((p) => p !== 15).sort(),
    interfaceBytes: ib,
    historical,
  };
  const ta1 = ib[0]?.TA;
  if (ta1 !== undefined) {
    out.fi = FI[ta1 >> 4]!;
    out.di = DI[ta1 & 0x0f]!;
  }
  if (historical[0] === 0x80) out.historicalObjects = compactTlv(historical.subarray(1));
  if (tckNeeded) {
    if (i >= atr.length) throw new AtrError('TCK missing', i);
    let x = 0;
    for (let j = 1; j <= i; j++) x ^= atr[j]!;
    out.tck = atr[i]!;
    out.tckValid = x === 0;
  }
  return out;
}

function compactTlv(b: Uint8Array): { tag: number; value: string }[] {
  const out: { tag: number; value: string }[] = [];
  let i = 0;
  while (i < b.length) {
    const tag = b[i]! >> 4;
    const len = b[i]! & 0x0f;
    if (i + 1 + len > b.length) break;
    out.push({ tag, value: toHex(b.subarray(i + 1, i + 1 + len)) });
    i += 1 + len;
  }
  return out;
}

export function describeAtr(a: Atr): string[] {
  const lines = [`convention: ${a.convention}`, `protocols: ${a.protocols.map((p) => `T=${p}`).join(', ')}`];
  if (a.fi !== undefined) lines.push(`Fi=${a.fi} Di=${a.di}`);
  lines.push(`historical bytes: ${toHex(a.historical, ' ') || '(none)'}`);
  if (a.tck !== undefined) lines.push(`TCK: ${hexNum(a.tck)} (${a.tckValid ? 'valid' : 'INVALID'})`);
  return lines;
}
