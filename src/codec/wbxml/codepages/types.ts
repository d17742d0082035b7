/**
 * Code pages as tables (WAP-192-WBXML section 5.8: tag code space and attribute code space, each
 * split in pages of tokens selected by SWITCH_PAGE). A language declares its pages ONCE with
 * `LanguageDecl`; `compileLanguage` builds the lookups the decoder (token -> name) and the encoder
 * (name -> token) both use, so the two directions cannot drift apart.
 */
import { isGlobalInAttrState, hexByte } from '../tokens.js';

/** [token, element name] */
export type TagDecl = readonly [token: number, name: string];
/** [token, attribute name, value prefix]: ATTRSTART (section 5.8.3), e.g. [0x51, 'type', 'PXLOGICAL'] */
export type AttrStartDecl = readonly [token: number, name: string, prefix?: string];
/** [token, value text]: ATTRVALUE (section 5.8.3), token >= 128 */
export type AttrValueDecl = readonly [token: number, value: string];

export interface CodePageDecl {
  page: number;
  /** XML namespace that selects this tag page (SyncML: `syncml:metinf` = page 1) */
  namespace?: string;
  tags?: readonly TagDecl[];
  attrStarts?: readonly AttrStartDecl[];
  attrValues?: readonly AttrValueDecl[];
}

export interface LanguageDecl {
  /** short id for the CLI and messages, e.g. 'prov10', 'syncml12' */
  id: string;
  title: string;
  /** well-known public identifier (section 7.2 and the registrations of each standard) */
  wellKnownId?: number;
  /** formal public identifier, e.g. "-//WAPFORUM//DTD PROV 1.0//EN" */
  fpi?: string;
  /** DTD system identifier written in the XML DOCTYPE */
  systemId?: string;
  /** document element name */
  root?: string;
  /** other FPIs that select the same tables (e.g. earlier drafts) */
  aliases?: readonly string[];
  /**
   * Encoder: replace value tokens found inside longer attribute values (".org" in
   * "xyz.org/s"). Off by default: whole values only, which is how provisioning values are meant.
   */
  tokeniseValueSubstrings?: boolean;
  pages: readonly CodePageDecl[];
}

export interface TokenRef {
  page: number;
  token: number;
}

export interface AttrStartRef extends TokenRef {
  name: string;
  prefix: string;
}

export interface Language {
  decl: LanguageDecl;
  id: string;
  /** page -> tag code (0..63) -> name */
  tagNames: Map<number, (string | undefined)[]>;
  /** page -> attribute-start token (0..127) -> entry */
  attrStarts: Map<number, (AttrStartRef | undefined)[]>;
  /** page -> attribute-value token (128..255, indexed by token-128) -> text */
  attrValues: Map<number, (string | undefined)[]>;
  /** element name -> tokens on every page that has it */
  tagByName: Map<string, TokenRef[]>;
  /** attribute name -> start tokens, longest prefix first */
  attrByName: Map<string, AttrStartRef[]>;
  /** value text -> value tokens */
  valueByText: Map<string, TokenRef[]>;
  /** value texts, longest first (substring tokenisation) */
  valueTexts: string[];
  nsByPage: Map<number, string>;
  pageByNs: Map<string, number>;
}

/** Builds both directions' lookups from the declaration; throws on a malformed table. */
export function compileLanguage(decl: LanguageDecl): Language {
  const lang: Language = {
    decl,
    id: decl.id,
    tagNames: new Map(),
    attrStarts: new Map(),
    attrValues: new Map(),
    tagByName: new Map(),
    attrByName: new Map(),
    valueByText: new Map(),
    valueTexts: [],
    nsByPage: new Map(),
    pageByNs: new Map(),
  };
  const bad = (m: string) => new Error(`code page table ${decl.id}: ${m}`);
  for (const p of decl.pages) {
    if (!Number.isInteger(p.page) || p.page < 0 || p.page > 255) throw bad(`page ${p.page} out of range`);
    if (p.namespace) {
      lang.nsByPage.set(p.page, p.namespace);
      lang.pageByNs.set(p.namespace, p.page);
    }
    if (p.tags) {
      const arr = lang.tagNames.get(p.page) ?? new Array<string | undefined>(64);
      for (const [tok, name] of p.tags) {
        if (tok < 0x05 || tok > 0x3f) throw bad(`tag token ${hexByte(tok)} on page ${p.page} outside 0x05-0x3F`);
        if (arr[tok] !== undefined) throw bad(`tag token ${hexByte(tok)} on page ${p.page} declared twice`);
        arr[tok] = name;
        push(lang.tagByName, name, { page: p.page, token: tok });
      }
      lang.tagNames.set(p.page, arr);
    }
    if (p.attrStarts) {
      const arr = lang.attrStarts.get(p.page) ?? new Array<AttrStartRef | undefined>(128);
      for (const [tok, name, prefix = ''] of p.attrStarts) {
        if (tok > 0x7f || isGlobalInAttrState(tok)) throw bad(`attribute start token ${hexByte(tok)} is not in 0x05-0x7F`);
        if (arr[tok] !== undefined) throw bad(`attribute start ${hexByte(tok)} on page ${p.page} declared twice`);
        const ref: AttrStartRef = { page: p.page, token: tok, name, prefix };
        arr[tok] = ref;
        push(lang.attrByName, name, ref);
      }
      lang.attrStarts.set(p.page, arr);
    }
    if (p.attrValues) {
      const arr = lang.attrValues.get(p.page) ?? new Array<string | undefined>(128);
      for (const [tok, value] of p.attrValues) {
        if (tok < 0x80 || tok > 0xff || isGlobalInAttrState(tok)) throw bad(`attribute value token ${hexByte(tok)} is not an ATTRVALUE`);
        if (arr[tok - 128] !== undefined) throw bad(`attribute value ${hexByte(tok)} on page ${p.page} declared twice`);
        if (value === '') throw bad(`attribute value ${hexByte(tok)} is empty`);
        arr[tok - 128] = value;
        push(lang.valueByText, value, { page: p.page, token: tok });
      }
      lang.attrValues.set(p.page, arr);
    }
  }
  for (const list of lang.attrByName.values()) list.sort((a, b) => b.prefix.length - a.prefix.length);
  lang.valueTexts = [...lang.valueByText.keys()].sort((a, b) => b.length - a.length);
  return lang;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Of several refs, the one on `page` if there is one, else the first. */
export function preferPage<T extends TokenRef>(refs: readonly T[], page: number): T {
  for (const r of refs) if (r.page === page) return r;
  return refs[0]!;
}
