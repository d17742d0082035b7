/**
 * Public identifiers -> code page tables. WAP-192-WBXML section 7.2 reserves 0 (string table form)
 * and 1 (unknown); the others are registered by each standard (ProvCont 8.1: PROV 1.0 = 0x0B;
 * SyncML RepPro: 0x0FD1/0x0FD3/0x1201 for SyncML 1.0/1.1/1.2, DevInf 0x0FD2/0x0FD4/0x1203).
 */
import { compileLanguage, type Language, type LanguageDecl } from './codepages/types.js';
import { PROV10 } from './codepages/prov.js';
import { DEVINF11, DEVINF12, SYNCML11, SYNCML12 } from './codepages/syncml.js';
import { hexNum } from '../../util/hex.js';

export const LANGUAGE_DECLS: readonly LanguageDecl[] = [PROV10, SYNCML12, SYNCML11, DEVINF12, DEVINF11];

const compiled = new Map<LanguageDecl, Language>();

export function language(decl: LanguageDecl): Language {
  let l = compiled.get(decl);
  if (!l) {
    l = compileLanguage(decl);
    compiled.set(decl, l);
  }
  return l;
}

/** A language with no tokens: every element and attribute is a LITERAL. */
export const NO_LANGUAGE: LanguageDecl = { id: 'none', title: 'no code pages (LITERAL names only)', pages: [] };

/** Well-known ids that name a language whose tables we do not carry, so errors can say which. */
const KNOWN_ELSEWHERE: Record<number, string> = {
  0x02: 'WML 1.0',
  0x04: 'WML 1.1',
  0x05: 'SI 1.0',
  0x06: 'SL 1.0',
  0x07: 'CO 1.0',
  0x08: 'CHANNEL 1.1',
  0x09: 'WML 1.2',
  0x0a: 'WML 1.3',
  0x0c: 'WTA-WML 1.2',
  0x0d: 'EMN 1.0',
  0x0e: 'DRMREL 1.0',
  0x0fd1: 'SyncML 1.0',
  0x0fd2: 'DevInf 1.0',
};

export function describePublicId(id: number | string): string {
  if (typeof id === 'string') return JSON.stringify(id);
  const hex = '0x' + hexNum(id);
  const known = LANGUAGE_DECLS.find((d) => d.wellKnownId === id)?.title ?? KNOWN_ELSEWHERE[id];
  return known ? `${hex} (${known})` : hex;
}

/** The language a public identifier selects (well-known number or FPI string), if we carry it. */
export function languageForPublicId(id: number | string): LanguageDecl | undefined {
  if (typeof id === 'number') return LANGUAGE_DECLS.find((d) => d.wellKnownId === id);
  const norm = id.trim();
  return LANGUAGE_DECLS.find((d) => d.fpi === norm || d.aliases?.includes(norm));
}

/** By short id ('prov10') or FPI or well-known number given as text ('0x0B', '11'). */
export function findLanguage(key: string): LanguageDecl | undefined {
  const k = key.trim();
  const byId = LANGUAGE_DECLS.find((d) => d.id.toLowerCase() === k.toLowerCase());
  if (byId) return byId;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(k)) return languageForPublicId(Number(k));
  return languageForPublicId(k);
}

/** For XML without a DOCTYPE: the document element and its xmlns pick the language. */
export function languageForRoot(root: string, xmlns?: string): LanguageDecl | undefined {
  const cands = LANGUAGE_DECLS.filter((d) => d.root === root);
  if (xmlns) {
    const hit = cands.find((d) => d.pages.some((p) => p.page === 0 && p.namespace?.toLowerCase() === xmlns.toLowerCase()));
    if (hit) return hit;
  }
  return cands[0];
}
