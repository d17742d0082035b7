/**
 * What simdm intends the card to hold: the PKCS#15 application, its management authorities
 * (OMA DM Bootstrap 6.2.5: each authority's ADM key owns its DODF and files), and the bootstrap
 * files with their content bytes. Built from a profile (profile/compile.ts) or from a backup
 * (rollback). The directory bytes (EF.ODF, EF.DODF, EF.TokenInfo) are derived here.
 */
import { encodeDer } from '../codec/asn1/codec.js';
import { type DataType, DataTypeType, OmapiEntryType } from './asn1/data-type.js';
import { type OdfEntry, OdfEntryType } from './asn1/odf.js';
import { type TokenInfo, TokenInfoType } from './asn1/token-info.js';
import { fidBytes } from './card-io.js';
import type { BootstrapKind } from './oids.js';

export interface PlanAuthority {
  name: string;
  /** ADM key name, e.g. ADM1 */
  key: string;
  /** FID of the authority's DODF inside DF.PKCS15 */
  dodf: number;
}

export interface PlannedFile {
  id: string;
  kind: BootstrapKind;
  oid: string;
  label: string;
  authority: string;
  /** the two slots; the file is written to the one not in use, then the DODF switches */
  slots: [number, number];
  /** size to create the file with (virtual card); default: the content length */
  size?: number;
  bytes: Uint8Array;
  /** field-level view of the content, for comparison with the card (req. 6.3.4.16) */
  fields: Record<string, string>;
}

export interface CardPlan {
  name: string;
  aid: Uint8Array;
  appFid: number;
  appLabel: string;
  owner: string;
  authorities: PlanAuthority[];
  tokenInfo: TokenInfo;
  indications: { userConfirmation: boolean; autoConnect: boolean };
  files: PlannedFile[];
  /** layout options (layout.ts): `omapi` adds a DODF in the Open Mobile API's searchOID form */
  layout?: { omapi?: boolean };
  /** secret values in the content (kept in memory only: to keep them out of scripts) */
  secretValues: { name: string; value: string }[];
}

export function authorityOf(plan: CardPlan, name: string): PlanAuthority {
  const a = plan.authorities.find((x) => x.name === name);
  if (!a) throw new Error(`no authority ${name}`);
  return a;
}

/**
 * The DODF FIDs of an authority (base `a.dodf`, 6430 + its index): chunk `j` of bank `b` is
 * base + 0x100*b + 0x200*j. Entries are split into chunks of at most 255 bytes (one UPDATE
 * BINARY each, and under the 256 bytes a device reads with one READ BINARY Le=00); a switch that
 * touches more than one chunk writes the whole set into the other bank and EF.ODF (one command)
 * switches to it. Cards written before the split have chunk 0 only, in either bank: bank 1 held
 * a DODF too long for one command (6530).
 */
export const dodfFid = (base: number, bank: number, chunk: number): number => base + 0x100 * bank + 0x200 * chunk;
export const MAX_DODF_CHUNKS = 8;
/** The most bytes a DODF is given (one short UPDATE BINARY; nRF91 reads 256 bytes of it). */
export const DODF_MAX = 255;

/** Bank 1, chunk 0: the second DODF of an authority (the pre-split "moved" DODF). */
export const altDodf = (fid: number): number => dodfFid(fid, 1, 0);

/** The authority owning DODF `fid`, with its bank and chunk. */
export function dodfOwner<A extends { dodf: number }>(authorities: readonly A[], fid: number): { authority: A; bank: number; chunk: number } | undefined {
  for (const a of authorities) {
    const d = fid - a.dodf;
    if (d < 0 || d % 0x100 !== 0) continue;
    const k = d / 0x100;
    const chunk = k >> 1;
    if (chunk < MAX_DODF_CHUNKS) return { authority: a, bank: k & 1, chunk };
  }
  return undefined;
}

/** EF.ODF: one dataObjects entry per DODF (PKCS #15 6.2), in the order given. */
export function odfBytes(dodfs: readonly number[]): Uint8Array {
  return concat(dodfs.map((fid) => encodeDer<OdfEntry>(OdfEntryType, { kind: 'dataObjects', value: { kind: 'path', value: { path: fidBytes(fid) } } })));
}

export function tokenInfoBytes(plan: CardPlan): Uint8Array {
  return encodeDer(TokenInfoType, plan.tokenInfo);
}

export interface DodfItem {
  label: string;
  oid: string;
  fid: number;
}

/** The opaqueDO entry of a file: the OID as applicationOID (LwM2M Core 1.1.1 Appendix G.3; OpenSC lists these). */
export function opaqueEntry(f: DodfItem): Uint8Array {
  return encodeDer<DataType>(DataTypeType, {
    kind: 'opaqueDO',
    value: {
      commonObjectAttributes: { label: f.label },
      classAttributes: { applicationOID: f.oid },
      typeAttributes: { kind: 'indirect', value: { path: fidBytes(f.fid) } },
    },
  });
}

/**
 * The oidDO entry of a file (PKCS #15 v1.1 6.7.4; what the nRF91 LwM2M client reads): its
 * CommonDataObjectAttributes carry applicationName, as PKCS #15 v1.1 6.7 requires (WITH
 * COMPONENTS {..., applicationName PRESENT} | {..., applicationOID PRESENT}) and as the LwM2M
 * example does (applicationName "LwM2M Bootstrap"); before, simdm wrote an empty `30 00`.
 */
export function oidEntry(f: DodfItem): Uint8Array {
  return encodeDer<DataType>(DataTypeType, {
    kind: 'oidDO',
    value: {
      commonObjectAttributes: { label: f.label },
      classAttributes: { applicationName: f.label },
      typeAttributes: { id: f.oid, value: { kind: 'indirect', value: { path: fidBytes(f.fid) } } },
    },
  });
}

/**
 * One EF.DODF: for each file an opaqueDO, then for each file an oidDO. The opaque entries come
 * first: OpenSC stops reading a DODF at the first entry it cannot parse (an oidDO).
 */
export function dodfBytes(items: DodfItem[]): Uint8Array {
  return concat([...items.map(opaqueEntry), ...items.map(oidEntry)]);
}

/**
 * The DODF the Open Mobile API's PKCS15Provider.searchOID reads (seek-for-android; its javadoc
 * attributes the form to OMA DM's smart-card bootstrap): its FIRST TLV is `A7`, holding one
 * SEQUENCE per file whose first element is the OID and whose next element is the file's Path:
 *   A7 { 30 { 06 oid, 30 { 04 path } } ... }
 * It is not a PKCS#15 DataType: a strict PKCS#15 reader refuses this DODF, OpenSC skips it,
 * the nRF91 client never reads it (it is not the last DODF).
 */
export function omapiDodf(items: DodfItem[]): Uint8Array {
  const body = concat(items.map((f) => encodeDer(OmapiEntryType, { id: f.oid, path: { path: fidBytes(f.fid) } })));
  return concat([Uint8Array.of(0xa7), derLength(body.length), body]);
}

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  return n < 0x100 ? Uint8Array.of(0x81, n) : Uint8Array.of(0x82, n >> 8, n & 0xff);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The other slot of a file FID (rollback of a file at a FID outside any known pair). */
export function slotPair(fid: number): [number, number] {
  return fid % 2 === 0 ? [fid, fid + 1] : [fid - 1, fid];
}
