/**
 * The card file system over one logical channel: SELECT by name, path, FID, AID (ETSI TS 102 221
 * 11.1.1, 8.4), the FCP decoded (11.1.1.3), READ/UPDATE BINARY (11.1.3/11.1.4) in chunks, READ/
 * UPDATE RECORD (11.1.5/11.1.6). Paths are typed the way the standards name files:
 *
 *   'MF/ADF.USIM/EF.IMSI'  '3F00/7FFF/6F07'  'ADF.USIM/EF.SPN'  'EF.DIR'  '2F00'  'AID:A0000000871002'
 *   '..' (parent of the current DF)
 *
 * Selection takes the fewest APDUs it can: one SELECT by FID inside the current DF, one SELECT by
 * path from the MF (P1=08, with 7FFF for the current ADF) elsewhere, SELECT by AID for an ADF.
 * Card status words become errors that say what to do ("verify PIN1 first").
 */
import type { ApduSender } from '../apdu/link.js';
import type { CommandApdu } from '../apdu/command.js';
import type { ResponseApdu } from '../apdu/response.js';
import { SwError } from '../apdu/sw.js';
import { CodecError } from '../codec/errors.js';
import { decodeBer } from '../codec/tlv/ber.js';
import { decodeFcp, effectiveSfi, type Fcp } from '../codec/tlv/fcp.js';
import { fromHex, hexNum, toHex } from '../util/hex.js';
import { accessFromCompact, accessFromExpanded, expandedBytes, hintFor, type AccessMap, type AccessOp } from './access.js';
import { type Catalogue, type CatalogueEntry, standardCatalogue } from './catalogue.js';
import { CardFsError, FileNotFoundError } from './errors.js';

export type FileType = 'MF' | 'DF' | 'ADF' | 'EF';
export type Structure = 'transparent' | 'linear-fixed' | 'cyclic' | 'ber-tlv';

export interface FileInfo {
  /** canonical path, names where known: 'MF/ADF.USIM/EF.IMSI' */
  path: string;
  fid: number;
  /** catalogue name, e.g. 'EF.IMSI' */
  name?: string;
  type: FileType;
  structure?: Structure;
  /** EF body size in bytes (transparent) or recordLength * recordCount */
  size?: number;
  recordLength?: number;
  recordCount?: number;
  /** the SFI the EF answers to; null = none */
  sfi?: number | null;
  /** DF name (ADFs) */
  aid?: Uint8Array;
  /** life cycle state, e.g. 'operational activated' */
  lcs?: string;
  /** who may do what, from the security attributes ('PIN1', 'ADM1', 'ALW', 'NEV', 'PIN1|ADM1') */
  access?: AccessMap;
  /** referenced security attributes (8B): EF.ARR FID and record, resolved by accessOf() */
  arrRef?: { fid: number; record: number };
  /** the decoded FCP; undefined if the card's FCP does not decode */
  fcp: Fcp | undefined;
  /** the FCP bytes as the card sent them */
  fcpRaw: Uint8Array;
  /** the catalogue entry, if the file is a standard one */
  entry?: CatalogueEntry;
}

export interface CardFsOptions {
  catalogue?: Catalogue;
  /** largest READ/UPDATE BINARY chunk (default 255; up to 65535 with extended length) */
  maxChunk?: number;
  /**
   * Lean mode, for callers that count APDUs (perso): SELECT without FCP (P2 = 0C, TS 102 221
   * 11.1.1.2) wherever the catalogue already knows what the FCP would say: an ADF or DF, or a
   * transparent EF of a size its spec fixes. Under T=0 every FCP costs a GET RESPONSE.
   */
  lean?: boolean;
}

/** One step of a resolved path. */
interface Seg {
  fid: number;
  label: string;
  entry?: CatalogueEntry;
  /** ADFs: the AID (full or partial) to SELECT by */
  aid?: Uint8Array;
}

export interface AppInfo {
  aid: Uint8Array;
  label?: string;
  /** catalogue name, e.g. 'ADF.USIM' */
  name?: string;
}

