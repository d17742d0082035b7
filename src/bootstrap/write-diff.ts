/**
 * Step 1 of a write (writer.ts): what the card holds against what the plan wants. Pure: no APDU.
 * Each file is compared by its canonical fields (OMA DM req. 6.3.4.16), each directory file by its
 * bytes without the trailing padding.
 */
import { bytesEqual } from '../util/hex.js';
import { dodfParts, type DodfPart, partBytes, partFid } from './layout.js';
import { type CardPlan, DODF_MAX, dodfOwner, odfBytes, type PlannedFile } from './plan.js';
import type { CardState } from './reader.js';

/** One file to write. */
export interface Step {
  file: PlannedFile;
  /** the slot the card's DODF points at now */
  current?: number;
  /** the slot written */
  target: number;
  /** file size on the card once ready */
  size?: number;
  create?: boolean;
  grow?: boolean;
  inPlace?: boolean;
}

export interface PlanDiff {
  before: CardState;
  steps: Step[];
  /** file id -> slot in use after the write */
  active: Map<string, number>;
  /** the DODF parts of the plan, in EF.ODF order (layout.ts) */
  parts: DodfPart[];
  /** authority -> the bank of DODFs EF.ODF lists now, and their FIDs */
  banksNow: Map<string, ListedDodfs>;
  /** authority -> the bank after the write */
  bankNext: Map<string, number>;
  /** DODF FID -> the entries it must hold */
  dodfWant: Map<number, Uint8Array>;
  odfChanged: boolean;
  tokenChanged: boolean;
  dirMissing: boolean;
  appMissing: boolean;
  unchanged: { file: PlannedFile; fid: number; bytes: number }[];
}

const isPad = (b: number): boolean => b === 0xff || b === 0x00;

/** Directory bytes as found, without the trailing padding. */
export function used(b: Uint8Array | undefined): Uint8Array {
  if (!b) return new Uint8Array();
  let n = b.length;
  while (n > 0 && isPad(b[n - 1]!)) n--;
  return b.subarray(0, n);
}

