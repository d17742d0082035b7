/**
 * Whole-card dump and restore. A dump holds every file the walk finds (walk.ts): DFs with their
 * AIDs, EFs with size/structure/access, raw content (hex, per record for record EFs) and the
 * decoded value where a codec exists. Files that cannot be read (access conditions) are listed
 * with the reason. Restore writes back only what differs, and refuses what it cannot write
 * (never-writable files, keys not verified, size or structure changed) with the reason, before
 * writing anything.
 */
import { SwError } from '../apdu/sw.js';
import { SimdmError } from '../errors.js';
import { bytesEqual, fromHex, hexNum, toHex } from '../util/hex.js';
import { keysOf } from './access.js';
import { CardFsError } from './errors.js';
import type { CardFs, FileInfo } from './fs.js';
import { pinStatus } from './pin.js';
import type { Json } from './codecs/types.js';
import { walk, type WalkOptions } from './walk.js';

export const DUMP_FORMAT = 'simdm-dump/1';

export interface DumpFile {
  path: string;
  fid: string;
  type: FileInfo['type'];
  aid?: string;
  structure?: string;
  size?: number;
  recordLength?: number;
  recordCount?: number;
  sfi?: number | null;
  lcs?: string;
  access?: Record<string, string>;
  /** transparent EFs */
  content?: string;
  /** record EFs, record 1 first */
  records?: string[];
  decoded?: Json;
  decodeError?: string;
  readError?: string;
}

export interface Dump {
  format: typeof DUMP_FORMAT;
  created: string;
  atr?: string;
  files: DumpFile[];
}

export interface DumpStats {
  files: number;
  efs: number;
  bytes: number;
  unreadable: number;
}

