/**
 * The card-side helpers of a bootstrap write that are not part of the switch itself: the EF.DIR
 * record announcing the application, the ICCID for the backup name, and the backup file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { fileInfo } from '../card/fs.js';
import { bytesEqual } from '../util/hex.js';
import type { LeanCard } from '../card/lean.js';
import { backupOfCard, type BackupFile } from './backup.js';
import { fidBytes, found, selectAid, selectFid } from './card-io.js';
import { fidHex } from '../util/hex.js';
import { encodeDirRecord } from './dir-record.js';
import { BootstrapError } from './errors.js';
import { FID } from './oids.js';
import type { CardPlan } from './plan.js';
import { iccidOf } from '../card/spec/ts-102-221.js';
import type { CardState } from './reader.js';

const isPad = (b: number): boolean => b === 0xff || b === 0x00;

const DIR_PATH = Uint8Array.of(0x3f, 0x00, FID.dir >> 8, FID.dir & 0xff);

/** An EF.DIR record: number, length, and the bytes it held before a write */
export interface DirSlot {
  record: number;
  recordLength: number;
  bytes?: Uint8Array;
}

export async function mustSelectApp(s: ApduSender, plan: CardPlan): Promise<void> {
  const sw = await selectAid(s, plan.aid);
  if (!found(sw)) throw new SwError(sw, 'SELECT PKCS#15 application');
}

/** Selects `fid` (with its FCP) and returns its size. */
export async function sizeOf(s: ApduSender, fid: number, dflt: number): Promise<number> {
  const r = await selectFid(s, fid, true);
  if (!found(r.sw)) throw new SwError(r.sw, `SELECT ${fidHex(fid)}`);
  return fileInfo(fidHex(fid), { fid }, r.data).size ?? dflt;
}

/**
 * EF.DIR: the PKCS#15 application template into the first empty record (TS 102 221 13.1). The
 * read before the write found that record (`free`) with EF.DIR selected from the MF: no SELECT
 * when it still is, no READ RECORD to look for it again. The record is read back when `verify`.
 */
export async function writeDirRecord(s: LeanCard, plan: CardPlan, free: DirSlot | undefined, verify: boolean): Promise<DirSlot> {
  const r = await s.selectPath(DIR_PATH, !free);
  if (!found(r.sw)) throw new BootstrapError('no-dir', `EF.DIR (2F00) missing (${swHex(r.sw)}): cannot announce the PKCS#15 application`);
  let slot = free;
  if (!slot) {
    const info = fileInfo('2F00', { fid: FID.dir }, r.data);
    const rl = info.recordLength ?? 0;
    for (let i = 1; i <= (info.recordCount ?? 0) && !slot; i++) {
      const rec = await s.readRecord(i, rl);
      if (rec.sw !== 0x9000) throw new SwError(rec.sw, `READ RECORD EF.DIR ${i}`);
      if (rec.data.every(isPad)) slot = { record: i, recordLength: rl, bytes: rec.data };
    }
    if (!slot) throw new BootstrapError('dir-full', `EF.DIR has no free record among its ${info.recordCount ?? 0}: cannot announce the PKCS#15 application`);
  }
  const data = encodeDirRecord(
    { aid: plan.aid, label: plan.appLabel.slice(0, 16), path: Uint8Array.of(0x3f, 0x00, plan.appFid >> 8, plan.appFid & 0xff) },
    slot.recordLength,
  );
  await updateDirRecord(s, slot, data, verify);
  return slot;
}

/** UPDATE RECORD of EF.DIR (selected) in absolute mode, read back when `verify`. */
async function updateDirRecord(s: LeanCard, slot: DirSlot, data: Uint8Array, verify: boolean): Promise<void> {
  const u = await s.transmit({ cla: 0x00, ins: 0xdc, p1: slot.record, p2: 0x04, data });
  if (u.sw !== 0x9000) throw new SwError(u.sw, `UPDATE RECORD EF.DIR ${slot.record}`);
  if (!verify) return;
  const back = await s.readRecord(slot.record, slot.recordLength);
  if (back.sw !== 0x9000 || !bytesEqual(back.data, data))
    throw new BootstrapError('verify', `read-back of EF.DIR record ${slot.record} differs from what was written`);
}

/** The EF.DIR record `slot` gets back what it held before writeDirRecord (all FF when unknown). */
export async function restoreDirRecord(s: LeanCard, slot: DirSlot, verify: boolean): Promise<void> {
  const r = await s.selectPath(DIR_PATH);
  if (!found(r.sw)) throw new SwError(r.sw, 'SELECT EF.DIR');
  await updateDirRecord(s, slot, slot.bytes ?? new Uint8Array(slot.recordLength).fill(0xff), verify);
}

export async function readIccid(s: ApduSender): Promise<string | undefined> {
  await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
  const r = await selectFid(s, 0x2fe2);
  if (!found(r.sw)) return undefined;
  const b = await s.transmit({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 10 });
  return b.sw === 0x9000 ? iccidOf(b.data) : undefined;
}

/** Writes the backup of what the card holds; returns its file name. */
export function saveBackup(dir: string, plan: CardPlan, st: CardState, iccid: string | undefined): string {
  // backups hold the previous bootstrap, credentials included: owner only
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const name = join(dir, `bootstrap-${iccid ?? 'unknown'}-${stamp}-${process.pid}.json`);
  const b: BackupFile = {
    version: 1,
    created: new Date().toISOString(),
    iccid: iccid ?? null,
    profile: plan.name,
    authorities: plan.authorities.map((a) => ({ ...a })),
    owner: plan.owner,
    appFid: plan.appFid,
    appLabel: plan.appLabel,
    ...backupOfCard(st),
  };
  writeFileSync(name, JSON.stringify(b, null, 2) + '\n', { mode: 0o600 });
  return name;
}
