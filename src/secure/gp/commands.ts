/**
 * GlobalPlatform card management commands used on the ISD (GP Card Specification v2.2 chapter 11):
 * SELECT of the ISD, GET STATUS (11.4) with its TLV response (Table 11-36: E3 { 4F AID, 9F70
 * life cycle, C5 privileges }), GET DATA (11.3) for the key information template (tag E0, 11.3.3.1).
 */
import type { CommandApdu } from '../../apdu/command.js';
import { decodeBer, findBer } from '../../codec/tlv/ber.js';
import { CodecError } from '../../codec/errors.js';
import { ScpError } from './errors.js';

/** The GP ISD AIDs: GP 2.2 default (A0 00 00 01 51 00 00 00) and the older OP/VISA one. */
export const ISD_AIDS = [Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00), Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00)];

export function selectAid(aid: Uint8Array): CommandApdu {
  return { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00, data: aid, le: 256 };
}

export type StatusScope = 'isd' | 'apps' | 'loadfiles' | 'modules';
const SCOPE_P1: Record<StatusScope, number> = { isd: 0x80, apps: 0x40, loadfiles: 0x20, modules: 0x10 };

/** GET STATUS with the TLV response format (P2 b2 = 1) and the search criterion 4F 00 (all). */
export function getStatus(scope: StatusScope, next = false): CommandApdu {
  return { cla: 0x80, ins: 0xf2, p1: SCOPE_P1[scope], p2: 0x02 | (next ? 0x01 : 0x00), data: Uint8Array.of(0x4f, 0x00), le: 256 };
}

export interface GpRegistryEntry {
  aid: Uint8Array;
  lifeCycle: number;
  privileges: Uint8Array;
}

export function parseStatusResponse(data: Uint8Array): GpRegistryEntry[] {
  let tlvs;
  try {
    tlvs = decodeBer(data);
  } catch (e) {
    if (e instanceof CodecError) throw new ScpError('format', `GET STATUS response: ${e.message}`, { cause: e });
    throw e;
  }
  const out: GpRegistryEntry[] = [];
  for (const t of tlvs) {
    if (t.tag !== 0xe3) continue;
    const aid = findBer(t.children, 0x4f);
    if (!aid) throw new ScpError('format', 'GET STATUS entry without AID (4F)');
    out.push({
      aid: aid.value.slice(),
      lifeCycle: findBer(t.children, 0x9f70)?.value[0] ?? 0,
      privileges: findBer(t.children, 0xc5)?.value.slice() ?? new Uint8Array(0),
    });
  }
  return out;
}

export function encodeStatusEntry(e: GpRegistryEntry): Uint8Array {
  const body = [0x4f, e.aid.length, ...e.aid, 0x9f, 0x70, 0x01, e.lifeCycle, 0xc5, e.privileges.length, ...e.privileges];
  return Uint8Array.from([0xe3, body.length, ...body]);
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
  return Uint8Array.from([0xe0, body.length, ...body]);
}
