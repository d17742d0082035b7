/**
 * Walking a card's file tree without knowing it in advance (`ls -R`, dump): the applications in
 * EF.DIR (TS 102 221 13.1), then in every DF the files the catalogue knows for it, each probed by
 * SELECT; optionally ('deep') every FID of the usual ranges as well (TS 102 221 8.2: EFs under
 * the MF 2Fxx, DFs 7Fxx; under a DF/ADF, EFs 6Fxx and DFs 5Fxx; under a second-level DF, EFs 4Fxx).
 */
import { SwError } from '../apdu/sw.js';
import { hexNum, toHex } from '../util/hex.js';
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

/**
 * Lists the files under `path` (a DF, ADF or the MF); depth-first, each DF before its files.
 * `onFile` runs right after the file's SELECT, so reading it there costs no second SELECT.
 */
export async function walk(fs: CardFs, path = 'MF', opts: WalkOptions = {}): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  const seen = new Set<string>();
  const probe = opts.probe ?? 'catalogue';
  const visit = async (df: FileInfo, depth: number): Promise<void> => {
    seen.add(df.path);
    out.push(df);
    await opts.onFile?.(df, depth);
    const dfs: FileInfo[] = [];
    await listDf(fs, df, probe, async (c) => {
      if (seen.has(c.path)) return;
      if (c.type !== 'EF' && opts.recursive !== false) {
        dfs.push(c);
        return;
      }
      seen.add(c.path);
      out.push(c);
      await opts.onFile?.(c, depth + 1);
    });
    for (const c of dfs) {
      if (seen.has(c.path)) continue;
      // selected again: its children were probed after it
      await visit(await fs.select(c.path), depth + 1);
    }
  };
  const root = await fs.select(path);
  if (root.type === 'EF') return [root];
  await visit(root, 0);
  return out;
}

/** The files directly under `df` that answer to SELECT. */
export async function listDf(fs: CardFs, df: FileInfo, probe: 'catalogue' | 'deep', onFound?: (f: FileInfo) => void | Promise<void>): Promise<FileInfo[]> {
  const found: FileInfo[] = [];
  const fids = new Set<number>();
  const depth = df.path.split('/').length;
  const tryPath = async (p: string): Promise<void> => {
    let f: FileInfo;
    try {
      f = await fs.select(p);
    } catch (e) {
      if (!(e instanceof FileNotFoundError) && !(e instanceof SwError)) throw e;
      return;
    }
    // SELECT by FID may also reach the parent's DFs (TS 102 221 8.4.1): keep only files really under df
    if (!f.path.startsWith(df.path + '/') || f.path.split('/').length !== depth + 1) return;
    if (f.type === 'EF' || f.type === 'DF') fids.add(f.fid);
    found.push(f);
    await onFound?.(f);
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
    const ranges = df.type === 'MF' ? [0x2f00, 0x7f00] : depth <= 2 ? [0x6f00, 0x5f00] : [0x4f00];
    for (const base of ranges) {
      for (let fid = base; fid <= base + 0xff; fid++) {
        if (fids.has(fid)) continue;
        await tryPath(`${df.path}/${hexNum(fid, 4)}`);
      }
    }
  }
  return found;
}
