/**
 * Writing a CardPlan to a card so that a reader sees the old bootstrap or the new one, never a
 * mix, wherever the card is pulled:
 *
 *   1. read the card; compare each file by its canonical fields (OMA DM req. 6.3.4.16) and each
 *      directory file by its bytes: nothing differs -> nothing is sent after the read;
 *   2. keep a backup of what the card holds (JSON, no secrets of simdm's own in its name);
 *   3. verify only the ADM keys of the authorities whose files change (card/pin.ts verifyPin:
 *      retry counter first, refusal at one try left);
 *   4. write each changed file into its slot not in use (content files first), FF-padded;
 *   5. switch: rewrite the authority's EF.DODF to point at the new slots -- one UPDATE BINARY
 *      when the DODF fits 255 bytes, which a card applies whole or not at all;
 *   6. first write only: EF.TokenInfo, the EF.DIR record, then EF.ODF last (it makes the
 *      application's data objects visible);
 *   7. every EF written is read back right after its UPDATEs, exactly the bytes written, while it
 *      is still selected, and compared byte for byte.
 *
 * APDU economy (card/lean.ts): the read before the write asks for the bytes the plan expects; no
 * file is selected twice in a row; SELECT asks for the FCP only to learn a size the plan does not
 * know. The read finds the application through EF.DIR, read only up to the PKCS#15 record or the
 * first empty record: with the record, the application's files are selected by its path (no
 * SELECT by AID) and each file slot is read by its SFI (layout.ts slotSfis; no SELECT); without
 * one, the card is taken for blank and nothing is probed: the EF.DIR record goes into that empty
 * record while EF.DIR is still selected, then CREATE FILE of DF.PKCS15 (a card refuses a DF whose
 * FID or name exists, TS 102 222 6.3: then the record gets its old bytes back and the card is
 * read again, by AID and the whole of EF.DIR), then each file is created (which selects it),
 * written and read back, EF.ODF last.
 *
 * Pulled at any command, the previous DODF still points at the previous, untouched slot; the
 * next write finds the same slot unused and writes it again. On a real card with pre-created
 * files nothing is created: content must fit the existing file (the error says by how many bytes
 * it does not), and a card with one slot per file is written in place with a warning.
 */
import { rmSync } from 'node:fs';
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { encodePinValue, verifyPin } from '../card/pin.js';
import { fileInfo } from '../card/fs.js';
import type { SecretStore } from '../util/secrets.js';
import { bytesEqual, toHex } from '../util/hex.js';
import { LeanCard } from '../card/lean.js';
import { fidBytes, found } from './card-io.js';
import { fidHex } from '../util/hex.js';
import { BootstrapError } from './errors.js';
import { FID } from './oids.js';
import { partBytes, partFid } from './layout.js';
import { authorityOf, type CardPlan, DODF_MAX, dodfOwner, type PlanAuthority, tokenInfoBytes } from './plan.js';
import { readBootstrap, type ReadExpectation } from './reader.js';
import { anythingToWrite, diffPlan, odfDiffers, odfWanted, type PlanDiff, type Step, used } from './write-diff.js';
import { type DirSlot, mustSelectApp, readIccid, restoreDirRecord, saveBackup, sizeOf, writeDirRecord } from './write-card.js';
import { dodfParts, slotSfis } from './layout.js';

export { readIccid };

export interface WriteOptions {
  secrets: SecretStore;
  /** present an ADM key even with one try left */
  force?: boolean;
  /** where backups go (default ./simdm-backups); false = none */
  backupDir?: string | false;
  /** compute and report, send nothing that changes the card */
  dryRun?: boolean;
  /** verify by reading back (default true) */
  verify?: boolean;
  /** the card's ICCID if the caller read it already (for the backup name) */
  iccid?: string;
}

export interface FileAction {
  id: string;
  label: string;
  action: 'unchanged' | 'write';
  /** the slot written (or in use when unchanged) */
  fid: number;
  bytes: number;
  /** created, grown, or written in place (no second slot) */
  note?: string;
}

export interface WriteReport {
  profile: string;
  changed: boolean;
  files: FileAction[];
  directories: string[];
  keysVerified: string[];
  backup?: string;
  /** C-APDUs sent by the write (read, verify, writes, read-back) */
  apdus?: number;
  updates: number;
  creates: number;
  warnings: string[];
  /** every switch was a single command */
  atomic: boolean;
  /** nothing was sent that changes the card */
  dryRun?: boolean;
}

