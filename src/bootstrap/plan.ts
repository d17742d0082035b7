/**
 * What simdm intends the card to hold: the PKCS#15 application, its management authorities
 * (OMA DM Bootstrap 6.2.5: each authority's ADM key owns its DODF and files), and the bootstrap
 * files with their content bytes. Built from a profile (profile/compile.ts) or from a backup
 * (rollback). The directory bytes (EF.ODF, EF.DODF, EF.TokenInfo) are derived here.
 */
import { encodeDer } from './asn1/codec.js';
import { type DataType, DataTypeType } from './asn1/data-type.js';
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
  /** secret values in the content (kept in memory only: to keep them out of scripts) */
  secretValues: { name: string; value: string }[];
}

export function authorityOf(plan: CardPlan, name: string): PlanAuthority {
  const a = plan.authorities.find((x) => x.name === name);
  if (!a) throw new Error(`no authority ${name}`);
  return a;
}

/**
 * The second FID of an authority's DODF: a DODF too long for one UPDATE BINARY (255 bytes) is
 * written whole into its other FID and EF.ODF (one command) switches to it.
 */
export const altDodf = (fid: number): number => fid + 0x0100;

/** EF.ODF: one dataObjects entry per authority's DODF (PKCS #15 6.2), at the FID in use. */
export function odfBytes(plan: CardPlan, dodfInUse?: Map<string, number>): Uint8Array {
  const parts = plan.authorities.map((a) => encodeDer<OdfEntry>(OdfEntryType, { kind: 'dataObjects', value: { kind: 'path', value: { path: fidBytes(dodfInUse?.get(a.name) ?? a.dodf) } } }));
  return concat(parts);
}

export function tokenInfoBytes(plan: CardPlan): Uint8Array {
  return encodeDer(TokenInfoType, plan.tokenInfo);
}

export interface DodfItem {
  label: string;
  oid: string;
  fid: number;
}

/**
 * An authority's EF.DODF: for each file an opaqueDO carrying the OID as applicationOID (what
 * LwM2M Core G.3.2 describes and OpenSC lists), then for each file an oidDO with the OID and the
 * path (what OMA DM Bootstrap, the Open Mobile API and the nRF LwM2M client read). The opaque
 * entries come first: OpenSC stops at the first entry it cannot parse.
 */
export function dodfBytes(items: DodfItem[]): Uint8Array {
  const opaque = items.map((f) =>
    encodeDer<DataType>(DataTypeType, {
      kind: 'opaqueDO',
      value: { commonObjectAttributes: { label: f.label }, classAttributes: { applicationOID: f.oid }, typeAttributes: { kind: 'indirect', value: { path: fidBytes(f.fid) } } },
    }),
  );
  const oid = items.map((f) =>
    encodeDer<DataType>(DataTypeType, {
      kind: 'oidDO',
      value: { commonObjectAttributes: { label: f.label }, classAttributes: {}, typeAttributes: { id: f.oid, value: { kind: 'indirect', value: { path: fidBytes(f.fid) } } } },
    }),
  );
  return concat([...opaque, ...oid]);
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

/** ICCID digits from EF.ICCID (TS 102 221 13.2: BCD, nibbles swapped, F padding). */
export function iccidDigits(ef: Uint8Array): string {
  let s = '';
  for (const b of ef) s += (b & 0x0f).toString(16) + (b >> 4).toString(16);
  return s.replace(/f+$/i, '').toUpperCase();
}

/** IMSI digits from EF.IMSI (TS 31.102 4.2.2): length, then BCD with the parity nibble first. */
export function imsiDigits(ef: Uint8Array): string {
  const n = ef[0] ?? 0;
  let s = '';
  for (const b of ef.subarray(1, 1 + n)) s += (b & 0x0f).toString(16) + (b >> 4).toString(16);
  return s.slice(1).replace(/f+$/i, '');
}