export class CardFs {
  readonly catalogue: Catalogue;
  private readonly maxChunk: number;
  private readonly lean: boolean;
  private cur: FileInfo | undefined;
  /** segments of the current file (DF or EF) */
  private curSegs: Seg[] = [];
  private appCache: AppInfo[] | undefined;
  /** EF.DIR's records as applications() read them (a dump reads EF.DIR again: no second READ) */
  private dirCache: Uint8Array[] | undefined;

  constructor(
    readonly sender: ApduSender,
    opts: CardFsOptions = {},
  ) {
    this.catalogue = opts.catalogue ?? standardCatalogue();
    this.maxChunk = Math.max(1, Math.min(opts.maxChunk ?? 255, 65535));
    this.lean = !!opts.lean;
  }

  /** The file selected last (undefined before the first SELECT or after a failed one). */
  get current(): FileInfo | undefined {
    return this.cur;
  }

  /** APDU counter of the link after this CardFs's last exchange (-1: unknown). */
  private seen = -1;

  private linkCount(): number | undefined {
    const s = this.sender as ApduSender & { apduCount?: unknown; link?: { apduCount?: unknown } };
    const n = typeof s.apduCount === 'number' ? s.apduCount : typeof s.link?.apduCount === 'number' ? s.link.apduCount : undefined;
    return n;
  }

  /** Every APDU of this class goes here, so it can tell when someone else used the link since. */
  private async tx(cmd: CommandApdu): Promise<ResponseApdu> {
    try {
      return await this.sender.transmit(cmd);
    } finally {
      this.seen = this.linkCount() ?? -1;
    }
  }

  /**
   * The selection is only trusted when no other APDU went over the link since ours (a VERIFY, a
   * raw command, a reset): otherwise the card's current file may differ, and a write could land
   * in the wrong file.
   */
  private trustSelection(): void {
    const n = this.linkCount();
    if (n === undefined || n !== this.seen) this.invalidate();
  }

  /** Forget what is selected (after a reset, or when another party used the channel). */
  invalidate(): void {
    this.cur = undefined;
    this.curSegs = [];
  }

  /** Forget the cached EF.DIR too (after a reset or a card swap). */
  reset(): void {
    this.invalidate();
    this.appCache = undefined;
    this.dirCache = undefined;
  }

  // ---- applications (EF.DIR, TS 102 221 13.1) -------------------------------------------

  /** The applications listed in EF.DIR (read once, cached). */
  async applications(): Promise<AppInfo[]> {
    if (this.appCache) return this.appCache;
    const out: AppInfo[] = [];
    try {
      const recs = this.dirCache ?? (await this.readRecords('MF/EF.DIR'));
      for (const rec of recs) {
        const app = parseDirRecord(rec);
        if (!app) continue;
        const e = this.catalogue.adfByAid(toHex(app.aid));
        out.push(e ? { ...app, name: e.name } : app);
      }
    } catch (e) {
      if (!(e instanceof SwError) && !(e instanceof FileNotFoundError) && !(e instanceof CodecError)) throw e;
    }
    this.appCache = out;
    return out;
  }

  // ---- SELECT ----------------------------------------------------------------------------

  async select(path: string): Promise<FileInfo> {
    const segs = await this.resolve(path);
    try {
      return await this.selectSegs(segs, path);
    } catch (e) {
      // a bare name the catalogue knows in several places: try the others (a 2G SIM has DF.GSM/EF.IMSI only)
      if (!(e instanceof FileNotFoundError) || path.includes('/')) throw e;
      // a bare FID not under the current DF: the MF's file of that FID (EF.DIR '2F00' from inside an ADF)
      if (/^[0-9A-Fa-f]{4}$/.test(path.trim())) {
        const mfPath = `MF/${path.trim()}`;
        if ((await this.resolve(mfPath)).length > 1) {
          try {
            return await this.selectSegs(await this.resolve(mfPath), path);
          } catch (e2) {
            if (!(e2 instanceof FileNotFoundError)) throw e2;
          }
        }
        throw e;
      }
      const hits = this.catalogue.byName(path.trim());
      for (const h of hits.slice(1)) {
        try {
          return await this.selectSegs(await this.segsOfEntry(h), path);
        } catch (e2) {
          if (!(e2 instanceof FileNotFoundError)) throw e2;
        }
      }
      throw e;
    }
  }