const counter = (s: ApduSender): number | undefined =>
  (s as unknown as { apduCount?: number }).apduCount ?? (s as unknown as { link?: { apduCount?: number } }).link?.apduCount;

function padTo(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(Math.max(n, b.length)).fill(0xff);
  out.set(b);
  return out;
}

function directoryNames(d: PlanDiff): string[] {
  return [
    ...(d.appMissing ? ['DF.PKCS15 (create)'] : []),
    ...[...d.dodfWant.keys()].map((f) => `EF.DODF ${fidHex(f)}`),
    ...(d.tokenChanged ? ['EF.TokenInfo'] : []),
    ...(d.dirMissing ? ['EF.DIR'] : []),
    ...(d.odfChanged ? ['EF.ODF'] : []),
  ];
}

const efAccess = (key: string) => ({ read: 'ALW', update: key, delete: key, activate: key, deactivate: key });

/** The read before the write located no application without probing it, and CREATE FILE says it may be there: read again, probing. */
class Reprobe extends Error {
  constructor(readonly backup: string | undefined) {
    super('the application may be on the card: read it again, probing');
  }
}

/** One write of a plan to a card: the steps of the header comment, one method each. */
class PlanWriter {
  /** the EF.DIR record this write filled, and what it held before */
  private dirWritten: DirSlot | undefined;
  private readonly knownSize = new Map<number, number>();
  private readonly dodfSize = new Map<number, number>();
  /** the application was created by this write: every file in it is new, nothing to probe */
  private readonly fresh: boolean;
  /** authorities whose DODFs are rewritten in their current bank (the card has no other) */
  private readonly stayed = new Set<string>();

  constructor(
    private readonly s: LeanCard,
    private readonly plan: CardPlan,
    private readonly opts: WriteOptions,
    private readonly d: PlanDiff,
    readonly report: WriteReport,
  ) {
    this.fresh = d.appMissing;
    this.sfis = slotSfis(plan);
  }

  private get ownerKey(): string {
    return authorityOf(this.plan, this.plan.owner).key;
  }

  private authorityOfDodf(fid: number): PlanAuthority {
    return dodfOwner(this.plan.authorities, fid)!.authority;
  }

  /** DODF `fid` is a searchOID index (layout.ts), which follows the switch in place */
  private isIndex(fid: number): boolean {
    return this.d.parts.some((p) => p.omapi && [0, 1].some((b) => partFid(this.plan, p, b) === fid));
  }

  /** DODF `fid` is listed in EF.ODF now (rewritten in place), else it is not in use yet. */
  private listedNow(fid: number): boolean {
    return !!this.d.banksNow.get(this.authorityOfDodf(fid).name)?.fids.includes(fid);
  }

  /** SELECT `fid` (not sent when it is selected already). */
  private async select(fid: number, what: string): Promise<void> {
    const r = await this.s.selectFid(fid);
    if (!found(r.sw)) throw new SwError(r.sw, `SELECT ${what} (${fidHex(fid)})`);
  }

  /** CREATE FILE of a transparent EF owned by `key`; the new file is selected (TS 102 222 6.3). */
  private async create(fid: number, size: number, key: string, what: string): Promise<void> {
    const c = await this.createEf(fid, size, key);
    if (c !== 0x9000) throw new BootstrapError('missing-file', `${what} (${fidHex(fid)}) is missing and cannot be created (CREATE FILE: ${swHex(c)})`);
    this.report.creates++;
    this.knownSize.set(fid, size);
  }

  /**
   * CREATE FILE of a transparent EF: a file slot gets its SFI (layout.ts slotSfis, FCP tag 88,
   * TS 102 221 11.1.1.4.8) so that the read before the next write needs no SELECT for it; a card
   * that refuses the SFI (incorrect data, or the SFI taken: 6A80 / 6A89) gets the file without
   * one. Directory EFs get none (empty tag 88).
   */
  private async createEf(fid: number, size: number, key: string): Promise<number> {
    const sfi = this.sfis.get(fid);
    const c = await this.s.create({ fid, size, access: efAccess(key), sfi: sfi ?? null });
    if (sfi === undefined || (c !== 0x6a80 && c !== 0x6a89)) return c;
    return this.s.create({ fid, size, access: efAccess(key), sfi: null });
  }

  private readonly sfis: Map<number, number>;

