/**
 * Reading the bootstrap structure from a card with the fewest APDUs (OMA DM Bootstrap req.
 * 6.3.2.7; LwM2M Core Appendix G.2.5: select the PKCS#15 application, read the ODF, read the
 * DODF(s), read the bootstrap files):
 *
 *   SELECT AID (no FCP) · SELECT 5031 · READ BINARY · per DODF: SELECT · READ BINARY ·
 *   per bootstrap file: SELECT · READ BINARY (more only for files over 256 bytes)
 *
 * EF.DIR is read only when the AID cannot be selected directly, or first with `locate: 'dir'`
 * (the writer: see ReadOptions.locate). Everything found wrong is
 * reported as an issue (file, entry, offset) and reading continues with what is valid: unknown
 * OIDs, malformed DODF entries, files that do not decode.
 */
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { CodecError } from '../codec/errors.js';
import { bytesEqual, toHex } from '../util/hex.js';
import { decodeDer, parseElement } from '../codec/asn1/codec.js';
import type { DataType } from './asn1/data-type.js';
import { DataTypeType } from './asn1/data-type.js';
import { OdfEntryType } from './asn1/odf.js';
import { type TokenInfo, TokenInfoType } from './asn1/token-info.js';
import { fileInfo } from '../card/fs.js';
import { LeanCard } from '../card/lean.js';
import { fidBytes, found } from './card-io.js';
import { fidHex } from '../util/hex.js';
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
  /** details, no PKCS#15 record in EF.DIR: its first empty record, the record length and its bytes */
  dirFree?: { record: number; recordLength: number; bytes?: Uint8Array };
  /**
   * located through EF.DIR (ReadOptions.locate 'dir'), no PKCS#15 record before its first empty
   * one, and no SELECT by AID sent: the application is taken as absent, which the writer's CREATE
   * FILE of it confirms (a card refuses a DF whose FID or name exists, TS 102 222 6.3)
   */
  unprobed?: boolean;
}

export interface ReadOptions {
  /** also read EF.TokenInfo and locate the EF.DIR record (detect) */
  details?: boolean;
  /** read the bootstrap files' content (default true) */
  content?: boolean;
  /**
   * With `details`, how the application is found: 'aid' (default) SELECT by AID, then EF.DIR for
   * its record; 'dir' EF.DIR first, and the application's files by the path its record gives (no
   * SELECT by AID when the record has one; when EF.DIR has no record up to its first empty one,
   * the state says `unprobed`). The writer uses 'dir'.
   */
  locate?: 'aid' | 'dir';
  /**
   * What the caller expects (a writer comparing with its plan): files are then read with exactly
   * the bytes expected (more only when they differ), directories with one byte more (to see the
   * padding), so that an unchanged card costs no READ BINARY beyond its data.
   */
  expect?: ReadExpectation;
}

export interface ReadExpectation {
  tokenInfo?: Uint8Array;
  /** used length of EF.ODF */
  odfLength?: number;
  /** used length of the DODF `fid` */
  dodfLength?: (fid: number) => number | undefined;
  /** the content of the file with this label and OID */
  file?: (label: string | undefined, oid: string | undefined) => Uint8Array | undefined;
  /**
   * The SFI the writer gives the file `fid` (layout.ts slotSfis): such a file is first read with
   * one READ BINARY by SFI, kept only when it is exactly the bytes expected (else it is selected
   * and read again, so a file another writer gave that SFI is never taken for it).
   */
  sfi?: (fid: number) => number | undefined;
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
      out.push({
        dodf,
        form: 'opaqueDO',
        ...(common.label !== undefined ? { label: common.label } : {}),
        ...(oid ? { oid } : {}),
        path: v.value.path,
        ...(common.flags ? { flags: common.flags } : {}),
        offset: e.offset,
      });
    } else {
      const o = e.value.value.typeAttributes;
      if (o.value.kind !== 'indirect') {
        issues.push(`${name}: oidDO ${o.id} with a direct value; ignored`);
        continue;
      }
      out.push({
        dodf,
        form: 'oidDO',
        ...(common.label !== undefined ? { label: common.label } : {}),
        oid: o.id,
        path: o.value.value.path,
        ...(common.flags ? { flags: common.flags } : {}),
        offset: e.offset,
      });
    }
  }
  return out;
}