  async selectAid(aid: Uint8Array): Promise<FileInfo> {
    return this.select(`AID:${toHex(aid)}`);
  }

  /** Parses `path` into segments, using the catalogue for names and EF.DIR for ADF names. */
  private async resolve(path: string): Promise<Seg[]> {
    const raw = path.trim();
    if (!raw) throw new CardFsError('path', 'empty path');
    const parts = raw.split('/').filter((p) => p.length > 0);
    let segs: Seg[];
    let i = 0;
    const root = this.catalogue.root;
    const mfSeg: Seg = { fid: 0x3f00, label: 'MF', entry: root };
    const first = parts[0]!;
    const up = first.toUpperCase();
    if (up === 'MF' || up === '3F00') {
      segs = [mfSeg];
      i = 1;
    } else if (up.startsWith('AID:') || up.startsWith('ADF.') || up === '7FFF') {
      segs = [mfSeg];
    } else if (first === '..' || first === '.') {
      segs = this.curDfSegs();
    } else {
      // relative to the current DF if it names a child there, else a unique catalogue name
      const base = this.curDfSegs();
      const parent = base[base.length - 1]!;
      const isFid = /^[0-9A-Fa-f]{4}$/.test(first);
      const inCurrent = parent.entry && this.catalogue.child(parent.entry, isFid ? parseInt(first, 16) : first);
      if (inCurrent || isFid) segs = base;
      else {
        const hits = this.catalogue.byName(first);
        const pick = hits.find((h) => h.parent === parent.entry) ?? hits[0];
        if (!pick) throw new FileNotFoundError(`'${path}'`, this.catalogue.suggest(first));
        segs = await this.segsOfEntry(pick.parent!);
      }
    }
    for (; i < parts.length; i++) {
      const p = parts[i]!;
      const u = p.toUpperCase();
      if (p === '.') continue;
      if (p === '..') {
        if (segs.length > 1) segs = segs.slice(0, -1);
        continue;
      }
      if (u === 'MF' || u === '3F00') {
        if (i === 0 || segs.length === 1) {
          segs = [mfSeg];
          continue;
        }
      }
      if (u.startsWith('AID:')) {
        const aid = fromHex(p.slice(4), 'AID');
        if (aid.length < 5 || aid.length > 16) throw new CardFsError('path', `AID of ${aid.length} bytes in '${path}' (5..16 expected)`);
        const e = this.catalogue.adfByAid(toHex(aid));
        segs = [mfSeg, { fid: 0x7fff, label: e?.name ?? `AID:${toHex(aid)}`, aid, ...(e ? { entry: e } : {}) }];
        continue;
      }
      if (u === '7FFF') {
        segs = [mfSeg, await this.currentAdfSeg(path)];
        continue;
      }
      const parent = segs[segs.length - 1]!;
      if (parent.entry && !parent.entry.children.length && parent.entry.kind === 'EF') {
        throw new CardFsError('path', `'${path}': ${parent.label} is an EF, it has no files under it`);
      }
      if (/^[0-9A-Fa-f]{4}$/.test(p)) {
        const fid = parseInt(p, 16);
        const e = parent.entry ? this.catalogue.child(parent.entry, fid) : undefined;
        segs = [...segs, { fid, label: e?.name ?? u, ...(e ? { entry: e } : {}) }];
        continue;
      }
      const e = parent.entry ? this.catalogue.child(parent.entry, p) : undefined;
      if (!e) {
        const near = parent.entry ? this.catalogue.suggest(p, 3, parent.entry) : [];
        const global = this.catalogue.suggest(p);
        const sugg = [...new Set([...near, ...global])].slice(0, 4);
        throw new FileNotFoundError(
          `'${path}'`,
          sugg,
          parent.entry ? `no ${p} in ${parent.label}` : `${parent.label} is not in the catalogue: use FIDs below it`,
        );
      }
      if (e.kind === 'ADF') {
        segs = [mfSeg, await this.adfSeg(e)];
        continue;
      }
      segs = [...segs, { fid: e.fid, label: e.name, entry: e }];
    }
    return segs;
  }