  /**
   * Selects a directory EF, creating it with `size` bytes when missing; returns its size. In a
   * fresh application the file is created when it is written (no probe).
   */
  private async ensure(fid: number, size: number, key: string, what: string): Promise<number> {
    if (this.fresh) {
      this.knownSize.set(fid, size);
      return size;
    }
    const r = await this.s.selectFid(fid, true);
    if (found(r.sw)) {
      const n = fileInfo(fidHex(fid), { fid }, r.data).size ?? size;
      this.knownSize.set(fid, n);
      return n;
    }
    if (r.sw !== 0x6a82) throw new SwError(r.sw, `SELECT ${what}`);
    await this.create(fid, size, key, what);
    return size;
  }

  /** Selects `fid` to write it, creating it first when this write decided so (a fresh application). */
  private async openForWrite(fid: number, key: string, what: string): Promise<void> {
    if (this.fresh && !this.createdHere.has(fid)) {
      this.createdHere.add(fid);
      return this.create(fid, this.knownSize.get(fid)!, key, what);
    }
    return this.select(fid, what);
  }

  private readonly createdHere = new Set<number>();

  /** 7. the bytes just written, read back from the selected EF and compared. */
  private async readBack(bytes: Uint8Array, what: string, secret = false): Promise<void> {
    if (this.opts.verify === false) return;
    const got = await this.s.readBinary(what, { length: bytes.length, secret });
    if (!bytesEqual(got, bytes)) throw new BootstrapError('verify', `read-back of ${what} differs from what was written`);
  }

  /** 2. the backup of what the card holds */
  async backup(): Promise<void> {
    if (this.opts.backupDir === false) return;
    const iccid = this.opts.iccid ?? (await readIccid(this.s));
    this.report.backup = saveBackup(this.opts.backupDir ?? 'simdm-backups', this.plan, this.d.before, iccid);
  }

  /** 3. the ADM keys of the authorities whose files change, retry counter first (card/pin.ts) */
  async verifyKeys(): Promise<void> {
    // VERIFY goes through the LeanCard too: it leaves the selection as it is
    const keys = new Set<string>();
    for (const st of this.d.steps) keys.add(authorityOf(this.plan, st.file.authority).key);
    for (const fid of this.d.dodfWant.keys()) keys.add(this.authorityOfDodf(fid).key);
    if (this.d.odfChanged || this.d.tokenChanged || this.d.dirMissing || this.d.appMissing) keys.add(this.ownerKey);
    for (const k of [...keys].sort()) {
      const value = this.opts.secrets.require(k, `writing the bootstrap files of authority ${this.plan.authorities.find((a) => a.key === k)?.name ?? k}`);
      await verifyPin(this.s, k, encodePinValue(value, 'adm'), { force: !!this.opts.force });
      this.report.keysVerified.push(k);
    }
  }

  /** DF.PKCS15 created when missing (a virtual card), else selected. */
  async openApplication(): Promise<void> {
    const { plan } = this;
    if (!this.d.appMissing) return mustSelectApp(this.s, plan);
    const allKeys = [...new Set(plan.authorities.map((a) => a.key))].join('|');
    const own = this.ownerKey;
    // CREATE FILE of the DF needs the MF as the current DF (it is, after EF.DIR)
    if (this.s.currentDf !== 'MF') await this.s.selectPath(fidBytes(0x3f00));
    const sw = await this.s.create({ fid: plan.appFid, df: true, aid: plan.aid, access: { create: allKeys, delete: own, activate: own, deactivate: own } });
    if (sw !== 0x9000) {
      // the EF.DIR record this write put in announces nothing: it gets its old bytes back
      if (this.dirWritten) await restoreDirRecord(this.s, this.dirWritten, this.opts.verify !== false);
      // not probed (ReadOptions.locate 'dir'): the application may be there after all
      if (this.d.before.unprobed) throw new Reprobe(this.report.backup);
      throw new BootstrapError(
        'no-app',
        `the card has no PKCS#15 application (${toHex(plan.aid)}) and does not create one (CREATE FILE: ${swHex(sw)}): have the card pre-personalised with DF.PKCS15, EF.ODF (5031), EF.TokenInfo (5032), the DODF and the bootstrap files`,
      );
    }
    this.report.creates++;
    // CREATE FILE leaves the new DF selected (TS 102 222 6.3): no SELECT after it
  }

