/**
 * Access conditions from the FCP security attributes (ETSI TS 102 221 11.1.1.4.7, 9.2/9.3;
 * ISO/IEC 7816-4 9.3): the expanded format (AB) read directly, the referenced format (8B) through
 * an EF.ARR record (which holds expanded-format data objects), the compact format (8C) by its
 * access-mode bits. The result says which key protects which operation, e.g. read: 'PIN1'.
 */
import type { ExpandedSecurityDo, Fcp } from '../codec/tlv/fcp.js';
import { decodeBer, type BerTlv } from '../codec/tlv/ber.js';
import { fromHex, hexNum } from '../util/hex.js';
import { keyName, keyRefOf } from './keys.js';

export type AccessOp = 'read' | 'update' | 'write' | 'increase' | 'deactivate' | 'activate' | 'terminate' | 'delete' | 'create';

/** 'ALW', 'NEV', a key name ('PIN1'), alternatives 'PIN1|ADM1', all-of 'PIN1&ADM1', or '?' */
export type AccessRule = string;
export type AccessMap = Partial<Record<AccessOp, AccessRule>>;

/** Access mode byte bits, ISO 7816-4 tables 17 (EF: b3 = WRITE BINARY / WRITE RECORD / APPEND RECORD) and 18 (DF). */
export const AM_EF: [AccessOp, number][] = [
  ['read', 0x01],
  ['update', 0x02],
  ['write', 0x04],
  ['deactivate', 0x08],
  ['activate', 0x10],
  ['terminate', 0x20],
  ['delete', 0x40],
];
const AM_DF: [AccessOp, number][] = [
  ['delete', 0x01],
  ['create', 0x06],
  ['deactivate', 0x08],
  ['activate', 0x10],
  ['terminate', 0x20],
  ['delete', 0x40],
];

/** Security condition DO -> rule text (9.2 table: 90 always, 97 never, A4 CRT with 83 key ref, A0 OR, AF AND). */
function condition(t: BerTlv): AccessRule {
  switch (t.tag) {
    case 0x90:
      return 'ALW';
    case 0x97:
      return 'NEV';
    case 0xa4: {
      const k = t.children?.find((c) => c.tag === 0x83);
      return k && k.value.length === 1 ? keyName(k.value[0]!) : '?';
    }
    case 0xa0:
      return (t.children ?? []).map(condition).join('|');
    case 0xaf:
      return (t.children ?? []).map(condition).join('&');
    default:
      return '?';
  }
}

/** Decodes a sequence of expanded-format DOs (AM DO, SC DO, AM DO, SC DO ...). */
export function accessFromExpanded(bytes: Uint8Array, isDf: boolean): AccessMap {
  let list: BerTlv[];
  try {
    list = decodeBer(bytes);
  } catch {
    return {};
  }
  const out: AccessMap = {};
  const table = isDf ? AM_DF : AM_EF;
  let am: number | undefined;
  for (const t of list) {
    if (t.tag === 0x80) {
      am = t.value[0] ?? 0;
      continue;
    }
    if (t.tag >= 0x81 && t.tag <= 0x8f) {
      am = undefined; // command-header AM DOs: not an operation we map
      continue;
    }
    if (am === undefined) continue;
    const rule = condition(t);
    for (const [op, bit] of table) if ((am & bit) === bit && (bit !== 0x06 || (am & 0x06) !== 0) && out[op] === undefined) out[op] = rule;
    am = undefined;
  }
  return out;
}

/**
 * The access mode bits of an operation (tables 17 and 18), undefined for one without (INCREASE).
 * A DF's delete is DELETE FILE of the DF itself (b7), and of its children too (b1) with `childDelete`.
 */
export function accessModeBits(op: AccessOp, isDf: boolean, childDelete = false): number | undefined {
  let bits: number | undefined;
  for (const [o, b] of isDf ? AM_DF : AM_EF) if (o === op && (b !== 0x01 || !isDf || childDelete)) bits = (bits ?? 0) | b;
  return bits;
}

