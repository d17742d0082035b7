/**
 * A batch: the YAML file that `simdm perso run BATCH` takes. It names the data file (a key store),
 * the journal, the ADM source and the per-card files to write (docs/perso.md):
 *
 *   batch: demo-001
 *   data: demo-001.keystore.csv          # relative to this file
 *   journal: demo-001.journal.sqlite     # or postgres://user@host/db
 *   adm: ADM1                             # a data column, else secret SIMDM_ADM1
 *   files:                                # default: EF.IMSI, EF.SPN if the data has SPN, EF.ICCID for blank cards
 *     - { name: EF.IMSI, path: "AID:A0000000871002FF33FF018900000100/6F07", encode: imsi, value: "${IMSI}" }
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PersoError } from './errors.js';
import { checkInputSize } from '../util/input-file.js';

export const USIM_AID_HEX = 'A0000000871002FF33FF018900000100';

const FileSpec = z
  .object({
    name: z.string().min(1),
    path: z.string().min(1),
    encode: z.enum(['imsi', 'iccid', 'spn', 'hex', 'ascii']),
    value: z.string(),
    /** pad to the file size with FF (default true) */
    pad: z.boolean().optional(),
  })
  .strict();
export type FileSpec = z.infer<typeof FileSpec>;

const GpSpec = z
  .object({
    /** secret name prefix of the ISD keys: <P>_ENC/_MAC/_DEK, or <P>_KEY for all three (a row column or SIMDM_<...>) */
    isdKeys: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .default('ISD'),
    kvn: z.number().int().min(0).max(127).default(0),
    diversification: z.enum(['none', 'emv', 'visa2', 'kdf3']).default('none'),
    /** security level of the session (GP 2.2 E.5.2.3 / Amd D 7.1.2): 1 C-MAC, 3 C-MAC + C-DEC */
    level: z.number().int().min(0).max(0x33).default(3),
    /** a key set from the row put into the ISD (e.g. the OTA keys KIc/KID/KIK as KVN 1) */
    putKey: z
      .object({
        kvn: z.number().int().min(1).max(127),
        type: z.enum(['aes', 'des']).default('aes'),
        columns: z.tuple([z.string(), z.string(), z.string()]),
      })
      .strict(),
  })
  .strict();
export type GpSpec = z.infer<typeof GpSpec>;

const BatchSchema = z
  .object({
    batch: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)'),
    data: z.string().min(1),
    journal: z.string().min(1).optional(),
    adm: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .optional(),
    profile: z.string().optional(),
    files: z.array(FileSpec).optional(),
    gp: GpSpec.optional(),
  })
  .strict();

export interface Batch {
  name: string;
  file: string;
  dataPath: string;
  /** sqlite file path or postgres:// URL */
  journal: string;
  adm: string;
  profile?: string;
  files: FileSpec[] | undefined;
  gp?: GpSpec;
}

export const EF_ICCID_PATH = 'MF/2FE2';

export function defaultFiles(columns: string[]): FileSpec[] {
  const f: FileSpec[] = [{ name: 'EF.IMSI', path: `AID:${USIM_AID_HEX}/6F07`, encode: 'imsi', value: '${IMSI}' }];
  if (columns.includes('SPN')) f.push({ name: 'EF.SPN', path: `AID:${USIM_AID_HEX}/6F46`, encode: 'spn', value: '${SPN}' });
  return f;
}

export function loadBatch(file: string): Batch {
  let text: string;
  checkInputSize(file, 'batch');
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PersoError('batch', `cannot read batch ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let y: unknown;
  try {
    y = parseYaml(text);
  } catch (e) {
    throw new PersoError('batch', `batch ${file} is not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = BatchSchema.safeParse(y);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new PersoError('batch', `batch ${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const dir = dirname(resolve(file));
  const rel = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  const j = r.data.journal ?? `${r.data.batch}.journal.sqlite`;
  return {
    name: r.data.batch,
    file: resolve(file),
    dataPath: rel(r.data.data),
    journal: /^postgres(ql)?:\/\//.test(j) ? j : rel(j),
    adm: r.data.adm ?? 'ADM1',
    ...(r.data.profile ? { profile: rel(r.data.profile) } : {}),
    files: r.data.files,
    ...(r.data.gp ? { gp: r.data.gp } : {}),
  };
}