  /** EF.ODF, EF.TokenInfo and the DODFs to write exist (created on a virtual card). */
  async prepareDirectories(): Promise<void> {
    const d = this.d;
    if (d.odfChanged || d.appMissing) await this.ensure(FID.odf, 64, this.ownerKey, 'EF.ODF');
    if (d.tokenChanged || d.appMissing) await this.ensure(FID.tokenInfo, 128, this.ownerKey, 'EF.TokenInfo');
    for (const [fid, want] of [...d.dodfWant]) {
      const a = this.authorityOfDodf(fid);
      try {
        this.dodfSize.set(fid, await this.ensure(fid, Math.max(DODF_MAX, want.length), a.key, `EF.DODF of ${a.name}`));
      } catch (e) {
        if (!(e instanceof BootstrapError) || this.listedNow(fid) || !d.banksNow.has(a.name) || this.stayed.has(a.name)) throw e;
        this.stayed.add(a.name);
        this.stayInBank(a.name);
        return this.prepareDirectories();
      }
    }
    d.odfChanged = odfDiffers(this.plan, d.before, d.parts, d.bankNext);
  }

  /**
   * The card has no DODF in the other bank and creates none (a real card with pre-created
   * files): the authority's DODFs are rewritten in place, not atomic when more than one changes.
   */
  private stayInBank(authority: string): void {
    const d = this.d;
    const bank = d.banksNow.get(authority)!.bank;
    for (const p of d.parts.filter((x) => x.authority === authority)) {
      d.dodfWant.delete(partFid(this.plan, p, 1 - bank));
      d.dodfWant.set(partFid(this.plan, p, bank), partBytes(p, d.active));
    }
    d.bankNext.set(authority, bank);
  }

  /** 4a. each target slot's size (FCP), before anything is written */
  async probeSlots(): Promise<void> {
    for (const st of this.d.steps) {
      const need = st.file.bytes.length;
      if (this.fresh) {
        st.create = true;
        st.size = Math.max(need, st.file.size ?? 0);
        continue;
      }
      const r = await this.s.selectFid(st.target, true);
      if (found(r.sw)) {
        st.size = fileInfo(fidHex(st.target), { fid: st.target }, r.data).size ?? need;
        if (st.size < need) st.grow = true;
      } else if (r.sw === 0x6a82) st.create = true;
      else throw new SwError(r.sw, `SELECT ${st.file.label} slot ${fidHex(st.target)}`);
    }
  }

  /** 4b. slots created or re-created (virtual card), or the file written in place (a real card) */
  async prepareSlots(): Promise<void> {
    // a fresh application: each file is created right before it is written (writeContent)
    if (this.fresh) return;
    for (const st of this.d.steps) if (st.create || st.grow) await this.prepareSlot(st);
  }

  private async prepareSlot(st: Step): Promise<void> {
    const need = st.file.bytes.length;
    const want = Math.max(need, st.file.size ?? 0);
    if (st.grow) {
      const del = await this.s.delete(st.target);
      if (del !== 0x9000) {
        throw new BootstrapError(
          'too-large',
          `${st.file.label}: ${need} bytes do not fit the ${st.size}-byte file ${fidHex(st.target)}: ${need - st.size!} bytes too many (the card does not re-create files: ${swHex(del)})`,
        );
      }
    }
    const key = authorityOf(this.plan, st.file.authority).key;
    const c = await this.createEf(st.target, want, key);
    if (c === 0x9000) {
      this.report.creates++;
      st.size = want;
      return;
    }
    // no CREATE FILE (a real card): one pre-created file per kind -> in place, not atomic
    if (st.create && st.current !== undefined && st.current !== st.target) return this.inPlace(st, c);
    throw new BootstrapError('missing-file', `${st.file.label}: file ${fidHex(st.target)} is missing and cannot be created (CREATE FILE: ${swHex(c)})`);
  }

  private async inPlace(st: Step, createSw: number): Promise<void> {
    const cur = st.current!;
    const need = st.file.bytes.length;
    const r = await this.s.selectFid(cur, true);
    const size = found(r.sw) ? (fileInfo(fidHex(cur), { fid: cur }, r.data).size ?? 0) : 0;
    if (size < need)
      throw new BootstrapError('too-large', `${st.file.label}: ${need} bytes do not fit the ${size}-byte file ${fidHex(cur)}: ${need - size} bytes too many`);
    st.inPlace = true;
    st.target = cur;
    st.size = size;
    this.d.active.set(st.file.id, cur);
    this.report.atomic = false;
    this.report.warnings.push(
      `${st.file.label}: no second file slot (${fidHex(st.file.slots.find((x) => x !== cur)!)}) and CREATE FILE refused (${swHex(createSw)}): written in place, not atomic`,
    );
  }