/**
 * The expanded security attributes (TS 102 221 11.1.1.4.7.2) of an access map: the inverse of
 * accessFromExpanded, through the same AM tables, so that what the writer creates and what the
 * virtual card reports are coded alike. Per distinct rule, in the order the map first names it: an
 * AM DO 80 with the bits of its operations (accessModeBits), then its SC DO: 90 always, 97 never, a
 * key a CRT A4 { 83 key reference (9.5.1), 95 usage qualifier 08 (user authentication, knowledge
 * based, 9.5.2) }, several keys an OR template A0. INCREASE has no AM bit: it goes as a
 * command-header AM DO 84 carrying its INS 32.
 */
export function expandedSecurity(access: AccessMap, isDf: boolean, opts: { childDelete?: boolean } = {}): ExpandedSecurityDo[] {
  const groups = new Map<AccessRule, number>();
  for (const [op, rule] of Object.entries(access) as [AccessOp, AccessRule | undefined][]) {
    const bits = accessModeBits(op, isDf, opts.childDelete);
    if (bits === undefined || !rule) continue;
    groups.set(rule, (groups.get(rule) ?? 0) | bits);
  }
  const out = [...groups].flatMap(([rule, am]): ExpandedSecurityDo[] => [{ tag: '80', value: hexNum(am) }, securityCondition(rule)]);
  if (access.increase && !isDf) out.push({ tag: '84', value: '32' }, securityCondition(access.increase));
  return out;
}

function securityCondition(rule: AccessRule): ExpandedSecurityDo {
  if (rule === 'ALW') return { tag: '90', value: '' };
  if (rule === 'NEV') return { tag: '97', value: '' };
  const crts = rule.split('|').map((k): ExpandedSecurityDo => ({
    tag: 'A4',
    value: '',
    children: [
      { tag: '83', value: hexNum(keyRefOf(k)) },
      { tag: '95', value: '08' },
    ],
  }));
  return crts.length === 1 ? crts[0]! : { tag: 'A0', value: '', children: crts };
}

/** Expanded DOs from the FCP's AB template, as bytes. */
export function expandedBytes(fcp: Fcp): Uint8Array | undefined {
  if (!fcp.securityExpanded) return undefined;
  const parts: number[] = [];
  for (const d of fcp.securityExpanded) {
    const v = fromHex(d.value);
    const tag = parseInt(d.tag, 16);
    if (tag > 0xff) parts.push(tag >> 8, tag & 0xff);
    else parts.push(tag);
    if (v.length < 0x80) parts.push(v.length);
    else if (v.length < 0x100) parts.push(0x81, v.length);
    else parts.push(0x82, v.length >> 8, v.length & 0xff);
    parts.push(...v);
  }
  return Uint8Array.from(parts);
}

/** Compact format (8C): AM byte then SC bytes for the bits set b7..b1; SC byte 00 = always, FF = never, else key ref in b4-b1. */
export function accessFromCompact(am: number, conds: number[], isDf: boolean): AccessMap {
  const out: AccessMap = {};
  const table = isDf ? AM_DF : AM_EF;
  let i = 0;
  for (let bit = 0x40; bit >= 1; bit >>= 1) {
    if (!(am & bit)) continue;
    const sc = conds[i++];
    const rule = sc === undefined ? '?' : sc === 0x00 ? 'ALW' : sc === 0xff ? 'NEV' : `SE key ${hexNum(sc & 0x0f, 1)}`;
    for (const [op, b] of table) if (b === bit && out[op] === undefined) out[op] = rule;
  }
  return out;
}

/** The key names in a rule ('PIN1|ADM1' -> ['PIN1', 'ADM1']). */
export function keysOf(rule: AccessRule | undefined): string[] {
  if (!rule || rule === 'ALW' || rule === 'NEV' || rule === '?') return [];
  return rule.split(/[|&]/).filter((k) => k !== 'ALW' && k !== 'NEV' && k !== '?');
}

/** "verify PIN1 first" / "verify ADM1 or PIN1 first" / "never allowed" */
export function hintFor(rule: AccessRule | undefined): string | undefined {
  if (rule === undefined || rule === '?') return undefined;
  if (rule === 'NEV') return 'the file never allows this operation';
  if (rule === 'ALW') return undefined;
  const keys = keysOf(rule);
  if (!keys.length) return undefined;
  const joiner = rule.includes('&') ? ' and ' : ' or ';
  // the security state lasts as long as the card session: verify in the same command
  return `verify ${keys.join(joiner)} first (--verify ${keys[0]!.toLowerCase()} with SIMDM_${keys[0]} set)`;
}
