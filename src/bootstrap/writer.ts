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
 *   7. read back and compare.
 *
 * Pulled at any command, the previous DODF still points at the previous, untouched slot; the
 * next write finds the same slot unused and writes it again. On a real card with pre-created
 * files nothing is created: content must fit the existing file (the error says by how many bytes
 * it does not), and a card with one slot per file is written in place with a warning.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { encodePinValue, verifyPin } from '../card/pin.js';
import { fileInfo } from '../card/fs.js';
import type { SecretStore } from '../util/secrets.js';
import { bytesEqual, toHex } from '../util/hex.js';
import { createFile, deleteFile, fidBytes, fidHex, found, readToEnd, selectAid, selectFid, updateAll } from './card-io.js';
import { encodeDirRecord } from './dir-record.js';
import { BootstrapError } from './errors.js';
import { FID } from './oids.js';
import { altDodf, authorityOf, type CardPlan, dodfBytes, type DodfItem, iccidDigits, odfBytes, type PlannedFile, tokenInfoBytes } from './plan.js';
import { type CardState, readBootstrap } from './reader.js';
import type { BackupFile } from './backup.js';

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

const isPad = (b: number): boolean => b === 0xff || b === 0x00;

/** Directory bytes as found, without the trailing padding. */
function used(b: Uint8Array | undefined): Uint8Array {
  if (!b) return new Uint8Array();
  let n = b.length;
  while (n > 0 && isPad(b[n - 1]!)) n--;
  return b.subarray(0, n);
}

