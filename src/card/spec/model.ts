/**
 * The card model: each file declared once, in the file of the spec that defines it
 * (ts-102-221.ts, ts-31-102.ts, ts-31-103.ts, ts-51-011.ts), with its FID, SFI, structure, size
 * range, access hints, clause and codec (the codec carries its test vectors). The catalogue
 * (../catalogue.ts), the generic codec tests and the virtual card's default image
 * (src/sim/default-image.ts) are derived from these declarations.
 */
import type { EfCodec } from '../codecs/types.js';

export type FileKind = 'MF' | 'DF' | 'ADF' | 'EF';
export type EfStructure = 'transparent' | 'linear-fixed' | 'cyclic' | 'ber-tlv';

/** What the spec's access-condition table says: PIN = the application PIN (PIN1/UPIN), ADM = an administrative key. */
export type AccessHint = 'ALW' | 'PIN' | 'PIN2' | 'ADM' | 'NEV';

export interface SizeRange {
  /** bytes of a transparent EF, or the record length of a record EF */
  min: number;
  /** absent: open-ended (X bytes in the spec) */
  max?: number;
}

export interface EfDecl {
  kind: 'EF';
  name: string;
  fid: number;
  structure: EfStructure;
  /** the SFI the spec gives the EF (absent: none, the file answers to no SFI) */
  sfi?: number;
  desc: string;
  /** spec and clause, e.g. '3GPP TS 31.102 4.2.2' */
  spec: string;
  codec?: EfCodec;
  size?: SizeRange;
  access?: { read: AccessHint; update: AccessHint };
}

export interface DfDecl {
  kind: 'MF' | 'DF' | 'ADF';
  name: string;
  fid: number;
  desc: string;
  spec: string;
  /** ADFs: the AID prefix (RID + application code, TS 101 220 / TS 31.102 Annex) */
  aid?: string;
  children: FileDecl[];
}

export type FileDecl = EfDecl | DfDecl;

const STRUCT = { t: 'transparent', l: 'linear-fixed', c: 'cyclic', b: 'ber-tlv' } as const satisfies Record<string, EfStructure>;

export interface EfExtra {
  codec?: EfCodec;
  /** [min, max] or [min] for open-ended; a single number for a fixed size */
  size?: number | [number, number?];
  /** 'PIN/ADM': read / update access condition of the spec's table */
  access?: `${AccessHint}/${AccessHint}`;
}

/** One row of a spec table: FID, name, structure (t/l/c/b), SFI, description, clause, extras. */
export type EfRow = [fid: number, name: string, structure: keyof typeof STRUCT, sfi: number | undefined, desc: string, clause: string, extra?: EfExtra];

export function efs(spec: string, rows: EfRow[]): EfDecl[] {
  return rows.map(([fid, name, s, sfi, desc, clause, x]) => {
    const e: EfDecl = { kind: 'EF', name, fid, structure: STRUCT[s], desc, spec: `${spec} ${clause}` };
    if (sfi !== undefined) e.sfi = sfi;
    if (x?.codec) {
      // a record codec belongs on a record EF and a content codec on a transparent one
      if ((x.codec.unit === 'record') !== (s === 'l' || s === 'c')) throw new Error(`${name}: codec ${x.codec.name} does not fit structure ${STRUCT[s]}`);
      e.codec = x.codec;
    }
    if (x?.size !== undefined) {
      const [min, max] = typeof x.size === 'number' ? [x.size, x.size] : x.size;
      e.size = max === undefined ? { min } : { min, max };
    }
    if (x?.access) {
      const [read, update] = x.access.split('/') as [AccessHint, AccessHint];
      e.access = { read, update };
    }
    return e;
  });
}

export function df(kind: 'DF' | 'ADF', fid: number, name: string, desc: string, spec: string, children: FileDecl[], aid?: string): DfDecl {
  return { kind, name, fid, desc, spec, children, ...(aid ? { aid } : {}) };
}

export const TS102 = 'ETSI TS 102 221';
export const TS31102 = '3GPP TS 31.102';
export const TS31103 = '3GPP TS 31.103';
export const TS51011 = '3GPP TS 51.011';

/** The EF called `name` directly under `parent` (throws: a declaration the code relies on is missing). */
export function efOf(parent: DfDecl, name: string): EfDecl {
  const e = parent.children.find((c): c is EfDecl => c.kind === 'EF' && c.name === name);
  if (!e) throw new Error(`${parent.name} declares no ${name}`);
  return e;
}