  /** 4c. the DODFs once the final slots are known, checked against their file sizes */
  async settleDodfs(): Promise<void> {
    const d = this.d;
    for (const p of d.parts) {
      const bank = d.bankNext.get(p.authority)!;
      const fid = partFid(this.plan, p, bank);
      const want = partBytes(p, d.active);
      const inPlace = bank === d.banksNow.get(p.authority)?.bank;
      if (inPlace && bytesEqual(used(d.before.dodfs.find((x) => x.fid === fid)?.bytes), want)) d.dodfWant.delete(fid);
      else d.dodfWant.set(fid, want);
    }
    for (const [fid, want] of d.dodfWant) {
      const size = this.dodfSize.get(fid) ?? (await this.ensure(fid, Math.max(DODF_MAX, want.length), this.authorityOfDodf(fid).key, 'EF.DODF'));
      this.dodfSize.set(fid, size);
      if (want.length > size)
        throw new BootstrapError(
          'too-large',
          `EF.DODF ${fidHex(fid)}: ${want.length} bytes of entries do not fit the ${size}-byte file: ${want.length - size} bytes too many`,
        );
    }
  }

  /** 5. content files first, FF-padded to their file size */
  async writeContent(): Promise<void> {
    for (const st of this.d.steps) {
      const what = `${st.file.label} (${fidHex(st.target)})`;
      if (this.fresh) {
        this.createdHere.add(st.target);
        await this.create(st.target, st.size!, authorityOf(this.plan, st.file.authority).key, st.file.label);
      } else await this.select(st.target, st.file.label);
      const body = padTo(st.file.bytes, st.size!);
      this.report.updates += await this.s.updateBinary(body, what, 0, true);
      await this.readBack(body, what, true);
      const note = st.inPlace
        ? 'in place (no second slot)'
        : st.grow
          ? `re-created with ${st.size} bytes`
          : st.create
            ? `created with ${st.size} bytes`
            : undefined;
      this.report.files.push({ id: st.file.id, label: st.file.label, action: 'write', fid: st.target, bytes: st.file.bytes.length, ...(note ? { note } : {}) });
    }
  }

  /** 6. the switch: a DODF in use in one command each; DODFs not in use yet are switched to by EF.ODF */
  async switchDodfs(): Promise<void> {
    const d = this.d;
    const inPlace = new Map<string, number>();
    for (const [fid, want] of d.dodfWant) {
      // a DODF not listed yet is written whole (its old content cleared), EF.ODF switches to it
      // below; one in use is rewritten in place up to its old length
      const moved = !this.listedNow(fid);
      const have = d.before.dodfs.find((x) => x.fid === fid);
      const span = moved ? this.dodfSize.get(fid)! : Math.min(this.dodfSize.get(fid)!, Math.max(want.length, used(have?.bytes).length));
      await this.openForWrite(fid, this.authorityOfDodf(fid).key, 'EF.DODF');
      const body = padTo(want, span);
      const n = await this.s.updateBinary(body, `EF.DODF ${fidHex(fid)}`);
      this.report.updates += n;
      await this.readBack(body, `EF.DODF ${fidHex(fid)}`);
      const a = this.authorityOfDodf(fid);
      if (!moved && !this.isIndex(fid)) inPlace.set(a.name, (inPlace.get(a.name) ?? 0) + n);
      if (!moved && n > 1)
        this.report.warnings.push(
          `EF.DODF ${fidHex(fid)}: ${span} bytes need ${n} UPDATE BINARY commands and the card has no second DODF, so the switch is not atomic`,
        );
      this.report.directories.push(`EF.DODF ${fidHex(fid)}`);
    }
    for (const [name, n] of inPlace) {
      if (n <= 1) continue;
      this.report.atomic = false;
      if (!this.report.warnings.some((w) => w.includes('UPDATE BINARY commands')))
        this.report.warnings.push(`the DODFs of ${name} were rewritten in place with ${n} commands (the card has no second bank of DODFs): not atomic`);
    }
  }

  /** A directory EF rewritten in one go, after a size check. */
  private async writeDirectory(fid: number, bytes: Uint8Array, what: string, span?: number): Promise<void> {
    let size = this.knownSize.get(fid);
    if (size === undefined) size = await sizeOf(this.s, fid, bytes.length);
    if (bytes.length > size)
      throw new BootstrapError('too-large', `${what}: ${bytes.length} bytes do not fit the ${size}-byte file: ${bytes.length - size} bytes too many`);
    await this.openForWrite(fid, this.ownerKey, what);
    const body = padTo(bytes, Math.min(size, span ?? size));
    this.report.updates += await this.s.updateBinary(body, what);
    await this.readBack(body, what);
    this.report.directories.push(what);
  }

