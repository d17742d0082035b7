/**
 * The PKCS#15 walk shared by the OpenSC and strict models: EF.DIR's application template, the
 * application, EF.TokenInfo, EF.ODF, each DODF, each referenced file. What each model accepts
 * of the bytes it reads is its own (opensc.ts, strict.ts).
 */
import type { ApduSender } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { bytesEqual, fromHex, toHex } from '../../util/hex.js';
import { kindOfOid, PKCS15_AID } from '../oids.js';
import { tlvs, value } from './der.js';
import { loaded, ok, readBinary, selectFcp } from './io.js';
import { refuse, type TargetResult, TargetRefusal } from './types.js';

/** The application template of the PKCS#15 AID in EF.DIR (TS 102 221 13.1): its path, if any. */
export async function dirApplication(ch: ApduSender): Promise<Uint8Array | undefined> {
  await selectFcp(ch, 0x00, fromHex('3F00'), 'MF');
  await selectFcp(ch, 0x00, fromHex('2F00'), 'EF.DIR');
  const aid = fromHex(PKCS15_AID);
  for (let n = 1; n < 255; n++) {
    const r = await ch.transmit({ cla: 0, ins: 0xb2, p1: n, p2: 0x04, le: 256 });
    if (!ok(r.sw)) break;
    try {
      const end = r.data.indexOf(0xff);
      for (const t of tlvs(r.data.subarray(0, end < 0 ? r.data.length : end), 'EF.DIR')) {
        if (t.tag !== 0x61) continue;
        const inner = value(r.data, t);
        const items = tlvs(inner, 'EF.DIR');
        const a = items.find((x) => x.tag === 0x4f);
        if (!a || !bytesEqual(value(inner, a), aid)) continue;
        const p = items.find((x) => x.tag === 0x51);
        return p ? value(inner, p) : new Uint8Array();
      }
    } catch {
      continue;
    }
  }
  return undefined;
}

/** SELECT by path from the MF (P1 08, 3F00 left out), FCP read; the file's bytes by its size. */
export async function readAbsolute(ch: ApduSender, path: Uint8Array, what: string): Promise<Uint8Array> {
  const p = path.length >= 2 && path[0] === 0x3f && path[1] === 0x00 ? path.subarray(2) : path;
  const fcp = await selectFcp(ch, 0x08, p, what);
  return readBinary(ch, fcp.size, what);
}

/** A PKCS#15 path relative to the application made absolute (PKCS #15 6.1.5). */
export const absolute = (app: Uint8Array, path: Uint8Array): Uint8Array =>
  path.length >= 2 && path[0] === 0x3f && path[1] === 0x00 ? path : Uint8Array.from([...app, ...path]);

export interface DataEntry {
  oid: string;
  path: Uint8Array;
  label?: string;
}

/** Reads every entry's file and records what loads; an OID simdm does not know is skipped. */
export async function loadEntries(ch: ApduSender, app: Uint8Array, entries: DataEntry[], r: TargetResult): Promise<void> {
  const seen = new Set<string>();
  for (const e of entries) {
    const kind = kindOfOid(e.oid);
    if (!kind || seen.has(`${e.oid}:${toHex(e.path)}`)) continue;
    seen.add(`${e.oid}:${toHex(e.path)}`);
    try {
      const bytes = await readAbsolute(ch, absolute(app, e.path), `${e.label ?? e.oid} (${toHex(e.path)})`);
      r.files.push(loaded(kind, toHex(e.path), bytes));
    } catch (x) {
      if (!(x instanceof TargetRefusal)) throw x;
      r.reasons.push(x.message);
    }
  }
}

export async function mustSelectAid(ch: ApduSender): Promise<void> {
  const s = await ch.transmit({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x04, data: fromHex(PKCS15_AID), le: 256 });
  if (!ok(s.sw)) refuse(`SELECT PKCS#15 AID: ${swHex(s.sw)}`);
}