  private async segsOfEntry(e: CatalogueEntry): Promise<Seg[]> {
    const chain: CatalogueEntry[] = [];
    for (let x: CatalogueEntry | undefined = e; x; x = x.parent) chain.unshift(x);
    const out: Seg[] = [];
    for (const c of chain) {
      if (c.kind === 'ADF') out.push(await this.adfSeg(c));
      else out.push({ fid: c.fid, label: c.name, entry: c });
    }
    return out;
  }

  /** ADF segment for a catalogue ADF: its AID from EF.DIR, or the catalogue prefix as a partial AID. */
  private async adfSeg(e: CatalogueEntry): Promise<Seg> {
    const cur = this.curSegs[1];
    if (cur?.entry === e && cur.aid) return cur;
    const apps = await this.applications();
    const app = apps.find((a) => e.aid && toHex(a.aid).startsWith(e.aid));
    return { fid: 0x7fff, label: e.name, entry: e, aid: app ? app.aid : fromHex(e.aid ?? '') };
  }

  private async currentAdfSeg(path: string): Promise<Seg> {
    const cur = this.curSegs[1];
    if (cur?.aid) return cur;
    const apps = await this.applications();
    const first = apps[0];
    if (!first) throw new FileNotFoundError(`'${path}'`, [], 'no application selected and none listed in EF.DIR for 7FFF');
    const e = this.catalogue.adfByAid(toHex(first.aid));
    return { fid: 0x7fff, label: e?.name ?? `AID:${toHex(first.aid)}`, aid: first.aid, ...(e ? { entry: e } : {}) };
  }

  /** Segments of the current DF (the parent of the current EF); the MF if nothing is selected. */
  private curDfSegs(): Seg[] {
    if (!this.cur || this.curSegs.length === 0) return [{ fid: 0x3f00, label: 'MF', entry: this.catalogue.root }];
    return this.cur.type === 'EF' ? this.curSegs.slice(0, -1) : this.curSegs;
  }

  private async selectSegs(segs: Seg[], asked: string): Promise<FileInfo> {
    this.trustSelection();
    const target = segs[segs.length - 1]!;
    const path = segs.map((s) => s.label).join('/');
    if (this.cur && this.cur.path === path) return this.cur;
    const curDf = this.curDfSegs();
    const sameDf = this.cur !== undefined && segs.length === curDf.length + 1 && sameSegs(segs.slice(0, -1), curDf);
    let fcp: Uint8Array;
    const known = this.lean ? knownInfo(path, target) : undefined;
    const p2 = known ? 0x0c : 0x04;
    try {
      if (target.aid) {
        fcp = await this.selectApdu(0x04, target.aid, asked, p2);
      } else if (segs.length === 1) {
        fcp = await this.selectApdu(0x00, Uint8Array.of(0x3f, 0x00), asked, p2);
      } else if (sameDf) {
        fcp = await this.selectApdu(0x00, fidBytes([target.fid]), asked, p2);
      } else {
        const adfAt = segs.findIndex((s) => s.aid);
        if (adfAt >= 0) {
          const inAdf = this.curSegs.length > adfAt && sameSegs(this.curSegs.slice(0, adfAt + 1), segs.slice(0, adfAt + 1));
          // the ADF first (its FileInfo becomes current, so a failure after it leaves a true state)
          if (!inAdf) await this.selectSegs(segs.slice(0, adfAt + 1), asked);
          fcp = await this.selectApdu(0x08, fidBytes([0x7fff, ...segs.slice(adfAt + 1).map((s) => s.fid)]), asked, p2);
        } else {
          fcp = await this.selectApdu(0x08, fidBytes(segs.slice(1).map((s) => s.fid)), asked, p2);
        }
      }
    } catch (e) {
      // an unsuccessful SELECT leaves the current file as it was (ISO 7816-4 7.1.1); anything else: unknown
      const notFound = e instanceof SwError && (e.sw === 0x6a82 || e.sw === 0x6a88);
      if (!notFound && !(e instanceof FileNotFoundError)) this.invalidate();
      if (notFound) {
        const last = target.entry ? target.entry.name : target.label;
        throw new FileNotFoundError(`'${asked}'`, target.entry ? [] : this.catalogue.suggest(last), `the card has no ${path}`);
      }
      throw e;
    }
    const info = known ?? fileInfo(path, target, fcp);
    if (!target.aid && segs.length > 1 && info.fcp?.fileId !== undefined && info.fid !== target.fid) {
      // SELECT by FID can reach a file of the parent DF (TS 102 221 8.4.1): not the one asked for
      this.invalidate();
      throw new FileNotFoundError(`'${asked}'`, [], `the card answered with ${hexNum(info.fid, 4)} instead of ${hexNum(target.fid, 4)}`);
    }
    this.cur = info;
    this.curSegs = segs.map((s, i) => (i === segs.length - 1 && info.aid ? { ...s, aid: info.aid } : s));
    return info;
  }