async function count(s: ApduSender): Promise<number | undefined> {
  const c = (s as unknown as { apduCount?: number }).apduCount ?? (s as unknown as { link?: { apduCount?: number } }).link?.apduCount;
  return c;
}

/**
 * Reads with an expectation: `expected` bytes exactly, then (when they differ and the file goes on)
 * the rest as `readBinary` with `enough` would; directories get one byte more to show the padding.
 */
async function readExpecting(
  io: LeanCard,
  what: string,
  expected: Uint8Array | number | undefined,
  o: { enough?: (b: Uint8Array) => boolean; max: number; secret?: boolean; directory?: boolean },
): Promise<Uint8Array> {
  const rest = (from: Uint8Array) =>
    io.readBinary(what, {
      offset: from.length,
      max: o.max - from.length,
      ...(o.secret ? { secret: true } : {}),
      ...(o.enough ? { enough: (b: Uint8Array) => o.enough!(concatTwo(from, b)) } : {}),
    });
  if (expected === undefined) return io.readBinary(what, { max: o.max, ...(o.enough ? { enough: o.enough } : {}), ...(o.secret ? { secret: true } : {}) });
  const n = typeof expected === 'number' ? expected + (o.directory ? 1 : 0) : expected.length;
  let head: Uint8Array;
  try {
    head = await io.readBinary(what, { length: Math.min(n, o.max), ...(o.secret ? { secret: true } : {}) });
  } catch (e) {
    // shorter than expected (6B00 / 6700 past the end): read it the plain way
    if (!(e instanceof SwError)) throw e;
    return io.readBinary(what, { max: o.max, ...(o.enough ? { enough: o.enough } : {}), ...(o.secret ? { secret: true } : {}) });
  }
  if (head.length < n) return head;
  if (typeof expected !== 'number') return bytesEqual(head, expected) ? head : concatTwo(head, await rest(head));
  return isPad(head[head.length - 1]!) || o.enough?.(head) ? head : concatTwo(head, await rest(head));
}

const isPad = (b: number): boolean => b === 0xff || b === 0x00;

function concatTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Finds and reads the PKCS#15 bootstrap structure. Never throws for card content; SW errors propagate. */
export async function readBootstrap(s: ApduSender, opts: ReadOptions = {}): Promise<CardState> {
  const io = LeanCard.of(s);
  const start = await count(io);
  const st: CardState = { present: false, dodfs: [], files: [], issues: [], warnings: [] };
  const aid = fromHex(PKCS15_AID);
  const x = opts.expect ?? {};
  /** the application's path from the MF when EF.DIR gave it: its files are then selected by path, no second SELECT AID */
  let appPath: Uint8Array | undefined;
  let sw = 0;
  /** EF.DIR was read already (locate 'dir') */
  const dirRead = !!opts.details && opts.locate === 'dir';
  if (dirRead) {
    const located = await locateByDir(io, st);
    if (located === 'absent') return finish(io, st, start);
    if (located instanceof Uint8Array) appPath = located;
  }
  if (appPath) st.via = 'dir';
  else if (found((sw = await io.selectAid(aid)))) st.via = 'aid';
  else {
    // not selectable by AID: look for the application template in EF.DIR (TS 102 221 13.1)
    const app = dirRead ? (st.dir?.path ? { path: fromHex(st.dir.path) } : st.dir ? {} : undefined) : await findInDir(io, st);
    if (app?.path) {
      sw = (await io.selectPath(app.path)).sw;
      if (found(sw)) {
        st.via = 'dir';
        io.enteredDf();
      }
    }
    if (!st.via) {
      st.issues.push(`PKCS#15 application ${PKCS15_AID} not found (SELECT by AID: ${swHex(sw)}${app ? '' : '; no EF.DIR entry'})`);
      return finish(io, st, start);
    }
  }
  st.present = true;
  if (opts.details && st.via === 'aid' && !dirRead) {
    const app = await findInDir(io, st);
    if (app?.path && app.path.length >= 4 && app.path[0] === 0x3f && app.path[1] === 0x00) appPath = app.path;
    else sw = await io.selectAid(aid);
  }
  /** SELECT of a file of the application: by path from the MF the first time after EF.DIR */
  const selectInApp = async (fid: number) => {
    if (!appPath) return io.selectFid(fid);
    const p = concatTwo(appPath, fidBytes(fid));
    const r = await io.selectPath(p);
    if (found(r.sw)) appPath = undefined;
    else if (st.via === 'dir' && !(await appThere(io, st, appPath))) return { sw: -1, data: new Uint8Array() };
    return r;
  };
  if (opts.details) {
    const t = await selectInApp(FID.tokenInfo);
    if (t.sw === -1) return finish(io, st, start);
    if (found(t.sw)) {
      const bytes = await readExpecting(io, 'EF.TokenInfo', x.tokenInfo, { max: 1024 });
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
  const o = await selectInApp(FID.odf);
  if (o.sw === -1) return finish(io, st, start);
  if (!found(o.sw)) {
    st.issues.push(`EF.ODF (5031) missing (${swHex(o.sw)})`);
    return finish(io, st, start);
  }
  const odfBytes = await readExpecting(io, 'EF.ODF', x.odfLength, { enough: paddingReached, max: 4096, directory: true });
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
    const sel = await io.selectPath(p);
    if (!found(sel.sw)) {
      st.issues.push(`EF.DODF ${toHex(p)} listed in EF.ODF is missing (${swHex(sel.sw)})`);
      st.dodfs.push({ fid, path: p, usedLength: 0, objects: [] });
      continue;
    }
    const bytes = await readExpecting(io, `EF.DODF ${toHex(p)}`, x.dodfLength?.(fid), { enough: paddingReached, max: 8192, directory: true });
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
    const bySfi = { ok: !!x.sfi };
    for (const f of st.files) await readFile(io, f, st, x.file?.(f.label, f.oid), x.sfi, bySfi);
  }
  return finish(io, st, start);
}

/**
 * The expected content of a file read with one READ BINARY by its SFI (no SELECT), when the
 * writer gave it one and the application is the current DF. Undefined when the card answers
 * otherwise (then no further file of this read is tried by SFI: a card written before SFIs) or
 * the bytes differ (the caller selects the file and reads it again).
 */
async function readBySfi(
  io: LeanCard,
  path: Uint8Array,
  expected: Uint8Array | undefined,
  sfiOf: ((fid: number) => number | undefined) | undefined,
  state: { ok: boolean },
  what: string,
): Promise<Uint8Array | undefined> {
  if (!expected?.length || !sfiOf || !state.ok || path.length !== 2 || io.currentDf === undefined || io.currentDf === 'MF') return undefined;
  const sfi = sfiOf((path[0]! << 8) | path[1]!);
  if (sfi === undefined) return undefined;
  try {
    // chunk by chunk: the first one that differs ends it (a changed file costs one READ BINARY more)
    for (let off = 0; off < expected.length; off += 256) {
      const want = expected.subarray(off, Math.min(off + 256, expected.length));
      const got = await io.readBinary(what, { offset: off, length: want.length, secret: true, ...(off === 0 ? { sfi } : {}) });
      if (!bytesEqual(got, want)) return undefined;
    }
    return expected.slice();
  } catch (e) {
    if (!(e instanceof SwError)) throw e;
    state.ok = false;
    return undefined;
  }
}

/** Reads and decodes one bootstrap file (selected by its path, relative to the application). */
async function readFile(
  io: LeanCard,
  f: CardBootstrapFile,
  st: CardState,
  expected: Uint8Array | undefined,
  sfiOf?: (fid: number) => number | undefined,
  sfiState: { ok: boolean } = { ok: false },
): Promise<void> {
  const info = KINDS[f.kind!];
  const quick = await readBySfi(io, fromHex(f.path), expected, sfiOf, sfiState, `${info.label} (${f.path})`);
  if (quick) {
    f.bytes = quick;
    return decodeFile(f, st, info);
  }
  const sel = await io.selectPath(fromHex(f.path));
  if (!found(sel.sw)) {
    f.error = `file ${f.path} (${f.label ?? info.label}) listed in DODF ${fidHex(f.dodf)} is missing (${swHex(sel.sw)})`;
    st.issues.push(f.error);
    return;
  }
  const enough = info.format === 'lwm2m' ? (b: Uint8Array) => b.length >= 4 && b.length >= 4 + ((b[2]! << 8) | b[3]!) : paddingReached;
  try {
    f.bytes = await readExpecting(io, `${info.label} (${f.path})`, expected, { enough, max: 0x8000, secret: true });
  } catch (e) {
    if (!(e instanceof SwError)) throw e;
    f.error = `${info.label} (${f.path}): ${e.message}`;
    st.issues.push(f.error);
    return;
  }
  decodeFile(f, st, info);
}

function decodeFile(f: CardBootstrapFile, st: CardState, info: (typeof KINDS)[BootstrapKind]): void {
  try {
    f.content = decodeContent(info.format, f.bytes!, `${f.label ?? info.label} (${f.path})`);
    st.issues.push(...f.content.issues);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    f.error = `${f.label ?? info.label} (${f.path}): ${e.message}`;
    st.issues.push(f.error);
  }
}

/**
 * Finds the PKCS#15 application template in EF.DIR (selected from the MF with its FCP, which
 * gives the record length and count: every READ RECORD exact, none past the last); records where
 * it is, or the first empty record when it is not there.
 */
async function findInDir(io: LeanCard, st: CardState, stopAtFree = false): Promise<{ path?: Uint8Array } | undefined> {
  const sel = await io.selectPath(Uint8Array.of(0x3f, 0x00, FID.dir >> 8, FID.dir & 0xff), true);
  if (!found(sel.sw)) return undefined;
  let rl: number | undefined;
  let n = 254;
  try {
    const info = fileInfo('EF.DIR', { fid: FID.dir }, sel.data);
    rl = info.recordLength;
    n = info.recordCount ?? n;
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
  const aid = fromHex(PKCS15_AID);
  for (let i = 1; i <= n; i++) {
    const r = await io.readRecord(i, rl);
    if (r.sw !== 0x9000) break;
    try {
      const app = decodeDirRecord(r.data, i);
      if (!app) {
        st.dirFree ??= { record: i, recordLength: r.data.length, bytes: r.data };
        if (stopAtFree) return undefined;
        continue;
      }
      if (bytesEqual(app.aid, aid)) {
        st.dir = { record: i, ...(app.path ? { path: toHex(app.path) } : {}) };
        delete st.dirFree;
        return app.path ? { path: app.path } : {};
      }
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      st.issues.push(e.message);
    }
  }
  return undefined;
}

/**
 * ReadOptions.locate 'dir': EF.DIR read up to the PKCS#15 record or its first empty record.
 * Returns the application's path from the MF (its files are selected by path from it), 'aid' when
 * it has to be selected by AID (a record without a path from the MF, no EF.DIR, no empty record),
 * or 'absent' (no record before the first empty one: `unprobed`, nothing more sent).
 */
async function locateByDir(io: LeanCard, st: CardState): Promise<Uint8Array | 'aid' | 'absent'> {
  const app = await findInDir(io, st, true);
  if (app?.path && app.path.length >= 4 && app.path[0] === 0x3f && app.path[1] === 0x00) return app.path;
  if (app || !st.dirFree) return 'aid';
  st.unprobed = true;
  st.issues.push(`PKCS#15 application ${PKCS15_AID} not listed in EF.DIR before its first empty record (${st.dirFree.record})`);
  return 'absent';
}

/**
 * A file of the application located through EF.DIR was not found by its path: whether the
 * application itself is there (then it is the current DF); when it is not, the state says so.
 */
async function appThere(io: LeanCard, st: CardState, appPath: Uint8Array): Promise<boolean> {
  const r = await io.selectPath(appPath);
  if (found(r.sw)) {
    io.enteredDf();
    return true;
  }
  st.present = false;
  delete st.via;
  st.issues.push(`PKCS#15 application ${PKCS15_AID} listed in EF.DIR at ${toHex(appPath)} is missing (${swHex(r.sw)})`);
  return false;
}

async function finish(s: ApduSender, st: CardState, start: number | undefined): Promise<CardState> {
  const end = await count(s);
  if (start !== undefined && end !== undefined) st.apdus = end - start;
  return st;
}
