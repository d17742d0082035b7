/**
 * Size limits of the files simdm reads whole (docs/perso.md "Input limits"): checked with stat
 * before the read, so a huge or endless input is a clear error (`input.too-large`, naming the file
 * and the limit, never its content) instead of minutes of parsing and a V8 out-of-memory abort.
 * A batch's data file is not read whole: it is streamed (src/perso/data-file.ts).
 */
import { statSync } from 'node:fs';
import { SimdmError } from '../errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const INPUT_LIMITS = {
  /** a profile YAML and each file it extends or includes */
  profile: 1 * MiB,
  /** a vars file (NAME=value or YAML) */
  vars: 1 * MiB,
  /** a perso batch YAML */
  batch: 256 * KiB,
  /** a virtual card image (JSON) */
  image: 16 * MiB,
  /** `perso import` / `export`: a data file converted in memory */
  csv: 512 * MiB,
  /** a WBXML document (`simdm wbxml`) */
  wbxml: 1 * MiB,
  /** the bridge's principals file */
  tokens: 4 * MiB,
  /** a bearer token file */
  token: 4 * KiB,
  /** a --keys file */
  keys: 256 * KiB,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

const WHAT: Record<InputKind, string> = {
  profile: 'profile',
  vars: 'vars file',
  batch: 'batch file',
  image: 'card image',
  csv: 'data file',
  wbxml: 'WBXML document',
  tokens: 'principals file',
  token: 'token file',
  keys: 'key file',
};

export class InputSizeError extends SimdmError {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
    kind: InputKind,
  ) {
    super('input.too-large', `${path}: ${size} bytes, more than the ${limit} bytes a ${WHAT[kind]} may have`);
  }
}

/** Throws InputSizeError when `path` is larger than the limit of its kind (a missing file is left to the read). */
export function checkInputSize(path: string, kind: InputKind): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return;
    size = st.size;
  } catch {
    return;
  }
  const limit = INPUT_LIMITS[kind];
  if (size > limit) throw new InputSizeError(path, size, limit, kind);
}