  private async selectApdu(p1: number, data: Uint8Array, asked: string, p2 = 0x04): Promise<Uint8Array> {
    // P2=04: return the FCP template; 0C: no data (TS 102 221 11.1.1.2)
    const cmd: CommandApdu = { cla: 0x00, ins: 0xa4, p1, p2, data, ...(p2 === 0x04 ? { le: 256 } : {}) };
    const r = await this.tx(cmd);
    if (r.sw === 0x9000 || r.sw === 0x6283 || r.sw >> 8 === 0x91 || r.sw >> 8 === 0x92) return r.data;
    throw new SwError(r.sw, `SELECT ${asked}`);
  }

  // ---- READ / UPDATE BINARY ------------------------------------------------------------

  /** Selects `path` (if given) and checks it is an EF of the wanted kind. */
  private async ef(path: string | undefined, kind: 'binary' | 'record'): Promise<FileInfo> {
    // no path: the current EF, selected again if another party used the link since
    const f = path === undefined ? (this.cur ? await this.select(this.cur.path) : undefined) : await this.select(path);
    if (!f) throw new CardFsError('no-ef', 'no file selected: give a path');
    if (f.type !== 'EF') throw new CardFsError('not-ef', `${f.path} is a ${f.type}, not an EF`);
    const isRecord = f.structure === 'linear-fixed' || f.structure === 'cyclic';
    if (kind === 'binary' && isRecord) throw new CardFsError('structure', `${f.path} is a ${f.structure} EF: read it by record`);
    if (kind === 'record' && !isRecord) throw new CardFsError('structure', `${f.path} is a ${f.structure ?? 'non-record'} EF, not a record EF`);
    return f;
  }

  async readBinary(path?: string, offset = 0, length?: number): Promise<Uint8Array> {
    const f = await this.ef(path, 'binary');
    const size = f.size;
    if (offset < 0 || !Number.isInteger(offset)) throw new CardFsError('range', `${f.path}: offset ${offset}`);
    if (size !== undefined && offset > size) throw new CardFsError('range', `${f.path}: offset ${offset} is past the end of the file (${size} bytes)`);
    const total = length ?? (size !== undefined ? size - offset : undefined);
    if (total !== undefined && size !== undefined && offset + total > size) {
      throw new CardFsError('range', `${f.path}: ${total} bytes at offset ${offset} go past the end of the file (${size} bytes)`);
    }
    const out: number[] = [];
    let o = offset;
    for (;;) {
      // beyond offset 32767 the data come wrapped in DO '53' (up to 4 header bytes): keep Le <= 256
      const chunk = o > 0x7fff ? Math.min(this.maxChunk, 252) : this.maxChunk;
      const want = total === undefined ? chunk : Math.min(chunk, offset + total - o);
      if (want <= 0) break;
      const cmd = binaryCmd(0xb0, o, undefined, want);
      const r = await this.tx(cmd);
      if (r.sw === 0x6b00 && total === undefined) break; // unknown size: read until the end
      if (r.sw !== 0x9000 && r.sw !== 0x6282) throw await this.swError(r.sw, `READ BINARY ${f.path} at offset ${o}`, f, 'read');
      const data = cmd.ins === 0xb1 ? unwrapData(r.data, f.path, o) : r.data;
      out.push(...data);
      o += data.length;
      if (data.length < want || r.sw === 0x6282) break;
    }
    return Uint8Array.from(out);
  }

