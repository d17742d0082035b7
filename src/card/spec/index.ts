/**
 * The whole card model: the MF with the applications and DFs simdm knows, and every EF codec
 * the model carries (the generic codec test and the fuzz test run over CODECS).
 */
import type { EfCodec } from '../codecs/types.js';
import type { DfDecl, FileDecl } from './model.js';
import { mfDecl } from './ts-102-221.js';
import { TELECOM, USIM } from './ts-31-102.js';
import { ISIM } from './ts-31-103.js';
import { GSM } from './ts-51-011.js';

/** applications first: a bare name like 'EF.IMSI' means the USIM's before DF.GSM's */
export const CARD_MODEL: DfDecl = mfDecl([USIM, ISIM, TELECOM, GSM]);

function* walk(d: FileDecl): Generator<FileDecl> {
  yield d;
  if (d.kind !== 'EF') for (const c of d.children) yield* walk(c);
}

/** Every codec of the model, once each, in declaration order. */
export const CODECS: readonly EfCodec[] = [...new Set([...walk(CARD_MODEL)].flatMap((d) => (d.kind === 'EF' && d.codec ? [d.codec] : [])))];
