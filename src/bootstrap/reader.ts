/**
 * Reading the bootstrap structure from a card with the fewest APDUs (OMA DM Bootstrap req.
 * 6.3.2.7; LwM2M Core Appendix G.2.5: select the PKCS#15 application, read the ODF, read the
 * DODF(s), read the bootstrap files):
 *
 *   SELECT AID (no FCP) · SELECT 5031 · READ BINARY · per DODF: SELECT · READ BINARY ·
 *   per bootstrap file: SELECT · READ BINARY (more only for files over 256 bytes)
 *
 * EF.DIR is read only when the AID cannot be selected directly. Everything found wrong is
 * reported as an issue (file, entry, offset) and reading continues with what is valid: unknown
 * OIDs, malformed DODF entries, files that do not decode.
 */
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { CodecError } from '../codec/errors.js';
import { bytesEqual, toHex } from '../util/hex.js';
import { decodeDer, parseElement } from './asn1/codec.js';
import type { DataType } from './asn1/data-type.js';
import { DataTypeType } from './asn1/data-type.js';
import { OdfEntryType } from './asn1/odf.js';
import { type TokenInfo, TokenInfoType } from './asn1/token-info.js';
import { fidHex, found, readToEnd, selectAid, selectFid, selectPath } from './card-io.js';
import { decodeContent, type DecodedContent } from './content/index.js';
import { decodeDirRecord } from './dir-record.js';
import { parseDirectory } from './directory.js';
import { type BootstrapKind, FID, KINDS, kindOfOid, PKCS15_AID } from './oids.js';
import { fromHex } from '../util/hex.js';

export interface CardDataObject {
  /** FID of the DODF holding the entry */
  dodf: number;
  form: 'opaqueDO' | 'oidDO';
  label?: string;
  oid?: string;
  path: Uint8Array;
  flags?: number[];
  offset: number;
}

export interface CardBootstrapFile {
  /** path as hex (PKCS#15 Path.efidOrPath) */
  path: string;
  kind?: BootstrapKind;
  oid?: string;
  label?: string;
  dodf: number;
  objects: CardDataObject[];
  bytes?: Uint8Array;
  content?: DecodedContent;
  error?: string;
}

export interface CardDodf {
  fid: number;
  path: Uint8Array;
  bytes?: Uint8Array;
  usedLength: number;
  objects: CardDataObject[];
  /** an Open Mobile API searchOID index (first TLV A7, plan.ts omapiDodf): not PKCS#15 entries */
  omapi?: boolean;
}

export interface CardState {
  present: boolean;
  /** how the application was found */
  via?: 'aid' | 'dir';
  odf?: { bytes: Uint8Array; usedLength: number; dodfPaths: Uint8Array[] };
  dodfs: CardDodf[];
  files: CardBootstrapFile[];
  tokenInfo?: TokenInfo;
  dir?: { record: number; path?: string };
  issues: string[];
  warnings: string[];
  /** C-APDUs the read took (when the sender counts) */
  apdus?: number;
}

export interface ReadOptions {
  /** also read EF.TokenInfo and locate the EF.DIR record (detect) */
  details?: boolean;
  /** read the bootstrap files' content (default true) */
  content?: boolean;
}

/** A full chunk ending in FF FF: the data ended inside it (the rest is padding). */
const paddingReached = (b: Uint8Array): boolean => b.length >= 2 && b[b.length - 1] === 0xff && b[b.length - 2] === 0xff;

function isPaddingOnly(b: Uint8Array): boolean {
  return b.every((x) => x === 0xff || x === 0x00);
}

/** Data objects of one DODF, from both DataType forms; other entries become issues. */
function objectsOf(entries: { value: DataType; offset: number }[], dodf: number, issues: string[]): CardDataObject[] {
  const out: CardDataObject[] = [];
  for (const e of entries) {
    const name = `DODF ${fidHex(dodf)} entry at offset ${e.offset}`;
    if (e.value.kind === 'externalIDO') {
      issues.push(`${name}: externalIDO entry not used for bootstrap; ignored`);
      continue;
    }
    const d = e.value.value;
    const common = d.commonObjectAttributes;
    if (e.value.kind === 'opaqueDO') {
      const v = e.value.value.typeAttributes;
      if (v.kind !== 'indirect') {
        issues.push(`${name}: opaque data object held directly in the DODF; ignored`);
        continue;
      }
      const oid = e.value.value.classAttributes.applicationOID;
      out.push({ dodf, form: 'opaqueDO', ...(common.label !== undefined ? { label: common.label } : {}), ...(oid ? { oid } : {}), path: v.value.path, ...(common.flags ? { flags: common.flags } : {}), offset: e.offset });
    } else {
      const o = e.value.value.typeAttributes;
      if (o.value.kind !== 'indirect') {
        issues.push(`${name}: oidDO ${o.id} with a direct value; ignored`);
        continue;
      }
      out.push({ dodf, form: 'oidDO', ...(common.label !== undefined ? { label: common.label } : {}), oid: o.id, path: o.value.value.path, ...(common.flags ? { flags: common.flags } : {}), offset: e.offset });
    }
  }
  return out;
}

