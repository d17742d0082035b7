/**
 * OpenSC `pkcs15-tool --list-data-objects` with its default PKCS#15 emulation, modelled from
 * OpenSC's documented and observable behaviour (libopensc pkcs15.c / pkcs15-data.c; behaviour
 * only): the application found through EF.DIR, selected by path; EF.TokenInfo must parse or
 * binding fails; EF.ODF entries must each be a known PKCS15Objects choice; each DODF is read by
 * its FCP size and decoded entry by entry as a DataObject{Opaque} (SEQUENCE) only: the first
 * entry of another form (an oidDO, `A1`) ends that DODF (the entries before it stay listed);
 * padding (00 or FF) ends it too. Data objects are read by their Path, relative to the
 * application. simdm writes each file's opaqueDO before the oidDOs for this reason.
 */
import type { CardLink } from '../../apdu/link.js';
import { toHex, hexNum } from '../../util/hex.js';
import { BOOTSTRAP_KINDS } from '../oids.js';
import { dataEnd, oidText, tlvAt, tlvs, value } from './der.js';
import { absolute, type DataEntry, dirApplication, loadEntries, readAbsolute } from './pkcs15-walk.js';
import { type DeviceTarget, refuse, runTarget, type TargetResult } from './types.js';

/** TokenInfo ::= SEQUENCE { version INTEGER, serialNumber OCTET STRING, ... } */
function tokenInfoParses(b: Uint8Array): void {
  const t = tlvAt(b, 0, 'EF.TokenInfo');
  if (t.tag !== 0x30) refuse('EF.TokenInfo is not a SEQUENCE: binding fails');
  const items = tlvs(value(b, t), 'EF.TokenInfo');
  if (items[0]?.tag !== 0x02 || items[1]?.tag !== 0x04) refuse('EF.TokenInfo: version INTEGER and serialNumber OCTET STRING expected: binding fails');
}

/** dataObjects paths of EF.ODF; any entry that is not a PKCS15Objects choice fails the bind. */
function odfDodfs(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const used = b.subarray(0, dataEnd(b, 'EF.ODF', false));
  for (const e of tlvs(used, 'EF.ODF')) {
    if (e.tag < 0xa0 || e.tag > 0xa8) refuse(`EF.ODF: entry with tag ${hexNum(e.tag)} is no PKCS15Objects choice: binding fails`);
    if (e.tag !== 0xa7) continue;
    const v = value(used, e);
    const p = tlvAt(v, 0, 'EF.ODF');
    if (p.tag !== 0x30) continue;
    const o = tlvAt(value(v, p), 0, 'EF.ODF');
    if (o.tag === 0x04) out.push(value(value(v, p), o));
  }
  return out;
}

/** The opaqueDO entries of a DODF up to the first entry of another form. */
export function openscEntries(b: Uint8Array): { entries: DataEntry[]; stoppedAt?: number } {
  const entries: DataEntry[] = [];
  for (let off = 0; off < b.length;) {
    if (b[off] === 0x00 || b[off] === 0xff) break;
    let e;
    try {
      e = tlvAt(b, off, 'EF.DODF');
    } catch {
      return { entries, stoppedAt: off };
    }
    if (e.tag !== 0x30) return { entries, stoppedAt: off };
    try {
      const obj = value(b, e);
      const [common, cls, ...rest] = tlvs(obj, 'opaqueDO');
      const type = rest.find((x) => x.tag === 0xa1);
      if (!common || common.tag !== 0x30 || !cls || cls.tag !== 0x30 || !type) return { entries, stoppedAt: off };
      const label = tlvs(value(obj, common), 'label').find((x) => x.tag === 0x0c);
      const oid = tlvs(value(obj, cls), 'class').find((x) => x.tag === 0x06);
      const tv = value(obj, type);
      const path = tlvAt(tv, 0, 'path');
      const octets = path.tag === 0x30 ? tlvAt(value(tv, path), 0, 'path') : undefined;
      if (oid && octets?.tag === 0x04) {
        entries.push({
          oid: oidText(value(value(obj, cls), oid)),
          path: value(value(tv, path), octets),
          ...(label ? { label: new TextDecoder().decode(value(value(obj, common), label)) } : {}),
        });
      }
    } catch {
      return { entries, stoppedAt: off };
    }
    off = e.end;
  }
  return { entries };
}

async function sequence(link: CardLink, r: TargetResult): Promise<void> {
  const app = (await dirApplication(link)) ?? refuse('EF.DIR has no application template for the PKCS#15 AID (OpenSC finds the application there)');
  if (!app.length) refuse('the PKCS#15 application template in EF.DIR has no path');
  tokenInfoParses(await readAbsolute(link, absolute(app, Uint8Array.of(0x50, 0x32)), 'EF.TokenInfo'));
  const dodfs = odfDodfs(await readAbsolute(link, absolute(app, Uint8Array.of(0x50, 0x31)), 'EF.ODF'));
  const entries: DataEntry[] = [];
  for (const p of dodfs) {
    const d = openscEntries(await readAbsolute(link, absolute(app, p), `EF.DODF ${toHex(p)}`));
    entries.push(...d.entries);
    if (d.stoppedAt !== undefined && !d.entries.length) r.reasons.push(`EF.DODF ${toHex(p)}: no opaqueDO before offset ${d.stoppedAt}, where decoding stops`);
  }
  await loadEntries(link, app, entries, r);
  if (!r.files.length && !r.reasons.length) r.reasons.push('no opaqueDO names a bootstrap OID (OpenSC lists opaqueDO entries only)');
}

export const opensc: DeviceTarget = {
  name: 'opensc',
  describe: 'OpenSC pkcs15-tool --list-data-objects: every kind, opaqueDO entries only, application found through EF.DIR',
  kinds: BOOTSTRAP_KINDS,
  read: (link) => runTarget('opensc', link, sequence),
};
