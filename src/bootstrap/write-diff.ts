/**
 * Step 1 of a write (writer.ts): what the card holds against what the plan wants. Pure: no APDU.
 * Each file is compared by its canonical fields (OMA DM req. 6.3.4.16), each directory file by its
 * bytes without the trailing padding.
 */
import { bytesEqual } from '../util/hex.js';
import { altDodf, type CardPlan, dodfBytes, type DodfItem, odfBytes, type PlannedFile } from './plan.js';
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
  /** authority -> DODF FID EF.ODF lists now */
  dodfNow: Map<string, number>;
  /** authority -> DODF FID after the write (a DODF over 255 bytes moves to its other FID) */
  dodfNext: Map<string, number>;
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

/** Each authority's DODF FID in use: its own, or its second one when EF.ODF lists that instead. */
export function dodfsInUse(state: CardState, plan: CardPlan): Map<string, number> {
  const listed = new Set((state.odf?.dodfPaths ?? []).map(fidOfPath));
  return new Map(plan.authorities.map((a) => [a.name, listed.has(altDodf(a.dodf)) && !listed.has(a.dodf) ? altDodf(a.dodf) : a.dodf]));
}

/** What the card holds for a planned file: the DODF object in its authority's DODF with its label and OID. */
export function cardFileFor(state: CardState, inUse: Map<string, number>, f: PlannedFile) {
  const dodf = inUse.get(f.authority);
  return state.files.find((c) => c.dodf === dodf && c.oid === f.oid && c.label === f.label);
}

const pathFid = (hex: string): number => parseInt(hex.slice(-4), 16);

/** The DODF entries of one authority with each file at its slot in `active`. */
export function authorityDodf(plan: CardPlan, authority: string, active: Map<string, number>): Uint8Array {
  const items: DodfItem[] = plan.files.filter((f) => f.authority === authority).map((f) => ({ label: f.label, oid: f.oid, fid: active.get(f.id)! }));
  return dodfBytes(items);
}

/** Files: unchanged ones stay in their slot, changed ones go to the slot not in use. */
function compareFiles(plan: CardPlan, before: CardState, dodfNow: Map<string, number>) {
  const steps: Step[] = [];
  const active = new Map<string, number>();
  const unchanged: PlanDiff['unchanged'] = [];
  for (const f of plan.files) {
    const c = cardFileFor(before, dodfNow, f);
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

/** DODFs whose entries differ; one over 255 bytes moves to its authority's other DODF FID. */
function compareDodfs(plan: CardPlan, before: CardState, active: Map<string, number>, dodfNow: Map<string, number>) {
  const dodfWant = new Map<number, Uint8Array>();
  const dodfNext = new Map(dodfNow);
  for (const a of plan.authorities) {
    const want = authorityDodf(plan, a.name, active);
    const now = dodfNow.get(a.name)!;
    const have = before.dodfs.find((d) => d.fid === now);
    if (have && bytesEqual(used(have.bytes), want)) continue;
    const next = want.length > 255 ? (now === a.dodf ? altDodf(a.dodf) : a.dodf) : now;
    dodfNext.set(a.name, next);
    dodfWant.set(next, want);
  }
  return { dodfWant, dodfNext };
}

export function odfDiffers(plan: CardPlan, before: CardState, dodfNext: Map<string, number>): boolean {
  return !before.odf || !bytesEqual(used(before.odf.bytes), odfBytes(plan, dodfNext));
}

export function diffPlan(plan: CardPlan, before: CardState): PlanDiff {
  const dodfNow = dodfsInUse(before, plan);
  const { steps, active, unchanged } = compareFiles(plan, before, dodfNow);
  const { dodfWant, dodfNext } = compareDodfs(plan, before, active, dodfNow);
  const ti = before.tokenInfo;
  const tokenChanged =
    !ti || ti.label !== plan.tokenInfo.label || ti.manufacturerID !== plan.tokenInfo.manufacturerID || !bytesEqual(ti.serialNumber, plan.tokenInfo.serialNumber) || ti.tokenflags.join() !== plan.tokenInfo.tokenflags.join();
  return {
    before,
    steps,
    active,
    unchanged,
    dodfNow,
    dodfNext,
    dodfWant,
    odfChanged: odfDiffers(plan, before, dodfNext),
    tokenChanged,
    dirMissing: !before.dir,
    appMissing: !before.present,
  };
}

/** Anything to send at all. */
export const anythingToWrite = (d: PlanDiff): boolean => d.steps.length > 0 || d.dodfWant.size > 0 || d.odfChanged || d.tokenChanged || d.dirMissing;