  async updateBinary(path: string | undefined, data: Uint8Array, offset = 0): Promise<void> {
    const f = await this.ef(path, 'binary');
    if (offset < 0 || !Number.isInteger(offset)) throw new CardFsError('range', `${f.path}: offset ${offset}`);
    if (f.size !== undefined && offset + data.length > f.size) {
      throw new CardFsError('too-long', `${f.path}: ${data.length} bytes at offset ${offset} do not fit in the file of ${f.size} bytes; nothing written`);
    }
    for (let o = 0; o < data.length;) {
      // beyond offset 32767 the data go in DO '53' after the offset DO '54': keep Lc <= 255
      const n = offset + o > 0x7fff ? Math.min(this.maxChunk, 248) : this.maxChunk;
      const chunk = data.subarray(o, o + n);
      const r = await this.tx(binaryCmd(0xd6, offset + o, chunk));
      if (r.sw !== 0x9000) throw await this.swError(r.sw, `UPDATE BINARY ${f.path} at offset ${offset + o}`, f, 'update');
      o += chunk.length;
    }
  }

  // ---- READ / UPDATE RECORD --------------------------------------------------------------

  private checkRecord(f: FileInfo, n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 254 || (f.recordCount !== undefined && n > f.recordCount)) {
      throw new CardFsError('record-range', `${f.path}: record ${n} out of range (the file has ${f.recordCount ?? '?'} records, numbered from 1)`);
    }
  }

  async readRecord(path: string | undefined, n: number): Promise<Uint8Array> {
    const f = await this.ef(path, 'record');
    this.checkRecord(f, n);
    // P2 = 04: absolute mode, current EF (TS 102 221 11.1.5)
    const r = await this.tx({ cla: 0x00, ins: 0xb2, p1: n, p2: 0x04, le: f.recordLength ?? 256 });
    if (r.sw !== 0x9000) throw await this.swError(r.sw, `READ RECORD ${f.path} record ${n}`, f, 'read');
    return r.data;
  }

  async readRecords(path?: string): Promise<Uint8Array[]> {
    const f = await this.ef(path, 'record');
    const isDir = f.path === 'MF/EF.DIR';
    if (isDir && this.dirCache && this.dirCache.length === f.recordCount) return this.dirCache.map((r) => r.slice());
    const out: Uint8Array[] = [];
    const count = f.recordCount ?? 254;
    for (let n = 1; n <= count; n++) {
      if (f.recordCount === undefined) {
        const r = await this.tx({ cla: 0x00, ins: 0xb2, p1: n, p2: 0x04, le: f.recordLength ?? 256 });
        if (r.sw === 0x6a83) break;
        if (r.sw !== 0x9000) throw await this.swError(r.sw, `READ RECORD ${f.path} record ${n}`, f, 'read');
        out.push(r.data);
      } else out.push(await this.readRecord(undefined, n));
    }
    if (isDir) this.dirCache = out.map((r) => r.slice());
    return out;
  }

  async updateRecord(path: string | undefined, n: number, data: Uint8Array): Promise<void> {
    const f = await this.ef(path, 'record');
    if (f.path === 'MF/EF.DIR') {
      this.dirCache = undefined;
      this.appCache = undefined;
    }
    this.checkRecord(f, n);
    if (f.recordLength !== undefined && data.length !== f.recordLength) {
      throw new CardFsError('record-length', `${f.path} record ${n}: ${data.length} bytes given, records are ${f.recordLength} bytes; nothing written`);
    }
    if (f.structure === 'cyclic') {
      // cyclic EFs are updated in PREVIOUS mode only (TS 102 221 11.1.6): the new record becomes record 1
      if (n !== 1) throw new CardFsError('record-range', `${f.path} is cyclic: only record 1 (the newest) can be written, and it shifts the others`);
      const r = await this.tx({ cla: 0x00, ins: 0xdc, p1: 0, p2: 0x03, data });
      if (r.sw !== 0x9000) throw await this.swError(r.sw, `UPDATE RECORD ${f.path} (previous)`, f, 'update');
      return;
    }
    const r = await this.tx({ cla: 0x00, ins: 0xdc, p1: n, p2: 0x04, data });
    if (r.sw !== 0x9000) throw await this.swError(r.sw, `UPDATE RECORD ${f.path} record ${n}`, f, 'update');
  }

  // ---- access conditions -------------------------------------------------------------------

  /**
   * The access rules of `f`, reading EF.ARR when the FCP refers to it (TS 102 221 9.2.x: the
   * EF.ARR of the file's DF, else of the MF). Re-selects `f` afterwards.
   */
  async accessOf(f: FileInfo): Promise<AccessMap | undefined> {
    if (f.access) return f.access;
    if (!f.arrRef) return undefined;
    const dfPath = f.type === 'EF' ? f.path.split('/').slice(0, -1).join('/') : f.path;
    const candidates = [`${dfPath}/${hexNum(f.arrRef.fid, 4)}`, `MF/${hexNum(f.arrRef.fid, 4)}`];
    let access: AccessMap | undefined;
    for (const c of candidates) {
      try {
        const rec = await this.readRecord(c, f.arrRef.record);
        access = accessFromExpanded(rec, f.type !== 'EF');
        break;
      } catch (e) {
        if (!(e instanceof SwError) && !(e instanceof CardFsError)) throw e;
      }
    }
    if (access) f.access = access;
    this.invalidate();
    await this.select(f.path).catch(() => undefined);
    return access;
  }

  /** SwError with a hint that names the key to verify (6982) or what else went wrong. */
  private async swError(sw: number, what: string, f: FileInfo, op: AccessOp): Promise<SwError> {
    let hint: string | undefined;
    if (sw === 0x6982) {
      const access = await this.accessOf(f).catch(() => undefined);
      hint = hintFor(access?.[op]) ?? 'verify the PIN or ADM key that protects it first';
    } else if (sw === 0x6a83) hint = 'no such record';
    else if (sw === 0x6283 || sw === 0x6985) hint = 'the file is deactivated or terminated';
    return new SwError(sw, what, hint);
  }
}

