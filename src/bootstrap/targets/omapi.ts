/**
 * An Android DM client on the SIMalliance Open Mobile API (seek-for-android SmartCardService,
 * `org.simalliance.openmobileapi.PKCS15Provider`), modelled from its public source (behaviour
 * only): a logical channel to the PKCS#15 AID; EF.ODF (5031) and EF.TokenInfo (5032) selected
 * to recognise the structure; EF.ODF read whole; every `A7` entry's value decoded as a Path; each
 * DODF read and given to `searchOID(dodf, oid)`, which
 *   - returns nothing unless the DODF's FIRST TLV has tag A7,
 *   - walks the SEQUENCEs inside that A7 and, in the first whose first element is the OID,
 *     returns the value of the element after it;
 * the client takes that value as the Path of the bootstrap file (the contents of a Path
 * SEQUENCE: `04 len path`, or a whole Path SEQUENCE) and reads the file.
 *
 * A PKCS#15 DODF (what PKCS #15 6.7, the LwM2M annex and OpenSC describe) starts with `30`
 * (opaqueDO) or `A1` (oidDO), never `A7`: searchOID finds nothing in one. `layout: { omapi: true }`
 * in a profile adds a DODF in the form searchOID reads (plan.ts omapiDodf).
 */
import type { ApduSender, CardLink } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { fromHex, toHex } from '../../util/hex.js';
import { KINDS, PKCS15_AID } from '../oids.js';
import { dataEnd, oidBytes, tlvAt, tlvs, value } from './der.js';
import { loaded, readBinary, selectFcp } from './io.js';
import { type DeviceTarget, refuse, runTarget, type TargetResult } from './types.js';
import { bytesEqual } from '../../util/hex.js';

const KINDS_READ = ['dm', 'lwm2m'] as const;

/** searchOID as the Open Mobile API does it. */
export function searchOid(dodf: Uint8Array, oid: string): Uint8Array | undefined {
  const want = oidBytes(oid);
  let first;
  try {
    first = tlvAt(dodf, 0, 'DODF');
  } catch {
    return undefined;
  }
  if (first.tag !== 0xa7) return undefined;
  const outer = value(dodf, first);
  for (let off = 0; off < outer.length;) {
    let e;
    try {
      e = tlvAt(outer, off, 'DODF');
    } catch {
      return undefined;
    }
    off = e.end;
    if (e.tag !== 0x30) continue;
    const inner = value(outer, e);
    try {
      const o = tlvAt(inner, 0, 'DODF');
      if (o.tag !== 0x06 || !bytesEqual(value(inner, o), want)) continue;
      const next = tlvAt(inner, o.end, 'DODF');
      return value(inner, next);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The client's reading of the value searchOID returned: a Path. */
function pathOf(v: Uint8Array): Uint8Array | undefined {
  try {
    const t = tlvAt(v, 0, 'Path');
    if (t.tag === 0x04) return value(v, t);
    if (t.tag === 0x30) {
      const p = tlvAt(value(v, t), 0, 'Path');
      return p.tag === 0x04 ? value(value(v, t), p) : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** decodePath of an ODF entry value (a Path SEQUENCE). */
function odfPaths(odf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const used = odf.subarray(0, dataEnd(odf, 'EF.ODF', false));
  for (const e of tlvs(used, 'EF.ODF')) {
    if (e.tag !== 0xa7) continue;
    const p = pathOf(value(used, e));
    if (p) out.push(p);
  }
  return out;
}

/** FileViewProvider.selectByPath relative to the current DF (P1 09), or by FID (P1 00). */
async function readByPath(ch: ApduSender, path: Uint8Array, what: string): Promise<Uint8Array> {
  const fcp = await selectFcp(ch, path.length > 2 ? 0x09 : 0x00, path, what);
  if (fcp.descriptor !== undefined && (fcp.descriptor & 0x07) !== 0x01) refuse(`${what}: not a transparent EF`);
  return readBinary(ch, fcp.size, what);
}

async function sequence(link: CardLink, r: TargetResult): Promise<void> {
  const ch = await link.openChannel().catch(() => refuse('MANAGE CHANNEL open refused'));
  try {
    const sel = await ch.transmit({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x00, data: fromHex(PKCS15_AID), le: 256 });
    if (sel.sw !== 0x9000) refuse(`SELECT PKCS#15 AID: ${swHex(sel.sw)}`);
    await selectFcp(ch, 0x00, fromHex('5031'), 'EF.ODF');
    await selectFcp(ch, 0x00, fromHex('5032'), 'EF.TokenInfo');
    const odf = await readByPath(ch, fromHex('5031'), 'EF.ODF');
    const dodfs = odfPaths(odf);
    if (!dodfs.length) refuse('EF.ODF lists no DODF');
    const want = new Map<string, (typeof KINDS_READ)[number]>(KINDS_READ.map((k) => [KINDS[k].oid, k]));
    let a7 = 0;
    for (const p of dodfs) {
      const dodf = await readByPath(ch, p, `EF.DODF ${toHex(p)}`);
      if (dodf[0] === 0xa7) a7++;
      for (const [oid, kind] of [...want]) {
        const v = searchOid(dodf, oid);
        const path = v && pathOf(v);
        if (!path) continue;
        want.delete(oid);
        r.files.push(loaded(kind, toHex(path), await readByPath(ch, path, `${KINDS[kind].label} ${toHex(path)}`)));
      }
    }
    if (!r.files.length) {
      refuse(
        a7
          ? 'no DODF in searchOID form (first TLV A7) holds 2.23.43.7.1 or 2.23.43.9.1'
          : `none of the ${dodfs.length} DODF(s) starts with tag A7, which searchOID requires (PKCS#15 DODFs start with 30 or A1): nothing found`,
      );
    }
  } finally {
    await ch.close().catch(() => undefined);
  }
}

export const omapi: DeviceTarget = {
  name: 'omapi',
  describe: 'Android DM client on the Open Mobile API PKCS15Provider.searchOID: DM and LwM2M; reads only DODFs whose first TLV is A7',
  kinds: KINDS_READ,
  read: (link) => runTarget('omapi', link, sequence),
};