  /** The EF.DIR record announcing the application (first write). */
  async writeDir(): Promise<void> {
    if (!this.d.dirMissing) return;
    const free = this.d.before.dirFree;
    const at = await writeDirRecord(this.s, this.plan, free, this.opts.verify !== false);
    this.dirWritten = at;
    this.report.updates++;
    this.report.directories.push('EF.DIR');
    this.d.dirMissing = false;
  }

  /** 6b. first write only: EF.TokenInfo, the EF.DIR record, then EF.ODF last */
  async writeDirectories(): Promise<void> {
    const d = this.d;
    if (d.tokenChanged) await this.writeDirectory(FID.tokenInfo, tokenInfoBytes(this.plan), 'EF.TokenInfo');
    if (d.dirMissing) {
      await this.writeDir();
      await mustSelectApp(this.s, this.plan);
    }
    if (d.odfChanged) {
      const odf = odfWanted(this.plan, d.parts, d.bankNext);
      await this.writeDirectory(FID.odf, odf, 'EF.ODF', Math.max(odf.length, used(d.before.odf?.bytes).length));
    }
  }
}

/** What the read before a write should expect: the plan's bytes (the reader then reads no more than them). */
function expectation(plan: CardPlan): ReadExpectation {
  const parts = dodfParts(plan);
  const sfis = slotSfis(plan);
  return {
    tokenInfo: tokenInfoBytes(plan),
    odfLength: odfWanted(plan, parts, new Map()).length,
    dodfLength: (fid) => {
      const o = dodfOwner(plan.authorities, fid);
      const p = o && parts.find((x) => x.authority === o.authority.name && x.chunk === o.chunk);
      return p ? partBytes(p).length : undefined;
    },
    file: (label, oid) => plan.files.find((f) => f.label === label && f.oid === oid)?.bytes,
    sfi: (fid) => sfis.get(fid),
  };
}

export async function writePlan(s: ApduSender, plan: CardPlan, opts: WriteOptions): Promise<WriteReport> {
  const start = counter(s);
  try {
    return await writeOnce(s, plan, opts, 'dir', start);
  } catch (e) {
    if (!(e instanceof Reprobe)) throw e;
    // the backup of that attempt holds a card read as blank: the next attempt makes the true one
    if (e.backup) rmSync(e.backup, { force: true });
    return writeOnce(s, plan, opts, 'aid', start);
  }
}

/**
 * One attempt: the card located through EF.DIR first ('dir', the application's files by the path
 * of its record, no SELECT by AID), or, when that found no record and CREATE FILE of the
 * application was refused, by AID and the whole of EF.DIR ('aid').
 */
async function writeOnce(s: ApduSender, plan: CardPlan, opts: WriteOptions, locate: 'aid' | 'dir', start: number | undefined): Promise<WriteReport> {
  const report: WriteReport = {
    profile: plan.name,
    changed: false,
    files: [],
    directories: [],
    keysVerified: [],
    updates: 0,
    creates: 0,
    warnings: [],
    atomic: true,
  };
  const finish = (): WriteReport => {
    const end = counter(s);
    if (start !== undefined && end !== undefined) report.apdus = end - start;
    return report;
  };
  // 1. compare
  const io = LeanCard.of(s);
  const d = diffPlan(plan, await readBootstrap(io, { details: true, locate, expect: expectation(plan) }));
  for (const u of d.unchanged) report.files.push({ id: u.file.id, label: u.file.label, action: 'unchanged', fid: u.fid, bytes: u.bytes });
  if (!anythingToWrite(d)) return finish();
  report.changed = true;
  if (opts.dryRun) {
    report.dryRun = true;
    for (const st of d.steps) report.files.push({ id: st.file.id, label: st.file.label, action: 'write', fid: st.target, bytes: st.file.bytes.length });
    report.directories = directoryNames(d);
    return finish();
  }
  const w = new PlanWriter(io, plan, opts, d, report);
  await w.backup();
  await w.verifyKeys();
  // a blank card: the EF.DIR record while EF.DIR is still selected from the read
  if (d.appMissing) await w.writeDir();
  await w.openApplication();
  await w.prepareDirectories();
  await w.probeSlots();
  await w.prepareSlots();
  await w.settleDodfs();
  await w.writeContent();
  await w.switchDodfs();
  await w.writeDirectories();
  return finish();
}