// ---- helpers --------------------------------------------------------------------------------

function sameSegs(a: Seg[], b: Seg[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => s.fid === b[i]!.fid && (s.aid === undefined) === (b[i]!.aid === undefined) && (!s.aid || toHex(s.aid) === toHex(b[i]!.aid!)));
}

function fidBytes(fids: number[]): Uint8Array {
  return Uint8Array.from(fids.flatMap((f) => [f >> 8, f & 0xff]));
}

/** READ/UPDATE BINARY: offset in P1 b7-b1 + P2 up to 32767 (TS 102 221 11.1.3). */
function binaryCmd(ins: 0xb0 | 0xd6, offset: number, data?: Uint8Array, le?: number): CommandApdu {
  if (offset > 0x7fff) {
    // beyond 15 bits: the odd INS with an offset data object '54' (ISO 7816-4 11.2.3)
    const off = offset > 0xffff ? [0x54, 0x03, offset >> 16, (offset >> 8) & 0xff, offset & 0xff] : [0x54, 0x02, offset >> 8, offset & 0xff];
    if (ins === 0xb0) return { cla: 0x00, ins: 0xb1, p1: 0, p2: 0, data: Uint8Array.from(off), ...(le ? { le: le + 4 } : {}) };
    const body = data ?? new Uint8Array();
    const dd = body.length < 0x80 ? [0x53, body.length] : [0x53, 0x81, body.length];
    return { cla: 0x00, ins: 0xd7, p1: 0, p2: 0, data: Uint8Array.from([...off, ...dd, ...body]) };
  }
  return { cla: 0x00, ins, p1: offset >> 8, p2: offset & 0xff, ...(data ? { data } : {}), ...(le !== undefined ? { le } : {}) };
}

/** The discretionary data DO '53' of an odd-INS READ BINARY answer (ISO 7816-4 11.2.3). */
function unwrapData(b: Uint8Array, path: string, offset: number): Uint8Array {
  let tlvs;
  try {
    tlvs = decodeBer(b);
  } catch (e) {
    throw new CardFsError('odd-ins', `${path}: READ BINARY at offset ${offset} answered no data object 53: ${(e as Error).message}`);
  }
  const d = tlvs.find((t) => t.tag === 0x53);
  if (!d) throw new CardFsError('odd-ins', `${path}: READ BINARY at offset ${offset} answered no data object 53`);
  return d.value;
}

const STRUCT_OF: Record<string, Structure> = { transparent: 'transparent', linearFixed: 'linear-fixed', cyclic: 'cyclic', berTlv: 'ber-tlv' };

