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
    const listed = await listDf(fs, df, probe, async (c) => {
      if (seen.has(c.path)) return;
      if (c.type !== 'EF' && opts.recursive !== false) {
        dfs.push(c);
        return;
      }
      seen.add(c.path);
      out.push(c);
      await opts.onFile?.(c, depth + 1);
    });
    // in the listing's order; the first was probed last, so it is still selected (no second SELECT)
    dfs.sort((a, b) => listed.indexOf(a) - listed.indexOf(b));
    for (const c of dfs) {
      if (seen.has(c.path)) continue;
      await visit(await fs.select(c.path), depth + 1);
    }
  };
  const root = await fs.select(path);
  if (root.type === 'EF') return [root];
  await visit(root, 0);
  return out;
}

/**
 * The files directly under `df` that answer to SELECT, in the catalogue's order (under the MF the
 * applications of EF.DIR first). They are probed in another order that spares SELECTs: the EFs
 * first (under the MF EF.DIR among them, so that a dump's read of it serves EF.DIR's application
 * list too), then the DFs and ADFs last to first, so that the first of them is still the current
 * DF when the walk descends into it.
 */
export async function listDf(fs: CardFs, df: FileInfo, probe: 'catalogue' | 'deep', onFound?: (f: FileInfo) => void | Promise<void>): Promise<FileInfo[]> {
  const found: { f: FileInfo; at: number }[] = [];
  const fids = new Set<number>();
  const depth = df.path.split('/').length;
  const tryPath = async (p: string, at: number): Promise<void> => {
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
    found.push({ f, at });
    await onFound?.(f);
  };
  const entry: CatalogueEntry | undefined = df.entry;
  const children = (entry?.children ?? []).filter((c) => c.kind !== 'ADF');
  // places in the listing: the applications (negative) before the catalogue's files, then the deep probes
  for (const [i, c] of children.entries()) if (c.kind === 'EF') await tryPath(`${df.path}/${c.name}`, i);
  const dfs: [string, number][] = children.flatMap((c, i): [string, number][] => (c.kind === 'EF' ? [] : [[`${df.path}/${c.name}`, i]]));
  if (df.type === 'MF') {
    // EF.DIR names the applications (ADFs have no FID to probe)
    const apps = await fs.applications();
    const adfs = new Set<string>();
    apps.forEach((a, i) => {
      const name = a.name && !adfs.has(a.name) ? a.name : `AID:${toHex(a.aid)}`;
      adfs.add(name);
      dfs.unshift([`MF/${name}`, i - apps.length]);
    });
  }
  for (const [p, at] of dfs.reverse()) await tryPath(p, at);
  if (probe === 'deep') {
    const ranges = df.type === 'MF' ? [0x2f00, 0x7f00] : depth <= 2 ? [0x6f00, 0x5f00] : [0x4f00];
    for (const base of ranges) {
      for (let fid = base; fid <= base + 0xff; fid++) {
        if (fids.has(fid)) continue;
        await tryPath(`${df.path}/${hexNum(fid, 4)}`, children.length + fid);
      }
    }
  }
  return found.sort((a, b) => a.at - b.at).map((x) => x.f);
}
