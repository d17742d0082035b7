/**
 * How a plan's DODF entries are laid out, so that every reader known to simdm finds them
 * (docs/profiles.md, "Device targets"):
 *
 *  - each DODF holds at most 255 bytes of entries (DODF_MAX): one UPDATE BINARY switches it, and
 *    the nRF91 LwM2M client reads one 256-byte block of it and rejects it whole when the last
 *    entry is cut off (nrfconnect/sdk-nrf lib/uicc_lwm2m/uicc_lwm2m.c, pkcs15_decode.c): an
 *    authority with more entries gets more DODFs (chunks), a file's two entries stay together;
 *  - the DODF holding the LwM2M entry is listed LAST in EF.ODF (that client keeps only the last
 *    dataObjects entry of EF.ODF), and that entry is the last oidDO of its DODF (it keeps the
 *    last oidDO carrying the OID): the first LwM2M file of the profile is the one devices load;
 *  - with `layout: { omapi: true }`, each authority also gets a DODF in the form the Open Mobile
 *    API's searchOID reads (plan.ts omapiDodf), listed first. It repeats the paths of the
 *    authority's DM and LwM2M files and is rewritten in place after the switch of the PKCS#15
 *    DODFs (write-diff.ts): each kind of reader sees the old bootstrap or the new one.
 *
 * The partition depends only on labels and OIDs (every path is one 2-byte FID), never on the
 * slots in use: a write moves a file between slots without moving it between DODFs.
 */
import { type BootstrapKind, FID } from './oids.js';
import { type CardPlan, DODF_MAX, dodfBytes, type DodfItem, dodfFid, oidEntry, omapiDodf, opaqueEntry, type PlannedFile } from './plan.js';

/** the kinds an Open Mobile API client searches (targets/omapi.ts) */
const OMAPI_KINDS: readonly BootstrapKind[] = ['dm', 'lwm2m'];

export interface DodfPart {
  authority: string;
  /** chunk number within the authority (0 first) */
  chunk: number;
  files: PlannedFile[];
  /** holds the LwM2M file devices load (listed last in EF.ODF) */
  lwm2m: boolean;
  /** the Open Mobile API searchOID form (plan.ts omapiDodf), listed first */
  omapi?: boolean;
}

const entrySize = (f: PlannedFile): number => {
  const item: DodfItem = { label: f.label, oid: f.oid, fid: 0 };
  return opaqueEntry(item).length + oidEntry(item).length;
};

/** The LwM2M file a device loads: the profile's first. */
export const primaryLwm2m = (plan: CardPlan): PlannedFile | undefined => plan.files.find((f) => f.kind === 'lwm2m');

/** Every authority's files in chunks of at most DODF_MAX bytes, in EF.ODF order. */
export function dodfParts(plan: CardPlan): DodfPart[] {
  const primary = primaryLwm2m(plan);
  const parts: DodfPart[] = [];
  for (const a of plan.authorities) {
    const files = plan.files.filter((f) => f.authority === a.name && f !== primary);
    if (primary?.authority === a.name) files.push(primary);
    let cur: DodfPart | undefined;
    let size = 0;
    for (const f of files) {
      const n = entrySize(f);
      if (!cur || size + n > DODF_MAX) {
        cur = { authority: a.name, chunk: cur ? cur.chunk + 1 : 0, files: [], lwm2m: false };
        parts.push(cur);
        size = 0;
      }
      cur.files.push(f);
      cur.lwm2m ||= f === primary;
      size += n;
    }
  }
  const last = parts.findIndex((p) => p.lwm2m);
  if (last >= 0) parts.push(...parts.splice(last, 1));
  if (plan.layout?.omapi) {
    // one searchOID DODF per authority, listing its own files: a change stays under its own key
    const front: DodfPart[] = [];
    for (const a of plan.authorities) {
      const files = plan.files.filter((f) => f.authority === a.name && OMAPI_KINDS.includes(f.kind));
      if (!files.length) continue;
      const chunk = 1 + Math.max(-1, ...parts.filter((p) => p.authority === a.name).map((p) => p.chunk));
      front.push({ authority: a.name, chunk, files, lwm2m: false, omapi: true });
    }
    parts.unshift(...front);
  }
  return parts;
}

/** The entries of one part, each file at its slot in `active` (default: its first slot). */
export function partBytes(p: DodfPart, active?: Map<string, number>): Uint8Array {
  const items = p.files.map((f) => ({ label: f.label, oid: f.oid, fid: active?.get(f.id) ?? f.slots[0] }));
  return p.omapi ? omapiDodf(items) : dodfBytes(items);
}

/** The DODF FID of a part in `bank`. */
export function partFid(plan: CardPlan, p: DodfPart, bank: number): number {
  const a = plan.authorities.find((x) => x.name === p.authority)!;
  return dodfFid(a.dodf, bank, p.chunk);
}

/** A fresh card's layout: every part in bank 0, files in their first slots. */
export function freshLayout(plan: CardPlan): { fid: number; bytes: Uint8Array; part: DodfPart }[] {
  return dodfParts(plan).map((p) => ({ fid: partFid(plan, p, 0), bytes: partBytes(p), part: p }));
}

/** The SFI a file answers to when its FCP has no tag 88: the FID's low 5 bits (TS 102 221 11.1.1.4.8), 1..30 only. */
const defaultSfi = (fid: number): number | undefined => {
  const s = fid & 0x1f;
  return s >= 1 && s <= 30 ? s : undefined;
};

/**
 * The short file identifiers (SFI, TS 102 221 8.3, tag 88 of the FCP) the writer gives the
 * bootstrap files' slots it creates, so that a later read before a write reads each one with a
 * single READ BINARY (P1 = 80 | SFI) instead of SELECT + READ BINARY.
 *
 * Every FID the plan can put into DF.PKCS15 (EF.ODF, EF.TokenInfo, both banks of each DODF, both
 * slots of each file) keeps its default SFI out of the pool, so that an SFI given here never
 * names another plan file on a card whose files carry their default SFIs; a slot whose own
 * default SFI is valid and shared with no other plan file keeps it. Slots left without a value
 * (more than the 30 SFIs allow) are created without SFI. Depends only on the plan's FIDs.
 */
export function slotSfis(plan: CardPlan): Map<number, number> {
  const slots = plan.files.flatMap((f) => f.slots);
  const dodfs = dodfParts(plan).flatMap((p) => [partFid(plan, p, 0), partFid(plan, p, 1)]);
  const all = [...new Set([FID.odf, FID.tokenInfo, ...dodfs, ...slots])];
  const holders = new Map<number, number>();
  for (const fid of all) {
    const s = defaultSfi(fid);
    if (s !== undefined) holders.set(s, (holders.get(s) ?? 0) + 1);
  }
  const out = new Map<number, number>();
  const taken = new Set(holders.keys());
  for (const fid of [...new Set(slots)]) {
    const own = defaultSfi(fid);
    if (own !== undefined && holders.get(own) === 1) out.set(fid, own);
  }
  let next = 1;
  for (const fid of [...new Set(slots)]) {
    if (out.has(fid)) continue;
    while (next <= 30 && taken.has(next)) next++;
    if (next > 30) break;
    out.set(fid, next);
    taken.add(next);
  }
  return out;
}
