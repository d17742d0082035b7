/**
 * Every declared EF codec, by catalogue name. The generic test (test/unit/card/ef-codecs.test.ts)
 * and the fuzz test (test/fuzz/ef-codecs.test.ts) run over this list.
 */
import { UICC_CODECS } from './ef-uicc.js';
import { USIM_CODECS } from './ef-usim.js';
import type { EfCodec } from './types.js';

export const CODECS: readonly EfCodec[] = [...UICC_CODECS, ...USIM_CODECS];

export function codecFor(name: string): EfCodec | undefined {
  return CODECS.find((c) => c.name === name);
}

export type { EfCodec, Json, CodecVector } from './types.js';
