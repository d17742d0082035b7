/**
 * The catalogue of standard files: names, FIDs, SFIs, structures and codecs, so users type
 * 'MF/ADF.USIM/EF.IMSI' rather than hex. Derived from the card model (./spec/: one declaration per
 * file, per spec), with parent links and the lookups the file system and the CLI need. The tree is
 * also what `ls -R` probes on a card it does not know.
 */
import type { EfCodec } from './codecs/types.js';
import { CARD_MODEL } from './spec/index.js';
import type { AccessHint, DfDecl, EfStructure, FileDecl, FileKind, SizeRange } from './spec/model.js';

export type { EfStructure, FileKind } from './spec/model.js';

export interface CatalogueEntry {
  name: string;
  fid: number;
  kind: FileKind;
  structure?: EfStructure;
  sfi?: number;
  /** ADFs: the AID prefix (RID + application code, TS 101 220 / TS 31.102 Annex) */
  aid?: string;
  desc: string;
  spec: string;
  codec?: EfCodec;
  size?: SizeRange;
  access?: { read: AccessHint; update: AccessHint };
  children: CatalogueEntry[];
  parent?: CatalogueEntry;
}

/** A catalogue tree of the declarations, each entry linked to its parent. */
function entryOf(d: FileDecl, parent?: CatalogueEntry): CatalogueEntry {
  const { children, ...facts } = d as FileDecl & { children?: FileDecl[] };
  const e: CatalogueEntry = { ...facts, children: [] };
  if (parent) e.parent = parent;
  e.children = (children ?? []).map((c) => entryOf(c, e));
  return e;
}

function mf(model: DfDecl = CARD_MODEL): CatalogueEntry {
  return entryOf(model);
}

export class Catalogue {
  readonly root: CatalogueEntry;
  constructor(root: CatalogueEntry = mf()) {
    this.root = root;
  }

  /** A child of `parent` by name (case-insensitive, 'EF.' prefix optional) or FID. */
  child(parent: CatalogueEntry, key: string | number): CatalogueEntry | undefined {
    if (typeof key === 'number') return parent.children.find((c) => c.fid === key && c.kind !== 'ADF');
    const k = norm(key);
    return parent.children.find((c) => norm(c.name) === k || norm(c.name.replace(/^(EF|DF|ADF)\./, '')) === k);
  }

  /** The ADF entry whose AID prefix the card's AID starts with. */
  adfByAid(aid: string): CatalogueEntry | undefined {
    const a = aid.toUpperCase();
    return this.root.children.find((c) => c.kind === 'ADF' && c.aid && a.startsWith(c.aid));
  }

  /** Every entry, depth first. */
  *all(from: CatalogueEntry = this.root): Generator<CatalogueEntry> {
    yield from;
    for (const c of from.children) yield* this.all(c);
  }

  /** Every entry called `name` anywhere, shallowest first. */
  byName(name: string): CatalogueEntry[] {
    const k = norm(name);
    const hits = [...this.all()].filter((e) => norm(e.name) === k || norm(e.name.replace(/^(EF|DF|ADF)\./, '')) === k);
    return hits.sort((a, b) => depth(a) - depth(b));
  }

  /** 'MF/ADF.USIM/EF.IMSI' */
  pathOf(e: CatalogueEntry): string {
    const parts: string[] = [];
    for (let x: CatalogueEntry | undefined = e; x; x = x.parent) parts.unshift(x.name);
    return parts.join('/');
  }

  /** Up to `max` names close to `name` (edit distance), for "did you mean". */
  suggest(name: string, max = 3, within?: CatalogueEntry): string[] {
    const k = norm(name);
    const pool = within ? within.children : [...this.all()];
    const scored = pool
      .map((e) => {
        const n = norm(e.name);
        const bare = norm(e.name.replace(/^(EF|DF|ADF)\./, ''));
        const d = Math.min(distance(k, n), distance(k, bare), n.includes(k) || (k.length >= 3 && bare.startsWith(k)) ? 1 : 99);
        return { e, d };
      })
      .filter((x) => x.d <= Math.max(2, Math.floor(k.length / 3)));
    scored.sort((a, b) => a.d - b.d || depth(a.e) - depth(b.e));
    const out: string[] = [];
    for (const { e } of scored) {
      const p = this.pathOf(e);
      if (!out.includes(p)) out.push(p);
      if (out.length >= max) break;
    }
    return out;
  }
}

function depth(e: CatalogueEntry): number {
  let n = 0;
  for (let x = e.parent; x; x = x.parent) n++;
  return n;
}

function norm(s: string): string {
  return s.toUpperCase().replace(/[_\s-]/g, '');
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

let defaultCatalogue: Catalogue | undefined;
/** The standard catalogue (built once). */
export function standardCatalogue(): Catalogue {
  return (defaultCatalogue ??= new Catalogue());
}
