/**
 * Checks of a card image beyond its JSON shape, each failing with the JSON path at fault:
 * - depth: at most MAX_DF_DEPTH levels of DFs below the MF, checked iteratively on the raw JSON
 *   before the schema walks it (a 5,000-deep tree must not exhaust the stack);
 * - FIDs unique among the children of one DF (ISO 7816-4 5.3.1.1; TS 102 221 8.3: a file is
 *   selected by its FID from its parent, so two files of one FID make one unreachable), and none
 *   equal to the DF's own FID;
 * - SFIs unique among the EFs of one DF (TS 102 221 8.3): an explicit SFI may not be shared,
 *   also not with the SFI an EF without tag 88 answers to (the FID's low 5 bits, 11.1.1.4.8). SFI 0 and values above 30 are not SFIs
 *   (ISO 7816-4 5.3.1.1); the schema refuses them.
 * Nothing here quotes file content or PIN values.
 */
import { effectiveSfi } from './fs.js';
import type { FileImage } from './image.js';
import { hexNum } from '../util/hex.js';

/** DF levels below the MF a card image may have (MF/DF/DF/... : 8 is far beyond any real card). */
export const MAX_DF_DEPTH = 8;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Depth check on the raw JSON: the first path deeper than MAX_DF_DEPTH, or undefined. */
export function tooDeep(mf: unknown): string | undefined {
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: mf, depth: 0, path: 'mf' }];
  while (stack.length) {
    const { node, depth, path } = stack.pop()!;
    if (!isObject(node)) continue;
    // a DF at depth d (the MF is 0) may be at most MAX_DF_DEPTH deep; its EFs one deeper
    if (depth > MAX_DF_DEPTH && (node.type !== 'EF' || depth > MAX_DF_DEPTH + 1)) return path;
    if (!Array.isArray(node.children)) continue;
    (node.children as unknown[]).forEach((c, i) => stack.push({ node: c, depth: depth + 1, path: `${path}.children.${i}` }));
  }
  return undefined;
}

/** FID and SFI uniqueness in each DF; returns "path: message" of the first fault. */
export function treeFault(mf: FileImage): string | undefined {
  if (mf.type !== 'MF' || mf.fid.toUpperCase() !== '3F00') return 'mf: the root must be the MF, type "MF", FID 3F00';
  const stack: { f: FileImage; path: string }[] = [{ f: mf, path: 'mf' }];
  while (stack.length) {
    const { f, path } = stack.pop()!;
    const kids = f.children ?? [];
    if (f.type === 'EF') {
      if (kids.length) return `${path}.children: an EF has no children`;
      continue;
    }
    const own = parseInt(f.fid, 16);
    const fids = new Map<number, number>();
    const sfis = new Map<number, { i: number; explicit: boolean }>();
    for (const [i, c] of kids.entries()) {
      const at = `${path}.children.${i}`;
      const fid = parseInt(c.fid, 16);
      if (c.type === 'MF') return `${at}.type: only the root is the MF`;
      if (fid === own) return `${at}.fid: FID ${hexNum(fid, 4)} is the FID of its parent DF`;
      if (fid === 0x3f00 || fid === 0x3fff || fid === 0x7fff || fid === 0xffff)
        return `${at}.fid: FID ${hexNum(fid, 4)} is reserved (ISO 7816-4 5.3.1.1, TS 102 221 8.3)`;
      const dup = fids.get(fid);
      if (dup !== undefined) return `${at}.fid: duplicate FID ${hexNum(fid, 4)} in ${f.name ?? hexNum(own, 4)} (also ${path}.children.${dup})`;
      fids.set(fid, i);
      if (c.type === 'EF') {
        const sfi = effectiveSfi({ fid, ...(c.sfi !== undefined ? { sfi: c.sfi } : {}) });
        if (sfi !== null) {
          const explicit = c.sfi !== undefined;
          const other = sfis.get(sfi);
          // two EFs without tag 88 (as CREATE FILE without an SFI leaves them) may share the
          // FID-derived value; an explicit SFI must be the only one of its value
          if (other && (explicit || other.explicit)) {
            const implicit = explicit ? '' : ' (no "sfi": the low 5 bits of its FID; "sfi": null for none)';
            return `${at}.sfi: duplicate SFI ${sfi} in ${f.name ?? hexNum(own, 4)}${implicit} (also ${path}.children.${other.i})`;
          }
          if (!other || explicit) sfis.set(sfi, { i, explicit });
        }
      }
      stack.push({ f: c, path: at });
    }
  }
  return undefined;
}