export function sameFields(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

const fidOfPath = (p: Uint8Array): number => (p.length >= 2 ? (p[p.length - 2]! << 8) | p[p.length - 1]! : -1);

export interface ListedDodfs {
  bank: number;
  /** the authority's DODF FIDs EF.ODF lists, in its order */
  fids: number[];
}

/** Each authority's DODFs EF.ODF lists now, and their bank (plan.ts dodfFid). */
export function dodfsInUse(state: CardState, plan: CardPlan): Map<string, ListedDodfs> {
  const out = new Map<string, ListedDodfs>();
  for (const p of state.odf?.dodfPaths ?? []) {
    const fid = fidOfPath(p);
    const o = dodfOwner(plan.authorities, fid);
    if (!o) continue;
    const l = out.get(o.authority.name) ?? { bank: o.bank, fids: [] };
    if (l.bank === o.bank) l.fids.push(fid);
    out.set(o.authority.name, l);
  }
  return out;
}

/** What the card holds for a planned file: the entry with its label and OID in a DODF of its authority. */
export function cardFileFor(state: CardState, plan: CardPlan, f: PlannedFile) {
  return state.files.find((c) => c.oid === f.oid && c.label === f.label && dodfOwner(plan.authorities, c.dodf)?.authority.name === f.authority);
}

const pathFid = (hex: string): number => parseInt(hex.slice(-4), 16);

/** Files: unchanged ones stay in their slot, changed ones go to the slot not in use. */
function compareFiles(plan: CardPlan, before: CardState) {
  const steps: Step[] = [];
  const active = new Map<string, number>();
  const unchanged: PlanDiff['unchanged'] = [];
  for (const f of plan.files) {
    const c = cardFileFor(before, plan, f);
    const cur = c ? pathFid(c.path) : undefined;
    const inSlots = cur !== undefined && f.slots.includes(cur);
    if (c?.content && inSlots && sameFields(c.content.fields, f.fields)) {
      active.set(f.id, cur!);
      unchanged.push({ file: f, fid: cur!, bytes: c.content.length });
      continue;
    }
    const target = cur !== undefined && inSlots ? (cur === f.slots[0] ? f.slots[1] : f.slots[0]) : f.slots[0];
    steps.push({ file: f, ...(cur !== undefined ? { current: cur } : {}), target });
    active.set(f.id, target);
  }
  return { steps, active, unchanged };
}

const haveBytes = (before: CardState, fid: number): Uint8Array => used(before.dodfs.find((d) => d.fid === fid)?.bytes);

/**
 * DODFs whose entries differ. An authority whose parts are listed and of which one differs gets
 * that one rewritten in place (one UPDATE BINARY: atomic); any other change writes all its parts
 * into the other bank, and EF.ODF switches to them in one command.
 */
function compareDodfs(plan: CardPlan, before: CardState, active: Map<string, number>, parts: DodfPart[], banksNow: Map<string, ListedDodfs>) {
  const dodfWant = new Map<number, Uint8Array>();
  const bankNext = new Map<string, number>();
  for (const a of plan.authorities) {
    const mine = parts.filter((p) => p.authority === a.name);
    const now = banksNow.get(a.name);
    const bank = now?.bank ?? 0;
    const want = mine.map((p) => ({ fid: partFid(plan, p, bank), bytes: partBytes(p, active) }));
    bankNext.set(a.name, bank);
    const sameSet = !!now && now.fids.length === want.length && want.every((w) => now.fids.includes(w.fid));
    // the searchOID index (layout.ts) follows in place: it never makes a switch non-atomic
    const differ = want.filter((w, i) => !mine[i]!.omapi && !bytesEqual(haveBytes(before, w.fid), w.bytes));
    const index = want.filter((w, i) => mine[i]!.omapi && !bytesEqual(haveBytes(before, w.fid), w.bytes));
    if (!now) for (const w of want) dodfWant.set(w.fid, w.bytes);
    else if (sameSet && differ.length <= 1 && differ.every((w) => w.bytes.length <= DODF_MAX))
      for (const w of [...differ, ...index]) dodfWant.set(w.fid, w.bytes);
    else {
      bankNext.set(a.name, 1 - bank);
      for (const p of mine) dodfWant.set(partFid(plan, p, 1 - bank), partBytes(p, active));
    }
  }
  return { dodfWant, bankNext };
}

/** EF.ODF's entries after the write: every part in its authority's next bank, in layout order. */
export function odfWanted(plan: CardPlan, parts: DodfPart[], bankNext: Map<string, number>): Uint8Array {
  return odfBytes(parts.map((p) => partFid(plan, p, bankNext.get(p.authority) ?? 0)));
}

export function odfDiffers(plan: CardPlan, before: CardState, parts: DodfPart[], bankNext: Map<string, number>): boolean {
  return !before.odf || !bytesEqual(used(before.odf.bytes), odfWanted(plan, parts, bankNext));
}

export function diffPlan(plan: CardPlan, before: CardState): PlanDiff {
  const banksNow = dodfsInUse(before, plan);
  const parts = dodfParts(plan);
  const { steps, active, unchanged } = compareFiles(plan, before);
  const { dodfWant, bankNext } = compareDodfs(plan, before, active, parts, banksNow);
  const ti = before.tokenInfo;
  const tokenChanged =
    !ti ||
    ti.label !== plan.tokenInfo.label ||
    ti.manufacturerID !== plan.tokenInfo.manufacturerID ||
    !bytesEqual(ti.serialNumber, plan.tokenInfo.serialNumber) ||
    ti.tokenflags.join() !== plan.tokenInfo.tokenflags.join();
  return {
    before,
    steps,
    active,
    unchanged,
    parts,
    banksNow,
    bankNext,
    dodfWant,
    odfChanged: odfDiffers(plan, before, parts, bankNext),
    tokenChanged,
    dirMissing: !before.dir,
    appMissing: !before.present,
  };
}

/** Anything to send at all. */
export const anythingToWrite = (d: PlanDiff): boolean => d.steps.length > 0 || d.dodfWant.size > 0 || d.odfChanged || d.tokenChanged || d.dirMissing;
