/**
 * Backups of the bootstrap structure, kept by every `profile write` before it changes anything,
 * and the plan that restores one (`profile rollback`): the backed-up files go to their unused
 * slots and each authority's DODF switches back, exactly as a write does. The file holds the
 * card's bootstrap data (which the card gives anyone: read ALW) and no key; its name carries the
 * ICCID and a timestamp only.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fidHex, fromHex, toHex } from '../util/hex.js';
import { decodeContent } from './content/index.js';
import { BootstrapError } from './errors.js';
import { KINDS, PKCS15_AID, type BootstrapKind } from './oids.js';
import { type CardPlan, dodfOwner, slotPair } from './plan.js';
import type { CardBootstrapFile, CardState } from './reader.js';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})*$/);

const BackupSchema = z.object({
  version: z.literal(1),
  created: z.string(),
  iccid: z.string().nullable(),
  profile: z.string(),
  present: z.boolean(),
  authorities: z.array(z.object({ name: z.string(), key: z.string(), dodf: z.number() })),
  owner: z.string(),
  appFid: z.number(),
  appLabel: z.string(),
  tokenInfo: z
    .object({ version: z.number(), serialNumber: hex, manufacturerID: z.string().optional(), label: z.string().optional(), tokenflags: z.array(z.number()) })
    .optional(),
  odf: hex.nullable(),
  dodfs: z.array(z.object({ fid: z.string(), bytes: hex })),
  files: z.array(
    z.object({
      dodf: z.string(),
      path: hex,
      kind: z.enum(['lwm2m', 'dm', 'cpBootstrap', 'cpConfig1', 'cpConfig2']),
      oid: z.string(),
      label: z.string(),
      bytes: hex,
    }),
  ),
});

export type BackupFile = z.infer<typeof BackupSchema>;

/**
 * What a backup records of the card as read: EF.ODF and each DODF up to the end of their objects
 * (the reader's usedLength: trimming pad bytes could cut an object ending in 00 or FF) and every
 * bootstrap file's used bytes; `replace` swaps in new bytes for one file (the agent's write-back).
 */
export function backupOfCard(
  st: CardState,
  replace?: { file: CardBootstrapFile; bytes: Uint8Array },
): Pick<BackupFile, 'present' | 'tokenInfo' | 'odf' | 'dodfs' | 'files'> {
  const head = (b: Uint8Array | undefined, n: number): string => toHex((b ?? new Uint8Array()).subarray(0, n));
  return {
    present: st.present,
    ...(st.tokenInfo ? { tokenInfo: { ...st.tokenInfo, serialNumber: toHex(st.tokenInfo.serialNumber) } } : {}),
    odf: st.odf ? head(st.odf.bytes, st.odf.usedLength) : null,
    dodfs: st.dodfs.map((d) => ({ fid: fidHex(d.fid), bytes: head(d.bytes, d.usedLength) })),
    files: st.files
      .filter((f) => f.bytes && f.kind && f.oid)
      .map((f) => ({
        dodf: fidHex(f.dodf),
        path: f.path,
        kind: f.kind!,
        oid: f.oid!,
        label: f.label ?? '',
        bytes: f === replace?.file ? toHex(replace.bytes) : head(f.bytes, f.content?.length ?? f.bytes!.length),
      })),
  };
}

export function loadBackup(path: string): BackupFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BootstrapError('backup', `cannot read backup ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = BackupSchema.safeParse(json);
  if (!r.success)
    throw new BootstrapError('backup', `${path}: not a simdm bootstrap backup (${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message})`);
  return r.data;
}

/** The plan that brings the card back to the backed-up bootstrap data. */
export function backupToPlan(b: BackupFile): CardPlan {
  return {
    name: `rollback to ${b.created} (${b.profile})`,
    aid: fromHex(PKCS15_AID),
    appFid: b.appFid,
    appLabel: b.appLabel,
    owner: b.owner,
    authorities: b.authorities,
    tokenInfo: b.tokenInfo
      ? {
          version: b.tokenInfo.version,
          serialNumber: fromHex(b.tokenInfo.serialNumber),
          ...(b.tokenInfo.manufacturerID !== undefined ? { manufacturerID: b.tokenInfo.manufacturerID } : {}),
          ...(b.tokenInfo.label !== undefined ? { label: b.tokenInfo.label } : {}),
          tokenflags: b.tokenInfo.tokenflags,
        }
      : { version: 0, serialNumber: fromHex('00'), tokenflags: [0] },
    indications: { userConfirmation: false, autoConnect: false },
    ...(b.dodfs.some((d) => d.bytes.toUpperCase().startsWith('A7')) ? { layout: { omapi: true } } : {}),
    files: b.files.map((f, i) => {
      const dodf = parseInt(f.dodf, 16);
      const a = dodfOwner(b.authorities, dodf)?.authority;
      if (!a) throw new BootstrapError('backup', `backup file ${f.label}: DODF ${f.dodf} belongs to no authority of the backup`);
      const bytes = fromHex(f.bytes);
      const fid = parseInt(f.path.slice(-4), 16);
      const kind = f.kind as BootstrapKind;
      const known = KINDS[kind].slots;
      const slots: [number, number] = known.includes(fid) ? [known[0], known[1]] : slotPair(fid);
      return {
        id: `restored-${i}`,
        kind,
        oid: f.oid,
        label: f.label,
        authority: a.name,
        slots,
        bytes,
        fields: decodeContent(KINDS[kind].format, bytes, f.label).fields,
      };
    }),
    secretValues: [],
  };
}