async function count(s: ApduSender): Promise<number | undefined> {
  const c = (s as unknown as { apduCount?: number }).apduCount ?? (s as unknown as { link?: { apduCount?: number } }).link?.apduCount;
  return c;
}

/** Finds and reads the PKCS#15 bootstrap structure. Never throws for card content; SW errors propagate. */
export async function readBootstrap(s: ApduSender, opts: ReadOptions = {}): Promise<CardState> {
  const start = await count(s);
  const st: CardState = { present: false, dodfs: [], files: [], issues: [], warnings: [] };
  const aid = fromHex(PKCS15_AID);
  let sw = await selectAid(s, aid);
  if (found(sw)) st.via = 'aid';
  else {
    // not selectable by AID: look for the application template in EF.DIR (TS 102 221 13.1)
    const app = await findInDir(s, st);
    if (app?.path) {
      sw = (await selectPath(s, app.path)).sw;
      if (found(sw)) st.via = 'dir';
    }
    if (!st.via) {
      st.issues.push(`PKCS#15 application ${PKCS15_AID} not found (SELECT by AID: ${swHex(sw)}${app ? '' : '; no EF.DIR entry'})`);
      return finish(s, st, start);
    }
  }
  st.present = true;
  if (opts.details && st.via === 'aid') {
    await findInDir(s, st);
    sw = await selectAid(s, aid);
  }
  if (opts.details) {
    const t = await selectFid(s, FID.tokenInfo);
    if (found(t.sw)) {
      const bytes = await readToEnd(s, 'EF.TokenInfo', undefined, 1024);
      try {
        const { length } = parseElement(bytes, 0, 'EF.TokenInfo');
        st.tokenInfo = decodeDer(TokenInfoType, bytes.subarray(0, length), 'EF.TokenInfo', { warnings: st.warnings });
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        st.issues.push(e.message);
      }
    } else st.issues.push(`EF.TokenInfo (5032) missing (${swHex(t.sw)})`);
  }
  // EF.ODF
  const o = await selectFid(s, FID.odf);
  if (!found(o.sw)) {
    st.issues.push(`EF.ODF (5031) missing (${swHex(o.sw)})`);
    return finish(s, st, start);
  }
  const odfBytes = await readToEnd(s, 'EF.ODF', paddingReached, 4096);
  const odf = parseDirectory(odfBytes, OdfEntryType, 'EF.ODF');
  st.issues.push(...odf.issues);
  st.warnings.push(...odf.warnings);
  const dodfPaths: Uint8Array[] = [];
  for (const e of odf.entries) {
    if (e.value.kind !== 'dataObjects') continue;
    if (e.value.value.kind !== 'path') {
      st.issues.push(`EF.ODF entry at offset ${e.offset}: data objects held in the ODF itself; ignored`);
      continue;
    }
    dodfPaths.push(e.value.value.value.path);
  }
  st.odf = { bytes: odfBytes, usedLength: odf.usedLength, dodfPaths };
  if (!dodfPaths.length) {
    if (isPaddingOnly(odfBytes)) st.issues.push('EF.ODF is empty: no bootstrap data objects');
    else st.issues.push('EF.ODF lists no DODF');
  }
  // EF.DODF(s)
  for (const p of dodfPaths) {
    const fid = p.length >= 2 ? (p[p.length - 2]! << 8) | p[p.length - 1]! : 0;
    const sel = await selectPath(s, p);
    if (!found(sel.sw)) {
      st.issues.push(`EF.DODF ${toHex(p)} listed in EF.ODF is missing (${swHex(sel.sw)})`);
      st.dodfs.push({ fid, path: p, usedLength: 0, objects: [] });
      continue;
    }
    const bytes = await readToEnd(s, `EF.DODF ${toHex(p)}`, paddingReached, 8192);
    if (bytes[0] === 0xa7) {
      // simdm's layout option for the Open Mobile API (layout.ts): it repeats the oidDOs' paths
      let usedLength = 0;
      try {
        usedLength = parseElement(bytes, 0, `EF.DODF ${fidHex(fid)}`).length;
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        st.issues.push(e.message);
      }
      st.dodfs.push({ fid, path: p, bytes, usedLength, objects: [], omapi: true });
      continue;
    }
    const d = parseDirectory(bytes, DataTypeType, `EF.DODF ${fidHex(fid)}`);
    st.issues.push(...d.issues);
    st.warnings.push(...d.warnings);
    st.dodfs.push({ fid, path: p, bytes, usedLength: d.usedLength, objects: objectsOf(d.entries, fid, st.issues) });
  }
  // group data objects by file path
  const byPath = new Map<string, CardBootstrapFile>();
  for (const d of st.dodfs) {
    for (const obj of d.objects) {
      const key = `${fidHex(d.fid)}:${toHex(obj.path)}`;
      let f = byPath.get(key);
      if (!f) {
        f = { path: toHex(obj.path), dodf: d.fid, objects: [] };
        byPath.set(key, f);
      }
      f.objects.push(obj);
    }
  }
  for (const f of byPath.values()) {
    const oids = [...new Set(f.objects.map((x) => x.oid).filter((x): x is string => !!x))];
    if (oids.length > 1) st.issues.push(`file ${f.path}: DODF entries disagree on the OID (${oids.join(', ')}); using ${oids[0]}`);
    f.oid = oids[0];
    f.label = f.objects.find((x) => x.label)?.label;
    f.kind = f.oid ? kindOfOid(f.oid) : undefined;
    if (!f.kind) {
      st.issues.push(`file ${f.path} (${f.label ?? 'no label'}): ${f.oid ? `unknown OID ${f.oid}` : 'no OID'}; not a bootstrap file simdm knows, skipped`);
      continue;
    }
    st.files.push(f);
  }
  if (opts.content !== false) {
    for (const f of st.files) await readFile(s, f, st);
  }
  return finish(s, st, start);
}

