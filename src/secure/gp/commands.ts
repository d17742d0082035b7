/**
 * GlobalPlatform card management commands used on the ISD (GP Card Specification v2.3.1 chapter 11):
 * SELECT of the ISD, GET DATA (11.3): key information template (E0, 11.3.3.1) and Card Data (66,
 * Annex H.2). GET STATUS is in registry.ts.
 */
import type { CommandApdu } from '../../apdu/command.js';
import { decodeBer, encodeBerLength, findBer } from '../../codec/tlv/ber.js';
import { CodecError } from '../../codec/errors.js';
import { concatBytes } from '../../util/hex.js';
import { ScpError } from './errors.js';

/**
 * The ISD AIDs hosts look for: the GP default A0 00 00 01 51 00 00 00 (GP CS 2.3.1 F.2) and the
 * Open Platform / VISA card manager A0 00 00 00 03 00 00 00 (GP 2.1.1 / OP 2.0.1, full 8 bytes).
 * An empty DF name selects the ISD too (GP CS 2.3.1 11.9 SELECT).
 */
export const ISD_AIDS = [Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00), Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00)];

/** SELECT by DF name; an empty `aid` is the "select the ISD" form 00 A4 04 00 00. */
export function selectAid(aid: Uint8Array, p2 = 0x00): CommandApdu {
  return aid.length ? { cla: 0x00, ins: 0xa4, p1: 0x04, p2, data: aid, le: 256 } : { cla: 0x00, ins: 0xa4, p1: 0x04, p2, le: 256 };
}

export { type GpRegistryEntry, type StatusScope, encodeStatusEntry, getStatus, parseStatusResponse } from './registry.js';

/** GET DATA (GP CS 2.3.1 11.3) of the data object `tag` (P1 P2). */
export function getData(tag: number): CommandApdu {
  return { cla: 0x80, ins: 0xca, p1: (tag >> 8) & 0xff, p2: tag & 0xff, le: 256 };
}

/** The DF name (84) of a SELECT answer: FCI (6F) or FCP (62); undefined when absent. */
export function selectedAid(resp: Uint8Array): Uint8Array | undefined {
  try {
    const t = decodeBer(resp);
    const top = t.find((x) => x.tag === 0x6f || x.tag === 0x62);
    return findBer(top?.children, 0x84)?.value.slice();
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}

// GP RID arc 1.2.840.114283 (2A 86 48 86 FC 6B), Card Recognition Data (GP CS 2.3.1 Annex H.2)
const GP_OID = [0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b];

export interface ScpOption {
  scp: number;
  i: number;
}

/** Card Data (66 { 73 { 06 GP OID, 60 card management version, 63 id scheme, 64 SCP+i ... } }). */
export function encodeCardData(scps: ScpOption[]): Uint8Array {
  const oid = (arcs: number[]) => concatBytes(Uint8Array.of(0x06, GP_OID.length + arcs.length), Uint8Array.from(GP_OID), Uint8Array.from(arcs));
  const wrap = (tag: number, v: Uint8Array) => concatBytes(Uint8Array.of(tag, v.length), v);
  const body = concatBytes(
    oid([0x01]), // 1.2.840.114283.1: GP card recognition data
    wrap(0x60, oid([0x02, 0x02, 0x03, 0x01])), // card management type and version: GP 2.3.1
    wrap(0x63, oid([0x03])), // card identification scheme: GP
    ...scps.map((s) => wrap(0x64, oid([0x04, s.scp, s.i]))), // SCP and its i (H.2: 1.2.840.114283.4.<scp>.<i>)
  );
  return wrap(0x66, wrap(0x73, body));
}

/** The SCPs (with i) a card's Card Data announces in its 64 objects. */
export function parseCardData(data: Uint8Array): ScpOption[] {
  let tlvs;
  try {
    tlvs = decodeBer(data);
  } catch (e) {
    if (e instanceof CodecError) throw new ScpError('format', `card data: ${e.message}`, { cause: e });
    throw e;
  }
  const t73 = findBer(findBer(tlvs, 0x66)?.children, 0x73);
  const out: ScpOption[] = [];
  for (const c of t73?.children ?? []) {
    if (c.tag !== 0x64) continue;
    const o = findBer(c.children, 0x06)?.value;
    if (!o || o.length !== GP_OID.length + 3 || o[GP_OID.length] !== 0x04) continue;
    out.push({ scp: o[GP_OID.length + 1]!, i: o[GP_OID.length + 2]! });
  }
  return out;
}

/** GET DATA for the key information template (GP 2.2 11.3.3.1, tag 00E0). */
export function getKeyInformation(): CommandApdu {
  return { cla: 0x80, ins: 0xca, p1: 0x00, p2: 0xe0, le: 256 };
}

export interface GpKeyInfo {
  id: number;
  version: number;
  type: number;
  length: number;
}

/** Parses E0 { C0 len id version (type length)* } (GP 2.2 Table 11-29). */
export function parseKeyInformation(data: Uint8Array): GpKeyInfo[] {
  let tlvs;
  try {
    tlvs = decodeBer(data);
  } catch (e) {
    if (e instanceof CodecError) throw new ScpError('format', `key information template: ${e.message}`, { cause: e });
    throw e;
  }
  const e0 = findBer(tlvs, 0xe0);
  if (!e0) throw new ScpError('format', 'no key information template (E0)');
  const out: GpKeyInfo[] = [];
  for (const c of e0.children ?? []) {
    if (c.tag !== 0xc0 || c.value.length < 4) continue;
    out.push({ id: c.value[0]!, version: c.value[1]!, type: c.value[2]!, length: c.value[3]! });
  }
  return out;
}

export function encodeKeyInformation(keys: GpKeyInfo[]): Uint8Array {
  const body: number[] = [];
  for (const k of keys) body.push(0xc0, 0x04, k.id, k.version, k.type, k.length);
  return concatBytes(Uint8Array.of(0xe0), encodeBerLength(body.length), Uint8Array.from(body));
}