function sameFields(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

const counter = (s: ApduSender): number | undefined => (s as unknown as { apduCount?: number }).apduCount ?? (s as unknown as { link?: { apduCount?: number } }).link?.apduCount;

interface Step {
  file: PlannedFile;
  current?: number;
  target: number;
  /** file size on the card once ready */
  size?: number;
  create?: boolean;
  grow?: boolean;
  inPlace?: boolean;
}

/** Each authority's DODF FID in use: its own, or its second one when EF.ODF lists that instead. */
function dodfsInUse(state: CardState, plan: CardPlan): Map<string, number> {
  const listed = new Set((state.odf?.dodfPaths ?? []).map((p) => (p.length >= 2 ? (p[p.length - 2]! << 8) | p[p.length - 1]! : -1)));
  return new Map(plan.authorities.map((a) => [a.name, listed.has(altDodf(a.dodf)) && !listed.has(a.dodf) ? altDodf(a.dodf) : a.dodf]));
}

/** What the card holds for a planned file: the DODF object in its authority's DODF with its label and OID. */
function cardFileFor(state: CardState, inUse: Map<string, number>, f: PlannedFile) {
  const dodf = inUse.get(f.authority);
  return state.files.find((c) => c.dodf === dodf && c.oid === f.oid && c.label === f.label);
}

const pathFid = (hex: string): number => parseInt(hex.slice(-4), 16);

export async function writePlan(s: ApduSender, plan: CardPlan, opts: WriteOptions): Promise<WriteReport> {
  const start = counter(s);
  const report: WriteReport = { profile: plan.name, changed: false, files: [], directories: [], keysVerified: [], updates: 0, creates: 0, warnings: [], atomic: true };
  const before = await readBootstrap(s, { details: true });

  // ---- 1. compare -----------------------------------------------------------------------
  const steps: Step[] = [];
  const active = new Map<string, number>();
  const dodfNow = dodfsInUse(before, plan);
  for (const f of plan.files) {
    const c = cardFileFor(before, dodfNow, f);
    const cur = c ? pathFid(c.path) : undefined;
    const inSlots = cur !== undefined && f.slots.includes(cur);
    if (c?.content && inSlots && sameFields(c.content.fields, f.fields)) {
      active.set(f.id, cur!);
      report.files.push({ id: f.id, label: f.label, action: 'unchanged', fid: cur!, bytes: c.content.length });
      continue;
    }
    const target = cur !== undefined && inSlots ? (cur === f.slots[0] ? f.slots[1] : f.slots[0]) : f.slots[0];
    steps.push({ file: f, ...(cur !== undefined ? { current: cur } : {}), target });
    active.set(f.id, target);
  }
  const dodfWant = new Map<number, Uint8Array>();
  /** authority -> DODF FID after the write (a DODF over 255 bytes moves to its other FID) */
  const dodfNext = new Map(dodfNow);
  for (const a of plan.authorities) {
    const items: DodfItem[] = plan.files.filter((f) => f.authority === a.name).map((f) => ({ label: f.label, oid: f.oid, fid: active.get(f.id)! }));
    const want = dodfBytes(items);
    const now = dodfNow.get(a.name)!;
    const have = before.dodfs.find((d) => d.fid === now);
    if (have && bytesEqual(used(have.bytes), want)) continue;
    const next = want.length > 255 ? (now === a.dodf ? altDodf(a.dodf) : a.dodf) : now;
    dodfNext.set(a.name, next);
    dodfWant.set(next, want);
  }
  let odfWant = odfBytes(plan, dodfNext);
  let odfChanged = !before.odf || !bytesEqual(used(before.odf.bytes), odfWant);
  const ti = before.tokenInfo;
  const tokenChanged =
    !ti || ti.label !== plan.tokenInfo.label || ti.manufacturerID !== plan.tokenInfo.manufacturerID || !bytesEqual(ti.serialNumber, plan.tokenInfo.serialNumber) || ti.tokenflags.join() !== plan.tokenInfo.tokenflags.join();
  const dirMissing = !before.dir;
  const appMissing = !before.present;
  const anything = steps.length > 0 || dodfWant.size > 0 || odfChanged || tokenChanged || dirMissing;
  if (!anything) return done(s, report, start);
  report.changed = true;
  if (opts.dryRun) {
    report.dryRun = true;
    for (const st of steps) report.files.push({ id: st.file.id, label: st.file.label, action: 'write', fid: st.target, bytes: st.file.bytes.length });
    report.directories = directoryNames(dodfWant, odfChanged, tokenChanged, dirMissing, appMissing);
    return done(s, report, start);
  }

  // ---- 2. backup -------------------------------------------------------------------------
  const iccid = opts.iccid ?? (opts.backupDir !== false ? await readIccid(s) : undefined);
  if (opts.backupDir !== false) report.backup = saveBackup(opts.backupDir ?? 'simdm-backups', plan, before, iccid);

  // ---- 3. keys -----------------------------------------------------------------------------
  const keys = new Set<string>();
  for (const st of steps) keys.add(authorityOf(plan, st.file.authority).key);
  const authorityOfDodf = (fid: number) => plan.authorities.find((a) => a.dodf === fid || altDodf(a.dodf) === fid)!;
  for (const fid of dodfWant.keys()) keys.add(authorityOfDodf(fid).key);
  if (odfChanged || tokenChanged || dirMissing || appMissing) keys.add(authorityOf(plan, plan.owner).key);
  for (const k of [...keys].sort()) {
    const value = opts.secrets.require(k, `writing the bootstrap files of authority ${plan.authorities.find((a) => a.key === k)?.name ?? k}`);
    await verifyPin(s, k, encodePinValue(value, 'adm'), { force: !!opts.force });
    report.keysVerified.push(k);
  }

  // ---- the application and its directory files ----------------------------------------------
  const allKeys = [...new Set(plan.authorities.map((a) => a.key))].join('|');
  const ownerKey = authorityOf(plan, plan.owner).key;
  if (appMissing) {
    await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
    const sw = await createFile(s, { fid: plan.appFid, df: true, aid: plan.aid, access: { create: allKeys, delete: ownerKey, activate: ownerKey, deactivate: ownerKey } });
    if (sw !== 0x9000) {
      throw new BootstrapError(
        'no-app',
        `the card has no PKCS#15 application (${toHex(plan.aid)}) and does not create one (CREATE FILE: ${swHex(sw)}): have the card pre-personalised with DF.PKCS15, EF.ODF (5031), EF.TokenInfo (5032), the DODF and the bootstrap files`,
      );
    }
    report.creates++;
  }
  // CREATE FILE leaves the new EF selected (TS 102 222 6.3): no SELECT before writing it
  if (!appMissing) await mustSelectApp(s, plan);
  let selected: number | undefined;
  const knownSize = new Map<number, number>();
  const select = async (fid: number, what: string): Promise<void> => {
    if (selected === fid) return;
    const r = await selectFid(s, fid);
    if (!found(r.sw)) throw new SwError(r.sw, `SELECT ${what} (${fidHex(fid)})`);
    selected = fid;
  };
  const ensure = async (fid: number, size: number, key: string, what: string): Promise<number> => {
    const r = await selectFid(s, fid, true);
    if (found(r.sw)) {
      selected = fid;
      const n = fileInfo(fidHex(fid), { fid }, r.data).size ?? size;
      knownSize.set(fid, n);
      return n;
    }
    selected = undefined;
    if (r.sw !== 0x6a82) throw new SwError(r.sw, `SELECT ${what}`);
    const c = await createFile(s, { fid, size, access: { read: 'ALW', update: key, delete: key, activate: key, deactivate: key }, sfi: null });
    if (c !== 0x9000) throw new BootstrapError('missing-file', `${what} (${fidHex(fid)}) is missing and cannot be created (CREATE FILE: ${swHex(c)})`);
    report.creates++;
    selected = fid;
    knownSize.set(fid, size);
    return size;
  };
  if (odfChanged || appMissing) await ensure(FID.odf, 64, ownerKey, 'EF.ODF');
  if (tokenChanged || appMissing) await ensure(FID.tokenInfo, 128, ownerKey, 'EF.TokenInfo');
  const dodfSize = new Map<number, number>();
  for (const [fid, want] of [...dodfWant]) {
    const a = authorityOfDodf(fid);
    try {
      dodfSize.set(fid, await ensure(fid, Math.max(255, want.length), a.key, `EF.DODF of ${a.name}`));
    } catch (e) {
      const now = dodfNow.get(a.name)!;
      if (!(e instanceof BootstrapError) || fid === now) throw e;
      // no second DODF on this card: in place, not atomic (reported below)
      dodfWant.delete(fid);
      dodfWant.set(now, want);
      dodfNext.set(a.name, now);
      dodfSize.set(now, await ensure(now, 255, a.key, `EF.DODF of ${a.name}`));
    }
  }
  odfWant = odfBytes(plan, dodfNext);
  odfChanged = !before.odf || !bytesEqual(used(before.odf.bytes), odfWant);

  // ---- 4. plan the slots: sizes checked before anything is written -------------------------------
  for (const st of steps) {
    const need = st.file.bytes.length;
    const r = await selectFid(s, st.target, true);
    selected = found(r.sw) ? st.target : undefined;
    if (found(r.sw)) {
      st.size = fileInfo(fidHex(st.target), { fid: st.target }, r.data).size ?? need;
      if (st.size < need) st.grow = true;
    } else if (r.sw === 0x6a82) st.create = true;
    else throw new SwError(r.sw, `SELECT ${st.file.label} slot ${fidHex(st.target)}`);
  }
  for (const st of steps) {
    const need = st.file.bytes.length;
    const want = Math.max(need, st.file.size ?? 0);
    if (st.create || st.grow) {
      selected = undefined;
      if (st.grow) {
        const d = await deleteFile(s, st.target);
        if (d !== 0x9000) {
          throw new BootstrapError('too-large', `${st.file.label}: ${need} bytes do not fit the ${st.size}-byte file ${fidHex(st.target)}: ${need - st.size!} bytes too many (the card does not re-create files: ${swHex(d)})`);
        }
      }
      const key = authorityOf(plan, st.file.authority).key;
      const c = await createFile(s, { fid: st.target, size: want, access: { read: 'ALW', update: key, delete: key, activate: key, deactivate: key }, sfi: null });
      if (c === 0x9000) {
        report.creates++;
        st.size = want;
        selected = st.target;
        continue;
      }
      // no CREATE FILE (a real card): one pre-created file per kind -> in place, not atomic
      if (st.create && st.current !== undefined && st.current !== st.target) {
        const r = await selectFid(s, st.current, true);
        selected = found(r.sw) ? st.current : undefined;
        const size = found(r.sw) ? (fileInfo(fidHex(st.current), { fid: st.current }, r.data).size ?? 0) : 0;
        if (size < need) throw new BootstrapError('too-large', `${st.file.label}: ${need} bytes do not fit the ${size}-byte file ${fidHex(st.current)}: ${need - size} bytes too many`);
        st.inPlace = true;
        st.target = st.current;
        st.size = size;
        active.set(st.file.id, st.current);
        report.atomic = false;
        report.warnings.push(`${st.file.label}: no second file slot (${fidHex(st.file.slots.find((x) => x !== st.current)!)}) and CREATE FILE refused (${swHex(c)}): written in place, not atomic`);
        continue;
      }
      throw new BootstrapError('missing-file', `${st.file.label}: file ${fidHex(st.target)} is missing and cannot be created (CREATE FILE: ${swHex(c)})`);
    }
  }
  // DODFs once the final slots are known
  for (const a of plan.authorities) {
    const items: DodfItem[] = plan.files.filter((f) => f.authority === a.name).map((f) => ({ label: f.label, oid: f.oid, fid: active.get(f.id)! }));
    const want = dodfBytes(items);
    const next = dodfNext.get(a.name)!;
    const have = before.dodfs.find((d) => d.fid === next);
    if (have && bytesEqual(used(have.bytes), want) && next === dodfNow.get(a.name)) dodfWant.delete(next);
    else dodfWant.set(next, want);
  }
  for (const [fid, want] of dodfWant) {
    const size = dodfSize.get(fid) ?? (await ensure(fid, Math.max(255, want.length), authorityOfDodf(fid).key, 'EF.DODF'));
    dodfSize.set(fid, size);
    if (want.length > size) throw new BootstrapError('too-large', `EF.DODF ${fidHex(fid)}: ${want.length} bytes of entries do not fit the ${size}-byte file: ${want.length - size} bytes too many`);
  }

  // ---- 5. content files first ------------------------------------------------------------------
  for (const st of steps) {
    await select(st.target, st.file.label);
    const body = new Uint8Array(st.size!).fill(0xff);
    body.set(st.file.bytes);
    report.updates += await updateAll(s, body, `${st.file.label} (${fidHex(st.target)})`, 0, true);
    report.files.push({
      id: st.file.id,
      label: st.file.label,
      action: 'write',
      fid: st.target,
      bytes: st.file.bytes.length,
      ...(st.inPlace ? { note: 'in place (no second slot)' } : st.grow ? { note: `re-created with ${st.size} bytes` } : st.create ? { note: `created with ${st.size} bytes` } : {}),
    });
  }

  // ---- 6. the switch: each authority's DODF in one command ---------------------------------------
  for (const [fid, want] of dodfWant) {
    // a DODF moving to its other FID is not in use yet: written whole (its old content cleared),
    // and EF.ODF switches to it below; one in use is rewritten in place up to its old length
    const moved = fid !== dodfNow.get(authorityOfDodf(fid).name);
    const have = before.dodfs.find((d) => d.fid === fid);
    const span = moved ? dodfSize.get(fid)! : Math.min(dodfSize.get(fid)!, Math.max(want.length, used(have?.bytes).length));
    const body = new Uint8Array(span).fill(0xff);
    body.set(want);
    await select(fid, 'EF.DODF');
    const n = await updateAll(s, body, `EF.DODF ${fidHex(fid)}`);
    report.updates += n;
    if (!moved && n > 1) {
      report.atomic = false;
      report.warnings.push(`EF.DODF ${fidHex(fid)}: ${body.length} bytes need ${n} UPDATE BINARY commands and the card has no second DODF (${fidHex(altDodf(authorityOfDodf(fid).dodf))}), so the switch is not atomic`);
    }
    report.directories.push(`EF.DODF ${fidHex(fid)}`);
  }
  if (tokenChanged) {
    const t = tokenInfoBytes(plan);
    let size = knownSize.get(FID.tokenInfo);
    if (size === undefined) {
      size = await sizeOf(s, FID.tokenInfo, t.length);
      selected = FID.tokenInfo;
    }
    await select(FID.tokenInfo, 'EF.TokenInfo');
    if (t.length > size) throw new BootstrapError('too-large', `EF.TokenInfo: ${t.length} bytes do not fit the ${size}-byte file: ${t.length - size} bytes too many`);
    report.updates += await updateAll(s, padTo(t, size), 'EF.TokenInfo');
    report.directories.push('EF.TokenInfo');
  }
  if (dirMissing) {
    await writeDirRecord(s, plan);
    report.updates++;
    report.directories.push('EF.DIR');
    await mustSelectApp(s, plan);
    selected = undefined;
  }
  if (odfChanged) {
    let size = knownSize.get(FID.odf);
    if (size === undefined) {
      size = await sizeOf(s, FID.odf, odfWant.length);
      selected = FID.odf;
    }
    await select(FID.odf, 'EF.ODF');
    if (odfWant.length > size) throw new BootstrapError('too-large', `EF.ODF: ${odfWant.length} bytes do not fit the ${size}-byte file: ${odfWant.length - size} bytes too many`);
    const span = Math.min(size, Math.max(odfWant.length, used(before.odf?.bytes).length));
    report.updates += await updateAll(s, padTo(odfWant, span), 'EF.ODF');
    report.directories.push('EF.ODF');
  }

  // ---- 7. read back ---------------------------------------------------------------------------
  if (opts.verify !== false) {
    const after = await readBootstrap(s);
    const inUse = dodfsInUse(after, plan);
    for (const f of plan.files) {
      const c = cardFileFor(after, inUse, f);
      if (!c?.content || !sameFields(c.content.fields, f.fields)) {
        throw new BootstrapError('verify', `read-back of ${f.label} differs from what was written${c?.error ? `: ${c.error}` : ''}`);
      }
    }
  }
  return done(s, report, start);
}

function padTo(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(Math.max(n, b.length)).fill(0xff);
  out.set(b);
  return out;
}

/** Selects `fid` (with its FCP) and returns its size. */
async function sizeOf(s: ApduSender, fid: number, dflt: number): Promise<number> {
  const r = await selectFid(s, fid, true);
  if (!found(r.sw)) throw new SwError(r.sw, `SELECT ${fidHex(fid)}`);
  return fileInfo(fidHex(fid), { fid }, r.data).size ?? dflt;
}

async function mustSelectApp(s: ApduSender, plan: CardPlan): Promise<void> {
  const sw = await selectAid(s, plan.aid);
  if (!found(sw)) throw new SwError(sw, 'SELECT PKCS#15 application');
}

/** EF.DIR: the PKCS#15 application template into the first empty record (TS 102 221 13.1). */
async function writeDirRecord(s: ApduSender, plan: CardPlan): Promise<void> {
  await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
  const r = await selectFid(s, FID.dir, true);
  if (!found(r.sw)) throw new BootstrapError('no-dir', `EF.DIR (2F00) missing (${swHex(r.sw)}): cannot announce the PKCS#15 application`);
  const info = fileInfo('2F00', { fid: FID.dir }, r.data);
  const rl = info.recordLength ?? 0;
  const n = info.recordCount ?? 0;
  for (let i = 1; i <= n; i++) {
    const rec = await s.transmit({ cla: 0x00, ins: 0xb2, p1: i, p2: 0x04, le: rl });
    if (rec.sw !== 0x9000) throw new SwError(rec.sw, `READ RECORD EF.DIR ${i}`);
    if (!rec.data.every(isPad)) continue;
    const data = encodeDirRecord({ aid: plan.aid, label: plan.appLabel.slice(0, 16), path: Uint8Array.of(0x3f, 0x00, plan.appFid >> 8, plan.appFid & 0xff) }, rl);
    const u = await s.transmit({ cla: 0x00, ins: 0xdc, p1: i, p2: 0x04, data });
    if (u.sw !== 0x9000) throw new SwError(u.sw, `UPDATE RECORD EF.DIR ${i}`);
    return;
  }
  throw new BootstrapError('dir-full', `EF.DIR has no free record among its ${n}: cannot announce the PKCS#15 application`);
}

export async function readIccid(s: ApduSender): Promise<string | undefined> {
  await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
  const r = await selectFid(s, 0x2fe2);
  if (!found(r.sw)) return undefined;
  const b = await s.transmit({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 10 });
  return b.sw === 0x9000 ? iccidDigits(b.data) : undefined;
}

function directoryNames(dodf: Map<number, Uint8Array>, odf: boolean, token: boolean, dir: boolean, app: boolean): string[] {
  return [...(app ? ['DF.PKCS15 (create)'] : []), ...[...dodf.keys()].map((f) => `EF.DODF ${fidHex(f)}`), ...(token ? ['EF.TokenInfo'] : []), ...(dir ? ['EF.DIR'] : []), ...(odf ? ['EF.ODF'] : [])];
}

function saveBackup(dir: string, plan: CardPlan, st: CardState, iccid: string | undefined): string {
  // backups hold the previous bootstrap, credentials included: owner only
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const name = join(dir, `bootstrap-${iccid ?? 'unknown'}-${stamp}-${process.pid}.json`);
  const b: BackupFile = {
    version: 1,
    created: new Date().toISOString(),
    iccid: iccid ?? null,
    profile: plan.name,
    present: st.present,
    authorities: plan.authorities.map((a) => ({ ...a })),
    owner: plan.owner,
    appFid: plan.appFid,
    appLabel: plan.appLabel,
    ...(st.tokenInfo ? { tokenInfo: { ...st.tokenInfo, serialNumber: toHex(st.tokenInfo.serialNumber) } } : {}),
    odf: st.odf ? toHex(used(st.odf.bytes)) : null,
    dodfs: st.dodfs.map((d) => ({ fid: fidHex(d.fid), bytes: toHex(used(d.bytes)) })),
    files: st.files
      .filter((f) => f.bytes && f.kind)
      .map((f) => ({ dodf: fidHex(f.dodf), path: f.path, kind: f.kind!, oid: f.oid!, label: f.label ?? '', bytes: toHex(f.bytes!.subarray(0, f.content?.length ?? f.bytes!.length)) })),
  };
  writeFileSync(name, JSON.stringify(b, null, 2) + '\n', { mode: 0o600 });
  return name;
}

async function done(s: ApduSender, r: WriteReport, start: number | undefined): Promise<WriteReport> {
  const end = counter(s);
  if (start !== undefined && end !== undefined) r.apdus = end - start;
  return r;
}