/** Reads and decodes one bootstrap file (selected by its path, relative to the application). */
async function readFile(s: ApduSender, f: CardBootstrapFile, st: CardState): Promise<void> {
  const info = KINDS[f.kind!];
  const sel = await selectPath(s, fromHex(f.path));
  if (!found(sel.sw)) {
    f.error = `file ${f.path} (${f.label ?? info.label}) listed in DODF ${fidHex(f.dodf)} is missing (${swHex(sel.sw)})`;
    st.issues.push(f.error);
    return;
  }
  const enough =
    info.format === 'lwm2m'
      ? (b: Uint8Array) => b.length >= 4 && b.length >= 4 + ((b[2]! << 8) | b[3]!)
      : paddingReached;
  try {
    f.bytes = await readToEnd(s, `${info.label} (${f.path})`, enough, 0x8000, true);
  } catch (e) {
    if (!(e instanceof SwError)) throw e;
    f.error = `${info.label} (${f.path}): ${e.message}`;
    st.issues.push(f.error);
    return;
  }
  try {
    f.content = decodeContent(info.format, f.bytes, `${f.label ?? info.label} (${f.path})`);
    st.issues.push(...f.content.issues);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    f.error = `${f.label ?? info.label} (${f.path}): ${e.message}`;
    st.issues.push(f.error);
  }
}

/** Finds the PKCS#15 application template in EF.DIR; records where it is. */
async function findInDir(s: ApduSender, st: CardState): Promise<{ path?: Uint8Array } | undefined> {
  const mf = await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) });
  if (!found(mf.sw)) return undefined;
  const sel = await selectFid(s, FID.dir);
  if (!found(sel.sw)) return undefined;
  const aid = fromHex(PKCS15_AID);
  for (let n = 1; n <= 254; n++) {
    const r = await s.transmit({ cla: 0x00, ins: 0xb2, p1: n, p2: 0x04, le: 256 });
    if (r.sw !== 0x9000) break;
    try {
      const app = decodeDirRecord(r.data, n);
      if (app && bytesEqual(app.aid, aid)) {
        st.dir = { record: n, ...(app.path ? { path: toHex(app.path) } : {}) };
        return app.path ? { path: app.path } : {};
      }
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      st.issues.push(e.message);
    }
  }
  return undefined;
}

async function finish(s: ApduSender, st: CardState, start: number | undefined): Promise<CardState> {
  const end = await count(s);
  if (start !== undefined && end !== undefined) st.apdus = end - start;
  return st;
}
