/**
 * The virtual card's file tree at run time: bytes instead of hex, parent links, and conversion
 * back to the JSON image. Structure per ETSI TS 102 221 section 8 (MF, DF, ADF, EF).
 */
import { fromHex, hexNum, toHex } from '../util/hex.js';
import type { Access, FileImage } from './image.js';

export interface SimFile {
  fid: number;
  name?: string;
  type: 'MF' | 'DF' | 'ADF' | 'EF';
  aid?: Uint8Array;
  structure?: 'transparent' | 'linear-fixed' | 'cyclic';
  /** transparent content (length = file size) */
  content?: Uint8Array;
  /** records, each recordLength bytes */
  records?: Uint8Array[];
  recordLength?: number;
  /** 1..30, null = no SFI, undefined = default (FID b5-b1, TS 102 221 8.3) */
  sfi?: number | null;
  access: Access;
  lcs: 'operational' | 'deactivated' | 'terminated';
  children: SimFile[];
  parent?: SimFile;
}

export function fromImage(img: FileImage, parent?: SimFile): SimFile {
  const f: SimFile = {
    fid: parseInt(img.fid, 16),
    type: img.type,
    access: img.access ?? {},
    lcs: img.lcs ?? 'operational',
    children: [],
    ...(img.name ? { name: img.name } : {}),
    ...(parent ? { parent } : {}),
  };
  if (img.aid) f.aid = fromHex(img.aid);
  if (img.sfi !== undefined) f.sfi = img.sfi;
  if (img.type === 'EF') {
    f.structure = img.structure ?? 'transparent';
    if (f.structure === 'transparent') {
      const size = img.size ?? (img.content ? img.content.length / 2 : 0);
      const c = new Uint8Array(size).fill(0xff);
      if (img.content) c.set(fromHex(img.content).subarray(0, size));
      f.content = c;
    } else {
      const rl = img.recordLength ?? (img.records?.[0] ? img.records[0].length / 2 : 1);
      const n = img.recordCount ?? img.records?.length ?? 1;
      f.recordLength = rl;
      f.records = Array.from({ length: n }, (_, i) => {
        const r = new Uint8Array(rl).fill(0xff);
        const src = img.records?.[i];
        if (src) r.set(fromHex(src).subarray(0, rl));
        return r;
      });
    }
  }
  for (const c of img.children ?? []) f.children.push(fromImage(c, f));
  return f;
}

export function toImage(f: SimFile): FileImage {
  const img: FileImage = { fid: hexNum(f.fid, 4), type: f.type };
  if (f.name) img.name = f.name;
  if (f.aid) img.aid = toHex(f.aid);
  if (f.type === 'EF') {
    img.structure = f.structure ?? 'transparent';
    if (f.content) {
      img.size = f.content.length;
      img.content = toHex(f.content);
    }
    if (f.records) {
      img.recordLength = f.recordLength ?? 1;
      img.recordCount = f.records.length;
      img.records = f.records.map((r) => toHex(r));
    }
  }
  if (f.sfi !== undefined) img.sfi = f.sfi;
  if (Object.keys(f.access).length) img.access = f.access;
  if (f.lcs !== 'operational') img.lcs = f.lcs;
  if (f.type !== 'EF') img.children = f.children.map(toImage);
  return img;
}

export const isDf = (f: SimFile): boolean => f.type !== 'EF';

/**
 * The SFI a file answers to: explicit, none, or without tag 88 the FID's low 5 bits (TS 102 221
 * 11.1.1.4.8) when those make an SFI (1..30; 0 and 31 are not SFIs, ISO 7816-4 5.3.1.1).
 */
export function effectiveSfi(f: Pick<SimFile, 'fid' | 'sfi'>): number | null {
  if (f.sfi === null) return null;
  if (f.sfi !== undefined) return f.sfi;
  const low = f.fid & 0x1f;
  return low >= 1 && low <= 30 ? low : null;
}

/** Size in bytes an EF occupies (for free-space accounting). */
export function fileSize(f: SimFile): number {
  if (f.content) return f.content.length;
  if (f.records) return f.records.length * (f.recordLength ?? 0);
  return f.children.reduce((n, c) => n + fileSize(c), 0);
}

export function pathOf(f: SimFile): string {
  const parts: string[] = [];
  for (let x: SimFile | undefined = f; x; x = x.parent) parts.unshift(hexNum(x.fid, 4));
  return parts.join('/');
}
