/**
 * A strict PKCS#15 reader (PKCS #15 v1.1 / ISO/IEC 7816-15), the strictest reader a device
 * might embed: the application listed in EF.DIR (5.4) and selected by AID; EF.TokenInfo, EF.ODF
 * and every DODF decoded as DER (shortest length forms, 00/FF padding only after the last
 * entry); every DODF entry a PKCS15Data choice (6.7: 30 opaqueDO, A0 externalIDO, A1 oidDO)
 * whose CommonDataObjectAttributes meet
 *   WITH COMPONENTS {..., applicationName PRESENT} | WITH COMPONENTS {..., applicationOID PRESENT}
 * labels at most 255 characters (pkcs15-ub-label), typeAttributes [1] present. A DODF breaking a
 * rule is refused whole; files are found by oidDO id or opaqueDO applicationOID.
 */
import type { ApduSender, CardLink } from '../../apdu/link.js';
import { fromHex, toHex, hexNum } from '../../util/hex.js';
import { BOOTSTRAP_KINDS } from '../oids.js';
import { dataEnd, oidText, type Tlv, tlvs, value } from './der.js';
import { readBinary, selectFcp } from './io.js';
import { type DataEntry, dirApplication, loadEntries, mustSelectAid } from './pkcs15-walk.js';
import { type DeviceTarget, refuse, runTarget, type TargetResult, TargetRefusal } from './types.js';

const UB_LABEL = 255;

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) refuse(`${what}: tag ${hexNum(tag)} expected${t ? `, found ${hexNum(t.tag)}` : ''}`);
  return t!;
}

/** Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL, length [0] INTEGER OPTIONAL } (both or neither) */
function strictPath(b: Uint8Array, what: string): Uint8Array {
  const [p, ...rest] = tlvs(b, what, true);
  const octets = expect(p, 0x04, `${what} path`);
  if (rest.length === 1 || rest.length > 2) refuse(`${what}: index and length must come together (PKCS #15 6.1.5)`);
  return value(b, octets);
}

function strictLabel(b: Uint8Array, t: Tlv, what: string): string {
  const s = new TextDecoder('utf-8', { fatal: true }).decode(value(b, t));
  if ([...s].length > UB_LABEL) refuse(`${what}: label of ${[...s].length} characters (at most ${UB_LABEL})`);
  return s;
}

/** One DODF entry; returns what it names. */
function strictEntry(b: Uint8Array, e: Tlv, what: string): DataEntry | undefined {
  if (e.tag !== 0x30 && e.tag !== 0xa0 && e.tag !== 0xa1) refuse(`${what}: tag ${hexNum(e.tag)} is no PKCS15Data choice`);
  if (e.tag === 0xa0) return undefined;
  const obj = value(b, e);
  const items = tlvs(obj, what, true);
  const common = expect(items[0], 0x30, `${what} commonObjectAttributes`);
  const cls = expect(items[1], 0x30, `${what} classAttributes`);
  const type = items.find((x) => x.tag === 0xa1) ?? refuse(`${what}: typeAttributes [1] missing`);
  const cv = value(obj, common);
  const label = tlvs(cv, what, true).find((x) => x.tag === 0x0c);
  const labelText = label ? strictLabel(cv, label, what) : undefined;
  const kv = value(obj, cls);
  const ki = tlvs(kv, what, true);
  const appName = ki.find((x) => x.tag === 0x0c);
  const appOid = ki.find((x) => x.tag === 0x06);
  if (!appName && !appOid)
    refuse(
      `${what}: CommonDataObjectAttributes ${cls.len ? 'has' : 'is empty (30 00),'} neither applicationName nor applicationOID (PKCS #15 6.7 WITH COMPONENTS)`,
    );
  if (appName) strictLabel(kv, appName, `${what} applicationName`);
  const tv = value(obj, type);
  const [inner] = tlvs(tv, what, true);
  const seq = expect(inner, 0x30, `${what} typeAttributes`);
  if (e.tag === 0x30) {
    const path = strictPath(value(tv, seq), what);
    return appOid ? { oid: oidText(value(kv, appOid)), path, ...(labelText ? { label: labelText } : {}) } : undefined;
  }
  const od = value(tv, seq);
  const [id, val] = tlvs(od, what, true);
  const oid = expect(id, 0x06, `${what} OidDO id`);
  const pv = expect(val, 0x30, `${what} OidDO value (indirect Path)`);
  return { oid: oidText(value(od, oid)), path: strictPath(value(od, pv), what), ...(labelText ? { label: labelText } : {}) };
}

