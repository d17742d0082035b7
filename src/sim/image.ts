/**
 * The virtual UICC's card image: a JSON file describing the file tree and the PINs/ADM keys.
 * Validated with zod on load so a hand-edited image fails with the JSON path at fault.
 *
 * Key references follow ETSI TS 102 221 section 9.5.1: PIN1..8 = 01..08, ADM1..5 = 0A..0E,
 * universal PIN = 11, second-level PIN2 = 81, ADM6..10 = 8A..8E.
 */
import { readFileSync, renameSync } from 'node:fs';
import { writeSecretFile } from '../util/secret-file.js';
import { z } from 'zod';
import { SimdmError } from '../errors.js';
import { checkInputSize } from '../util/input-file.js';
import { MAX_DF_DEPTH, tooDeep, treeFault } from './image-check.js';

/** An access rule: 'ALW', 'NEV', or key names joined by '|' (any of them suffices), e.g. 'PIN1|ADM1'. */
export const ACCESS_RULE_PATTERN = /^(ALW|NEV|(PIN[1-8]|UPIN|ADM(10|[1-9]))(\|(PIN[1-8]|UPIN|ADM(10|[1-9])))*)$/;
const AccessRule = z.string().regex(ACCESS_RULE_PATTERN, 'ALW, NEV or key names like PIN1|ADM1');
export type AccessRule = z.infer<typeof AccessRule>;

const Access = z
  .object({
    read: AccessRule.optional(),
    update: AccessRule.optional(),
    increase: AccessRule.optional(),
    activate: AccessRule.optional(),
    deactivate: AccessRule.optional(),
    terminate: AccessRule.optional(),
    delete: AccessRule.optional(),
    create: AccessRule.optional(),
  })
  .strict();
export type Access = z.infer<typeof Access>;
export type AccessOp = keyof Access;

/** upper bound of the per-APDU latency a card image or `vcard start --latency-ms` may ask for */
export const MAX_LATENCY_MS = 60_000;

const hex = z.string().regex(/^([0-9A-Fa-f]{2})*$/, 'hex bytes');
const fid = z.string().regex(/^[0-9A-Fa-f]{4}$/, '4 hex digits');

export interface FileImage {
  fid: string;
  name?: string;
  type: 'MF' | 'DF' | 'ADF' | 'EF';
  aid?: string;
  structure?: 'transparent' | 'linear-fixed' | 'cyclic';
  size?: number;
  recordLength?: number;
  recordCount?: number;
  sfi?: number | null;
  content?: string;
  records?: string[];
  access?: Access;
  lcs?: 'operational' | 'deactivated' | 'terminated';
  children?: FileImage[];
}

const FileImageSchema: z.ZodType<FileImage> = z.lazy(() =>
  z
    .object({
      fid,
      name: z.string().optional(),
      type: z.enum(['MF', 'DF', 'ADF', 'EF']),
      aid: hex.optional(),
      structure: z.enum(['transparent', 'linear-fixed', 'cyclic']).optional(),
      size: z.number().int().min(0).max(65535).optional(),
      recordLength: z.number().int().min(1).max(255).optional(),
      recordCount: z.number().int().min(1).max(254).optional(),
      sfi: z.number().int().min(1, 'SFI 1..30 (0 is not an SFI; null for none)').max(30, 'SFI 1..30 (ISO 7816-4 5.3.1.1)').nullable().optional(),
      content: hex.optional(),
      records: z.array(hex).optional(),
      access: Access.optional(),
      lcs: z.enum(['operational', 'deactivated', 'terminated']).optional(),
      children: z.array(FileImageSchema).optional(),
    })
    .strict(),
);

const Secret = z.object({ value: hex, retries: z.number().int().min(0).max(15), maxRetries: z.number().int().min(1).max(15) }).strict();

const PinImageSchema = z
  .object({
    name: z.string().regex(/^(PIN[1-8]|PIN2|UPIN|ADM(10|[1-9]))$/),
    ref: z.number().int().min(1).max(0x8e),
    value: hex,
    retries: z.number().int().min(0).max(15),
    maxRetries: z.number().int().min(1).max(15),
    enabled: z.boolean().optional(),
    puk: Secret.optional(),
  })
  .strict();
export type PinImage = z.infer<typeof PinImageSchema>;

const CardImageSchema = z
  .object({
    version: z.literal(1),
    description: z.string().optional(),
    atr: hex,
    pins: z.array(PinImageSchema),
    mf: FileImageSchema,
    /** free space (bytes) for CREATE FILE */
    freeSpace: z.number().int().min(0).optional(),
    /** 'uicc' (default): class A0 gets 6E00; 'dual-mode': class A0 answered as a TS 51.011 SIM */
    personality: z.enum(['uicc', 'dual-mode']).optional(),
    /** delay before each R-APDU over vpcd (ms), to model a real card's 5-50 ms per APDU */
    latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
    /** per-applet persistent state (keys, counters), owned by src/sim/applets */
    applets: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type CardImage = z.infer<typeof CardImageSchema>;

export class ImageError extends SimdmError {
  constructor(message: string) {
    super('sim.image', message);
  }
}

export function parseImage(json: unknown, source = 'card image'): CardImage {
  // depth first, iteratively: the schema below recurses once per level
  const deep = typeof json === 'object' && json !== null ? tooDeep((json as { mf?: unknown }).mf) : undefined;
  if (deep) throw new ImageError(`${source}: ${shortPath(deep)}: deeper than ${MAX_DF_DEPTH} DF levels below the MF`);
  const r = CardImageSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ImageError(`${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const fault = treeFault(r.data.mf);
  if (fault) throw new ImageError(`${source}: ${fault}`);
  return r.data;
}

/** A JSON path of a deep tree, shortened in the middle */
function shortPath(p: string): string {
  return p.length <= 200 ? p : `${p.slice(0, 80)}…${p.slice(-100)}`;
}

export function loadImage(path: string): CardImage {
  let text: string;
  checkInputSize(path, 'image');
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ImageError(`cannot read card image ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the fault (PIN/ADM/K values): only its position is kept
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new ImageError(`card image ${path} is not JSON${pos !== undefined ? ` (syntax error at character ${pos})` : ''}`);
  }
  return parseImage(json, path);
}

/** Atomic write (temp file + rename): a crash never leaves half an image. */
export function saveImage(path: string, image: CardImage): void {
  const tmp = `${path}.tmp-${process.pid}`;
  // an image holds PIN/ADM values and K/OPc: mode 600 (the temporary file is new, the rename keeps it)
  writeSecretFile(tmp, JSON.stringify(image, null, 2) + '\n');
  renameSync(tmp, path);
}
