/**
 * The EF.DIR record announcing the PKCS#15 application (ETSI TS 102 221 13.1; ISO/IEC 7816-4
 * 8.2.1.1; LwM2M Core Appendix G.1: "Application template MUST consist of Application identifier
 * (tag 0x4F) and Path (tag 0x51)"):
 *
 *   61 L { 4F L AID, 50 L label (optional), 51 L path }
 *
 * A record is padded with FF to the record length; an all-FF record is empty.
 */
import { CodecError } from '../codec/errors.js';
import { decodeBer, encodeBer, findBer } from '../codec/tlv/ber.js';

export interface DirApplication {
  aid: Uint8Array;
  label?: string;
  path?: Uint8Array;
}

/** The record; a label that does not fit is shortened (it is optional, the AID and path are not). */
export function encodeDirRecord(app: DirApplication, recordLength: number): Uint8Array {
  const items = [{ tag: 0x4f, value: app.aid }];
  if (app.path) items.push({ tag: 0x51, value: app.path });
  const fixed = encodeBer(0x61, items).length;
  if (app.label) {
    let label = new TextEncoder().encode(app.label);
    const room = recordLength - fixed - 2;
    if (label.length > room) label = label.subarray(0, Math.max(0, room));
    if (label.length) items.splice(1, 0, { tag: 0x50, value: label });
  }
  const t = encodeBer(0x61, items);
  if (t.length > recordLength)
    throw new CodecError('EF.DIR', `application template of ${t.length} bytes does not fit a ${recordLength}-byte record`, { tag: '61' });
  const out = new Uint8Array(recordLength).fill(0xff);
  out.set(t);
  return out;
}

/** The application template of a record, or undefined for an empty (FF) record. */
export function decodeDirRecord(rec: Uint8Array, recordNumber: number): DirApplication | undefined {
  if (rec.every((b) => b === 0xff || b === 0x00)) return undefined;
  const where = `EF.DIR record ${recordNumber}`;
  let tlvs;
  try {
    tlvs = decodeBer(rec);
  } catch (e) {
    throw new CodecError('EF.DIR', `${where}: ${(e as Error).message}`, { tag: '61' });
  }
  const t = findBer(tlvs, 0x61);
  if (!t) throw new CodecError('EF.DIR', `${where}: no application template (61)`, { offset: 0, tag: '61' });
  const aid = findBer(t.children, 0x4f);
  if (!aid) throw new CodecError('EF.DIR', `${where}: application template without AID (4F)`, { offset: t.offset ?? 0, tag: '4F' });
  const label = findBer(t.children, 0x50);
  const path = findBer(t.children, 0x51);
  return {
    aid: aid.value,
    ...(label ? { label: new TextDecoder().decode(label.value) } : {}),
    ...(path ? { path: path.value } : {}),
  };
}