/** FileInfo from the FCP bytes; tolerant of FCPs the strict decoder refuses (raw kept). */
export function fileInfo(path: string, seg: { fid: number; entry?: CatalogueEntry; aid?: Uint8Array }, raw: Uint8Array): FileInfo {
  let fcp: Fcp | undefined;
  try {
    fcp = raw.length ? decodeFcp(raw) : undefined;
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
  const e = seg.entry;
  const info: FileInfo = { path, fid: seg.fid, type: e?.kind ?? 'EF', fcp, fcpRaw: raw };
  if (e) {
    info.name = e.name;
    info.entry = e;
    if (e.structure) info.structure = e.structure;
  }
  if (!fcp) {
    if (seg.aid) info.aid = seg.aid;
    return info;
  }
  const d = fcp.fileDescriptor;
  if (fcp.fileId) info.fid = parseInt(fcp.fileId, 16);
  if (d.fileType === 'DF') {
    info.type = fcp.dfName ? 'ADF' : info.fid === 0x3f00 ? 'MF' : 'DF';
    delete info.structure;
  } else {
    info.type = 'EF';
    const s = d.structure ? STRUCT_OF[d.structure] : undefined;
    if (s) info.structure = s;
    if (d.recordLength !== undefined) info.recordLength = d.recordLength;
    if (d.numberOfRecords !== undefined) info.recordCount = d.numberOfRecords;
    if (fcp.fileSize !== undefined) info.size = fcp.fileSize;
    else if (info.recordLength && info.recordCount) info.size = info.recordLength * info.recordCount;
    const sfi = effectiveSfi(fcp);
    info.sfi = sfi === undefined ? null : sfi;
  }
  if (fcp.dfName) info.aid = fromHex(fcp.dfName);
  else if (seg.aid) info.aid = seg.aid;
  if (fcp.lifeCycle) info.lcs = fcp.lifeCycle.state;
  const isDf = info.type !== 'EF';
  const exp = expandedBytes(fcp);
  if (exp) info.access = accessFromExpanded(exp, isDf);
  else if (fcp.securityCompact) info.access = accessFromCompact(fcp.securityCompact.accessMode, fcp.securityCompact.conditions, isDf);
  else if (fcp.securityReferenced) {
    const r = fcp.securityReferenced;
    const rec = r.record ?? r.seRecords?.[0]?.record;
    if (rec !== undefined) info.arrRef = { fid: r.arrFid ? parseInt(r.arrFid, 16) : isDf ? 0x2f06 : 0x6f06, record: rec };
  }
  return info;
}

/** An EF.DIR record: 61 { 4F AID, 50 label, ... } (TS 102 221 13.1). Undefined for an empty record. */
/**
 * What a lean SELECT (no FCP) may take from the catalogue instead: a DF or ADF (nothing of its FCP
 * is needed to work inside it), or a transparent EF whose size its spec fixes. Else undefined.
 */
function knownInfo(path: string, seg: Seg): FileInfo | undefined {
  const e = seg.entry;
  const base = { path, fid: seg.fid, fcp: undefined, fcpRaw: new Uint8Array() };
  if (seg.aid) return { ...base, type: 'ADF', aid: seg.aid, ...(e ? { name: e.name, entry: e } : {}) };
  if (!e) return undefined;
  if (e.kind === 'MF' || e.kind === 'DF' || e.kind === 'ADF') return { ...base, type: e.kind, name: e.name, entry: e };
  if (e.structure !== 'transparent' || e.size === undefined || e.size.max !== e.size.min) return undefined;
  return { ...base, type: 'EF', structure: 'transparent', size: e.size.min, name: e.name, entry: e, ...(e.sfi !== undefined ? { sfi: e.sfi } : {}) };
}

export function parseDirRecord(rec: Uint8Array): AppInfo | undefined {
  if (rec.every((b) => b === 0xff)) return undefined;
  const tlvs = decodeBer(rec);
  const t = tlvs.find((x) => x.tag === 0x61);
  const aid = t?.children?.find((c) => c.tag === 0x4f)?.value;
  if (!aid) return undefined;
  const label = t?.children?.find((c) => c.tag === 0x50)?.value;
  return { aid: aid.slice(), ...(label ? { label: Buffer.from(label).toString('utf8') } : {}) };
}
