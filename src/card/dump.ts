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
import { CardFsError, FileNotFoundError } from './errors.js';
import type { CardFs, FileInfo } from './fs.js';
import { pinStatus } from './pin.js';
import type { EfCodec, Json } from './codecs/types.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';
import { LayoutReader, type DumpMeta } from './dump-layout.js';
import { walk, type WalkOptions } from './walk.js';

export const DUMP_FORMAT = 'simdm-dump/1';

export interface DumpFile extends DumpMeta {
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
  /** with a layout: its files the card answered otherwise, read again by probing (or left out: not on the card) */
  stale?: number;
}

/** The metadata of a dump entry, in the order a dump prints them (one table for both ways of dumping). */
const META_KEYS = [
  'path',
  'fid',
  'type',
  'aid',
  'structure',
  'size',
  'recordLength',
  'recordCount',
  'sfi',
  'lcs',
  'access',
] as const satisfies readonly (keyof DumpMeta)[];

function metaOf(m: DumpMeta): DumpFile {
  const d: Record<string, unknown> = {};
  for (const k of META_KEYS) if (m[k] !== undefined) d[k] = k === 'access' ? { ...m.access } : m[k];
  return d as unknown as DumpFile;
}

function entryOf(f: FileInfo): DumpFile {
  return metaOf({
    path: f.path,
    fid: hexNum(f.fid, 4),
    type: f.type,
    ...(f.aid ? { aid: toHex(f.aid) } : {}),
    ...(f.structure ? { structure: f.structure } : {}),
    ...(f.size !== undefined ? { size: f.size } : {}),
    ...(f.recordLength !== undefined ? { recordLength: f.recordLength } : {}),
    ...(f.recordCount !== undefined ? { recordCount: f.recordCount } : {}),
    ...(f.sfi !== undefined ? { sfi: f.sfi } : {}),
    ...(f.lcs ? { lcs: f.lcs } : {}),
    ...(f.access ? { access: Object.fromEntries(Object.entries(f.access).filter((e): e is [string, string] => typeof e[1] === 'string')) } : {}),
  });
}

/** Puts what was read into the entry, decoded where the catalogue has a codec for the file. */
function fill(d: DumpFile, codec: EfCodec | undefined, read: { content: Uint8Array } | { records: Uint8Array[] }): void {
  if ('records' in read) {
    d.records = read.records.map((r) => toHex(r));
    if (codec?.unit === 'record') {
      try {
        d.decoded = read.records.map((r) => codec.decode(r));
      } catch (e) {
        d.decodeError = (e as Error).message;
      }
    }
  } else {
    d.content = toHex(read.content);
    if (codec?.unit === 'content') {
      try {
        d.decoded = codec.decode(read.content);
      } catch (e) {
        d.decodeError = (e as Error).message;
      }
    }
  }
}

/** Reads one EF's content into its dump entry (the EF must be selected / selectable by path). */
export async function readEntry(fs: CardFs, f: FileInfo, d: DumpFile = entryOf(f)): Promise<DumpFile> {
  try {
    if (f.structure === 'linear-fixed' || f.structure === 'cyclic') fill(d, f.entry?.codec, { records: await fs.readRecords(f.path) });
    else if (f.structure === 'transparent') fill(d, f.entry?.codec, { content: await fs.readBinary(f.path) });
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
  /** known paths (e.g. of an earlier dump): select exactly these files (with their FCPs), probe nothing */
  paths?: readonly string[];
  /**
   * a known layout (the files of an earlier dump of a card of the same kind): read exactly these
   * files in the fewest APDUs, their metadata taken from the layout (dump-layout.ts); a file the
   * card answers otherwise is read again the probing way, or left out if the card does not have it
   */
  layout?: readonly DumpFile[];
}

/** The catalogue entry of a dump path ('MF/ADF.USIM/EF.IMSI'), for its codec. */
function catalogueAt(cat: Catalogue, path: string): CatalogueEntry | undefined {
  const [first, ...rest] = path.split('/');
  if (first !== 'MF') return undefined;
  let e: CatalogueEntry | undefined = cat.root;
  for (const p of rest) {
    if (!e) return undefined;
    e = p.toUpperCase().startsWith('AID:') ? cat.adfByAid(p.slice(4)) : cat.child(e, p);
  }
  return e;
}

export async function dumpCard(fs: CardFs, opts: DumpOptions = {}): Promise<{ dump: Dump; stats: DumpStats }> {
  const files: DumpFile[] = [];
  const stats: DumpStats = { files: 0, efs: 0, bytes: 0, unreadable: 0 };
  const add = (d: DumpFile): void => {
    files.push(d);
    stats.files++;
    if (d.type === 'EF') {
      stats.efs++;
      if (d.readError) stats.unreadable++;
      stats.bytes += d.content ? d.content.length / 2 : (d.records ?? []).reduce((n, r) => n + r.length / 2, 0);
    }
    opts.onFile?.(d);
  };
  // the walk has just selected f: reading it now costs no extra SELECT
  const visit = async (f: FileInfo): Promise<void> => add(f.type === 'EF' ? await readEntry(fs, f) : entryOf(f));
  if (opts.layout) {
    stats.stale = 0;
    const reader = new LayoutReader(fs.sender, opts.layout);
    for (const l of opts.layout) {
      const got = await reader.read(l);
      if (got !== 'stale') {
        const d = metaOf(l);
        if (got !== 'found') fill(d, catalogueAt(fs.catalogue, l.path)?.codec, got);
        add(d);
        continue;
      }
      // the card differs from the layout here: this file the way of an unknown card
      stats.stale++;
      try {
        await visit(await fs.select(l.path));
      } catch (e) {
        if (!(e instanceof FileNotFoundError)) throw e;
      }
      reader.forget();
    }
  } else if (opts.paths) {
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
