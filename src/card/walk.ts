/**
 * Walking a card's file tree without knowing it in advance (`ls -R`, dump): the applications in
 * EF.DIR (TS 102 221 13.1), then in every DF the files the catalogue knows for it, each probed by
 * SELECT; optionally ('deep') every FID of the usual ranges as well (TS 102 221 8.2: EFs under
 * the MF 2Fxx, DFs 7Fxx; under a DF/ADF, EFs 6Fxx and DFs 5Fxx; under a second-level DF, EFs 4Fxx).
 */
import { SwError } from '../apdu/sw.js';
import { toHex } from '../util/hex.js';
import type { CatalogueEntry } from './catalogue.js';
import { FileNotFoundError } from './errors.js';
import type { CardFs, FileInfo } from './fs.js';

export interface WalkOptions {
  /** 'catalogue' (default): probe the FIDs the catalogue knows; 'deep': also every FID of the usual ranges */
  probe?: 'catalogue' | 'deep';
  /** descend into DFs (default true) */
  recursive?: boolean;
  /** called for every file found, in depth-first order */
  onFile?: (f: FileInfo, depth: number) => void | Promise<void>;
}

const fidHex = (fid: number): string => fid.toString(16).toUpperCase().padStart(4, '0');

/** Lists the files under `path` (a DF, ADF or the MF); depth-first, the DF itself first. */
export async function walk(fs: CardFs, path = 'MF', opts: WalkOptions = {}): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  const seen = new Set<string>();
  const visit = async (df: FileInfo, depth: number): Promise<void> => {
    if (seen.has(df.path)) return;
    seen.add(df.path);
    out.push(df);
    await opts.onFile?.(df, depth);
    const children = await listDf(fs, df, opts.probe ?? 'catalogue');
    for (const c of children) {
      if (c.type === 'EF') {
        if (seen.has(c.path)) continue;
        seen.add(c.path);
        out.push(c);
        await opts.onFile?.(c, depth + 1);
      } else if (opts.recursive !== false) await visit(c, depth + 1);
      else {
        seen.add(c.path);
        out.push(c);
        await opts.onFile?.(c, depth + 1);
      }
    }
  };
  const root = await fs.select(path);
  if (root.type === 'EF') return [root];
  await visit(root, 0);
  return out;
}

/** The files directly under `df` that answer to SELECT. */
export async function listDf(fs: CardFs, df: FileInfo, probe: 'catalogue' | 'deep'): Promise<FileInfo[]> {
  const found: FileInfo[] = [];
  const fids = new Set<number>();
  const tryPath = async (p: string): Promise<void> => {
    try {
      const f = await fs.select(p);
      if (f.type === 'EF' || f.type === 'DF') fids.add(f.fid);
      found.push(f);
    } catch (e) {
      if (!(e instanceof FileNotFoundError) && !(e instanceof SwError)) throw e;
    }
  };
  const entry: CatalogueEntry | undefined = df.entry;
  if (df.type === 'MF') {
    // applications first: EF.DIR names them (ADFs have no FID to probe)
    const apps = await fs.applications();
    const adfs = new Set<string>();
    for (const a of apps) {
      const name = a.name && !adfs.has(a.name) ? a.name : `AID:${toHex(a.aid)}`;
      adfs.add(name);
      await tryPath(`MF/${name}`);
    }
  }
  for (const c of entry?.children ?? []) {
    if (c.kind === 'ADF') continue;
    await tryPath(`${df.path}/${c.name}`);
  }
  if (probe === 'deep') {
    const depth = df.path.split('/').length;
    const ranges = df.type === 'MF' ? [0x2f00, 0x7f00] : depth <= 2 ? [0x6f00, 0x5f00] : [0x4f00];
    for (const base of ranges) {
      for (let fid = base; fid <= base + 0xff; fid++) {
        if (fids.has(fid)) continue;
        await tryPath(`${df.path}/${fidHex(fid)}`);
      }
    }
  }
  // SELECT by FID may also reach the parent's DFs (TS 102 221 8.4.1): keep only files really under df
  return found.filter((f) => f.path.startsWith(df.path + '/') && f.path.split('/').length === df.path.split('/').length + 1);
}