function entryOf(f: FileInfo): DumpFile {
  const d: DumpFile = { path: f.path, fid: hexNum(f.fid, 4), type: f.type };
  if (f.aid) d.aid = toHex(f.aid);
  if (f.structure) d.structure = f.structure;
  if (f.size !== undefined) d.size = f.size;
  if (f.recordLength !== undefined) d.recordLength = f.recordLength;
  if (f.recordCount !== undefined) d.recordCount = f.recordCount;
  if (f.sfi !== undefined) d.sfi = f.sfi;
  if (f.lcs) d.lcs = f.lcs;
  if (f.access) d.access = Object.fromEntries(Object.entries(f.access).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return d;
}

/** Reads one EF's content into its dump entry (the EF must be selected / selectable by path). */
export async function readEntry(fs: CardFs, f: FileInfo, d: DumpFile = entryOf(f)): Promise<DumpFile> {
  const codec = f.entry?.codec;
  try {
    if (f.structure === 'linear-fixed' || f.structure === 'cyclic') {
      const recs = await fs.readRecords(f.path);
      d.records = recs.map((r) => toHex(r));
      if (codec?.unit === 'record') {
        try {
          d.decoded = recs.map((r) => codec.decode(r));
        } catch (e) {
          d.decodeError = (e as Error).message;
        }
      }
    } else if (f.structure === 'transparent') {
      const c = await fs.readBinary(f.path);
      d.content = toHex(c);
      if (codec?.unit === 'content') {
        try {
          d.decoded = codec.decode(c);
        } catch (e) {
          d.decodeError = (e as Error).message;
        }
      }
    }
  } catch (e) {
    if (e instanceof SwError || e instanceof CardFsError) d.readError = e.message;
    else throw e;
  }
  return d;
}

export interface DumpOptions {
  probe?: WalkOptions['probe'];
  atr?: Uint8Array;
  onFile?: (d: DumpFile) => void;
  /** a known layout (e.g. the paths of an earlier dump): select exactly these files, probe nothing */
  paths?: readonly string[];
}

export async function dumpCard(fs: CardFs, opts: DumpOptions = {}): Promise<{ dump: Dump; stats: DumpStats }> {
  const files: DumpFile[] = [];
  const stats: DumpStats = { files: 0, efs: 0, bytes: 0, unreadable: 0 };
  const visit = async (f: FileInfo): Promise<void> => {
    // the walk has just selected f: reading it now costs no extra SELECT
    const d = f.type === 'EF' ? await readEntry(fs, f) : entryOf(f);
    files.push(d);
    stats.files++;
    if (f.type === 'EF') {
      stats.efs++;
      if (d.readError) stats.unreadable++;
      stats.bytes += d.content ? d.content.length / 2 : (d.records ?? []).reduce((n, r) => n + r.length / 2, 0);
    }
    opts.onFile?.(d);
  };
  if (opts.paths) {
    for (const p of opts.paths) await visit(await fs.select(p));
  } else {
    await walk(fs, 'MF', { ...(opts.probe ? { probe: opts.probe } : {}), onFile: visit });
  }
  const dump: Dump = { format: DUMP_FORMAT, created: new Date().toISOString(), ...(opts.atr ? { atr: toHex(opts.atr) } : {}), files };
  return { dump, stats };
}

// ---- restore --------------------------------------------------------------------------------

export class RestoreError extends SimdmError {
  constructor(message: string) {
    super('card.restore', message);
  }
}

export interface RestoreAction {
  path: string;
  /** 'write': differs and will be written; 'same': identical; 'refuse': cannot be written (reason) */
  action: 'write' | 'same' | 'refuse' | 'skip';
  reason?: string;
  /** for record EFs: the record numbers that differ */
  records?: number[];
  bytes?: number;
}

/** Parses and checks a dump file's JSON. */
export function parseDump(json: unknown, source = 'dump'): Dump {
  const o = json as Partial<Dump> | null;
  if (!o || typeof o !== 'object' || o.format !== DUMP_FORMAT || !Array.isArray(o.files)) {
    throw new RestoreError(`${source}: not a simdm dump (format '${DUMP_FORMAT}' with a files list expected)`);
  }
  o.files.forEach((f, i) => {
    if (!f || typeof f.path !== 'string') throw new RestoreError(`${source}: files[${i}] has no path`);
    if (f.content !== undefined && (typeof f.content !== 'string' || !/^([0-9A-Fa-f]{2})*$/.test(f.content)))
      throw new RestoreError(`${source}: ${f.path}: content is not hex`);
    if (f.records !== undefined && (!Array.isArray(f.records) || f.records.some((r) => typeof r !== 'string' || !/^([0-9A-Fa-f]{2})*$/.test(r)))) {
      throw new RestoreError(`${source}: ${f.path}: records must be a list of hex strings`);
    }
  });
  return o as Dump;
}

/** Compares the dump with the card: what would be written, what is identical, what cannot be written and why. */
export async function planRestore(fs: CardFs, dump: Dump): Promise<RestoreAction[]> {
  const plan: RestoreAction[] = [];
  const verified = new Map<string, boolean>();
  const isVerified = async (key: string): Promise<boolean> => {
    if (!verified.has(key)) {
      let v = false;
      try {
        v = (await pinStatus(fs.sender, key)).verified;
      } catch {
        v = false;
      }
      verified.set(key, v);
    }
    return verified.get(key)!;
  };
  for (const d of dump.files) {
    if (d.type !== 'EF') continue;
    if (d.content === undefined && d.records === undefined) {
      plan.push({ path: d.path, action: 'skip', reason: d.readError ? `not in the dump (${d.readError})` : 'no content in the dump' });
      continue;
    }
    let f: FileInfo;
    try {
      f = await fs.select(d.path);
    } catch (e) {
      plan.push({ path: d.path, action: 'refuse', reason: `not on this card: ${(e as Error).message}` });
      continue;
    }
    const cur = await readEntry(fs, f);
    if (cur.readError) {
      plan.push({ path: d.path, action: 'refuse', reason: `cannot read it to compare: ${cur.readError}` });
      continue;
    }
    let differs: number[] | boolean;
    let bytes = 0;
    if (d.content !== undefined) {
      if (f.structure !== 'transparent') {
        plan.push({ path: d.path, action: 'refuse', reason: `the dump has transparent content, the card's file is ${f.structure}` });
        continue;
      }
      const want = fromHex(d.content);
      if (f.size !== undefined && want.length !== f.size) {
        plan.push({ path: d.path, action: 'refuse', reason: `the dump has ${want.length} bytes, the card's file has ${f.size}` });
        continue;
      }
      differs = !bytesEqual(want, fromHex(cur.content ?? ''));
      bytes = want.length;
    } else {
      const want = d.records!;
      const have = cur.records ?? [];
      if (f.structure !== 'linear-fixed' && f.structure !== 'cyclic') {
        plan.push({ path: d.path, action: 'refuse', reason: `the dump has records, the card's file is ${f.structure}` });
        continue;
      }
      if (want.length !== have.length || want.some((r) => r.length / 2 !== f.recordLength)) {
        plan.push({
          path: d.path,
          action: 'refuse',
          reason: `the dump has ${want.length} records, the card's file has ${have.length} of ${f.recordLength} bytes`,
        });
        continue;
      }
      differs = want.map((r, i) => (r.toUpperCase() !== have[i] ? i + 1 : 0)).filter((n) => n > 0);
      if (f.structure === 'cyclic' && differs.length) {
        plan.push({ path: d.path, action: 'refuse', reason: 'cyclic file: records cannot be put back in place (UPDATE RECORD PREVIOUS only)' });
        continue;
      }
      bytes = differs.length * (f.recordLength ?? 0);
      if (!differs.length) differs = false;
    }
    if (!differs) {
      plan.push({ path: d.path, action: 'same' });
      continue;
    }
    const access = await fs.accessOf(f);
    const rule = access?.update;
    if (rule === 'NEV') {
      plan.push({ path: d.path, action: 'refuse', reason: 'the file can never be updated (access rule NEV)' });
      continue;
    }
    const keys = keysOf(rule);
    if (keys.length) {
      const ok = rule!.includes('&') ? (await Promise.all(keys.map(isVerified))).every(Boolean) : (await Promise.all(keys.map(isVerified))).some(Boolean);
      if (!ok) {
        plan.push({
          path: d.path,
          action: 'refuse',
          reason: `needs ${keys.join(rule!.includes('&') ? ' and ' : ' or ')}: verify first (--verify ${keys[0]!.toLowerCase()} with SIMDM_${keys[0]} set)`,
        });
        continue;
      }
    }
    plan.push({ path: d.path, action: 'write', bytes, ...(Array.isArray(differs) ? { records: differs } : {}) });
  }
  return plan;
}

/** Writes the 'write' actions of a plan. */
export async function applyRestore(fs: CardFs, dump: Dump, plan: RestoreAction[]): Promise<number> {
  let n = 0;
  const byPath = new Map(dump.files.map((f) => [f.path, f]));
  for (const a of plan) {
    if (a.action !== 'write') continue;
    const d = byPath.get(a.path)!;
    if (d.content !== undefined) await fs.updateBinary(a.path, fromHex(d.content));
    else for (const r of a.records ?? []) await fs.updateRecord(a.path, r, fromHex(d.records![r - 1]!));
    n++;
  }
  return n;
}
