/**
 * GET STATUS (GP Card Specification v2.3.1, 11.4) as both sides see it: the command, its search
 * criteria and the two response formats, declared once here and used by the host (`simdm gp list`)
 * and by the virtual card's ISD.
 *
 * - P1 (11.4.2.1): 80 ISD, 40 applications and Supplementary Security Domains, 20 Executable Load
 *   Files, 10 Executable Load Files and their Executable Modules.
 * - P2 (11.4.2.2): b2 = 1 the TLV format, b2 = 0 the deprecated (GP 2.1.1) format; b1 = 1 next
 *   occurrence.
 * - Data (11.4.2.3): search criteria '4F' AID (prefix, '4F 00' = all), optionally followed by a
 *   tag list '5C' naming the tags each entry of the TLV format carries (Table 11-35).
 * - TLV format (11.4.3.1, Table 11-36): E3 { 4F AID, 9F70 life cycle, C5 privileges, C4 ELF AID,
 *   CE ELF version, 84 module AID (repeated), CC associated security domain }.
 * - Deprecated format (11.4.3.2, Tables 11-37/11-38): length AID | AID | life cycle | privileges
 *   (first byte), and for P1 = 10: number of modules, then length | AID per module.
 */
import type { CommandApdu } from '../../apdu/command.js';
import { CodecError } from '../../codec/errors.js';
import { decodeBer, encodeBerTag, findBer, type BerTlv } from '../../codec/tlv/ber.js';
import { concatBytes, hexNum } from '../../util/hex.js';
import { ScpError } from './errors.js';

export type StatusScope = 'isd' | 'apps' | 'loadfiles' | 'modules';
export const SCOPE_P1: Record<StatusScope, number> = { isd: 0x80, apps: 0x40, loadfiles: 0x20, modules: 0x10 };
export const P1_SCOPE: Record<number, StatusScope> = { 0x80: 'isd', 0x40: 'apps', 0x20: 'loadfiles', 0x10: 'modules' };

export type StatusFormat = 'tlv' | 'legacy';

export interface GpRegistryEntry {
  aid: Uint8Array;
  lifeCycle: number;
  /** 3 bytes (GP 2.2+), or 1 byte from the deprecated format */
  privileges: Uint8Array;
  /** Executable Load File of an application (C4) */
  loadFile?: Uint8Array;
  /** Executable Modules of a load file (84, P1 = 10) */
  modules?: Uint8Array[];
  /** associated Security Domain (CC) */
  securityDomain?: Uint8Array;
}

export interface StatusRequest {
  scope: StatusScope;
  format?: StatusFormat;
  next?: boolean;
  /** AID prefix to match (empty: all) */
  aid?: Uint8Array;
  /** tags each TLV entry should carry (the '5C' tag list) */
  tags?: number[];
}

/** The GET STATUS command (11.4.2). */
export function getStatus(scopeOrReq: StatusScope | StatusRequest, next = false): CommandApdu {
  const r: StatusRequest = typeof scopeOrReq === 'string' ? { scope: scopeOrReq, next } : scopeOrReq;
  const aid = r.aid ?? new Uint8Array(0);
  let data = concatBytes(Uint8Array.of(0x4f, aid.length), aid);
  if (r.tags?.length) {
    const list = concatBytes(...r.tags.map((t) => encodeBerTag(t)));
    data = concatBytes(data, Uint8Array.of(0x5c, list.length), list);
  }
  const p2 = ((r.format ?? 'tlv') === 'tlv' ? 0x02 : 0x00) | (r.next ? 0x01 : 0x00);
  return { cla: 0x80, ins: 0xf2, p1: SCOPE_P1[r.scope], p2, data, le: 256 };
}

/** Reads P1/P2/data of a GET STATUS command (card side). Throws ScpError `scp.format`. */
export function parseStatusCommand(cmd: CommandApdu): StatusRequest {
  const scope = P1_SCOPE[cmd.p1];
  if (!scope) throw new ScpError('format', `GET STATUS P1 ${hexNum(cmd.p1)} is not 80, 40, 20 or 10`);
  const req: StatusRequest = { scope, format: cmd.p2 & 0x02 ? 'tlv' : 'legacy', next: (cmd.p2 & 0x01) !== 0 };
  const d = cmd.data ?? new Uint8Array(0);
  if (d.length === 0) return req; // no search criterion: all (as pySim and GlobalPlatformPro send it)
  let tlvs: BerTlv[];
  try {
    tlvs = decodeBer(d, { recurse: false });
  } catch (e) {
    if (e instanceof CodecError) throw new ScpError('format', `GET STATUS search criteria: ${e.message}`, { cause: e });
    throw e;
  }
  const aid = findBer(tlvs, 0x4f);
  if (!aid) throw new ScpError('format', 'GET STATUS search criteria without 4F');
  if (aid.value.length) req.aid = aid.value.slice();
  const list = findBer(tlvs, 0x5c);
  if (list) req.tags = splitTags(list.value);
  return req;
}