export function strictDodf(b: Uint8Array, name: string): DataEntry[] {
  const used = b.subarray(0, dataEnd(b, name, true));
  const out: DataEntry[] = [];
  for (const e of tlvs(used, name, true)) {
    const d = strictEntry(used, e, `${name} entry at offset ${e.start}`);
    if (d) out.push(d);
  }
  return out;
}

function strictTokenInfo(b: Uint8Array): void {
  const used = b.subarray(0, dataEnd(b, 'EF.TokenInfo', true));
  const [t] = tlvs(used, 'EF.TokenInfo', true);
  const seq = expect(t, 0x30, 'EF.TokenInfo');
  const items = tlvs(value(used, seq), 'EF.TokenInfo', true);
  expect(items[0], 0x02, 'EF.TokenInfo version');
  expect(items[1], 0x04, 'EF.TokenInfo serialNumber');
  if (!items.some((x) => x.tag === 0x03)) refuse('EF.TokenInfo: tokenflags (BIT STRING) missing');
}

function strictOdf(b: Uint8Array): Uint8Array[] {
  const used = b.subarray(0, dataEnd(b, 'EF.ODF', true));
  const out: Uint8Array[] = [];
  for (const e of tlvs(used, 'EF.ODF', true)) {
    if (e.tag < 0xa0 || e.tag > 0xa8) refuse(`EF.ODF entry at offset ${e.start}: tag ${hexNum(e.tag)} is no PKCS15Objects choice`);
    const v = value(used, e);
    const [p] = tlvs(v, 'EF.ODF', true);
    if (e.tag === 0xa7 && p?.tag === 0x30) out.push(strictPath(value(v, p), `EF.ODF entry at offset ${e.start}`));
  }
  return out;
}

async function readFid(ch: ApduSender, path: Uint8Array, what: string): Promise<Uint8Array> {
  const fcp = await selectFcp(ch, path.length > 2 ? 0x09 : 0x00, path, what);
  return readBinary(ch, fcp.size, what);
}

async function sequence(link: CardLink, r: TargetResult): Promise<void> {
  const app = (await dirApplication(link)) ?? refuse('EF.DIR lists no PKCS#15 application (PKCS #15 5.4)');
  await mustSelectAid(link);
  strictTokenInfo(await readFid(link, fromHex('5032'), 'EF.TokenInfo'));
  const entries: DataEntry[] = [];
  for (const p of strictOdf(await readFid(link, fromHex('5031'), 'EF.ODF'))) {
    const name = `EF.DODF ${toHex(p)}`;
    try {
      entries.push(...strictDodf(await readFid(link, p, name), name));
    } catch (e) {
      if (!(e instanceof TargetRefusal)) throw e;
      r.reasons.push(`${e.message}: DODF refused`);
    }
    await mustSelectAid(link);
  }
  await loadEntries(link, app.length ? app : fromHex('3F005015'), entries, r);
}

export const strict: DeviceTarget = {
  name: 'strict',
  describe: 'a strict PKCS#15 v1.1 decoder: every kind; DER, EF.DIR entry, PKCS15Data choices, applicationName or applicationOID in every data object',
  kinds: BOOTSTRAP_KINDS,
  read: (link) => runTarget('strict', link, sequence),
};