function splitTags(b: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    let tag = b[i]!;
    i++;
    if ((tag & 0x1f) === 0x1f) {
      // multi-byte tag (X.690 8.1.2.4): continue while b8 is set
      for (let guard = 0; guard < 3 && i < b.length; guard++) {
        const n = b[i]!;
        tag = tag * 256 + n;
        i++;
        if ((n & 0x80) === 0) break;
      }
    }
    out.push(tag);
  }
  return out;
}

function tlv(tag: number, v: Uint8Array): Uint8Array {
  return concatBytes(encodeBerTag(tag), Uint8Array.of(v.length), v);
}

const DEFAULT_TAGS: Record<StatusScope, number[]> = {
  isd: [0x4f, 0x9f70, 0xc5],
  apps: [0x4f, 0x9f70, 0xc5, 0xc4, 0xcc],
  loadfiles: [0x4f, 0x9f70, 0xcc],
  modules: [0x4f, 0x9f70, 0x84, 0xcc],
};

/** One entry in the TLV format (Table 11-36), restricted to `tags` when a tag list was given. */
export function encodeStatusEntry(e: GpRegistryEntry, scope: StatusScope = 'isd', tags?: number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const t of tags ?? DEFAULT_TAGS[scope]) {
    if (t === 0x4f) parts.push(tlv(0x4f, e.aid));
    else if (t === 0x9f70) parts.push(tlv(0x9f70, Uint8Array.of(e.lifeCycle)));
    else if (t === 0xc5 && scope !== 'loadfiles' && scope !== 'modules') parts.push(tlv(0xc5, e.privileges));
    else if (t === 0xc4 && e.loadFile) parts.push(tlv(0xc4, e.loadFile));
    else if (t === 0x84 && e.modules) for (const m of e.modules) parts.push(tlv(0x84, m));
    else if (t === 0xcc && e.securityDomain) parts.push(tlv(0xcc, e.securityDomain));
  }
  const body = concatBytes(...parts);
  return concatBytes(Uint8Array.of(0xe3), body.length < 0x80 ? Uint8Array.of(body.length) : Uint8Array.of(0x81, body.length), body);
}

/** One entry in the deprecated format (Tables 11-37 / 11-38). */
export function encodeLegacyEntry(e: GpRegistryEntry, scope: StatusScope): Uint8Array {
  const head = concatBytes(
    Uint8Array.of(e.aid.length),
    e.aid,
    Uint8Array.of(e.lifeCycle, scope === 'loadfiles' || scope === 'modules' ? 0 : (e.privileges[0] ?? 0)),
  );
  if (scope !== 'modules') return head;
  const mods = e.modules ?? [];
  return concatBytes(head, Uint8Array.of(mods.length), ...mods.map((m) => concatBytes(Uint8Array.of(m.length), m)));
}

/** Decodes a GET STATUS response in either format. Throws ScpError `scp.format`. */
export function parseStatusResponse(data: Uint8Array, format: StatusFormat = 'tlv', scope: StatusScope = 'isd'): GpRegistryEntry[] {
  return format === 'tlv' ? parseTlv(data) : parseLegacy(data, scope);
}

function parseTlv(data: Uint8Array): GpRegistryEntry[] {
  let tlvs: BerTlv[];
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
    if (!aid) throw new ScpError('format', `GET STATUS entry at offset ${t.offset ?? 0} without AID (4F)`);
    const e: GpRegistryEntry = {
      aid: aid.value.slice(),
      lifeCycle: findBer(t.children, 0x9f70)?.value[0] ?? 0,
      privileges: findBer(t.children, 0xc5)?.value.slice() ?? new Uint8Array(0),
    };
    const lf = findBer(t.children, 0xc4);
    if (lf) e.loadFile = lf.value.slice();
    const mods = (t.children ?? []).filter((c) => c.tag === 0x84).map((c) => c.value.slice());
    if (mods.length) e.modules = mods;
    const sd = findBer(t.children, 0xcc);
    if (sd) e.securityDomain = sd.value.slice();
    out.push(e);
  }
  return out;
}

function parseLegacy(b: Uint8Array, scope: StatusScope): GpRegistryEntry[] {
  const out: GpRegistryEntry[] = [];
  let i = 0;
  const need = (n: number, what: string) => {
    if (i + n > b.length) throw new ScpError('format', `GET STATUS response: ${what} at offset ${i} runs past the ${b.length} bytes`);
  };
  while (i < b.length) {
    need(1, 'AID length');
    const n = b[i]!;
    need(1 + n + 2, 'entry');
    const e: GpRegistryEntry = { aid: b.slice(i + 1, i + 1 + n), lifeCycle: b[i + 1 + n]!, privileges: b.slice(i + 2 + n, i + 3 + n) };
    i += n + 3;
    if (scope === 'modules') {
      need(1, 'module count');
      const count = b[i]!;
      i++;
      e.modules = [];
      for (let k = 0; k < count; k++) {
        need(1, 'module AID length');
        const m = b[i]!;
        need(1 + m, 'module AID');
        e.modules.push(b.slice(i + 1, i + 1 + m));
        i += 1 + m;
      }
    }
    out.push(e);
  }
  return out;
}
