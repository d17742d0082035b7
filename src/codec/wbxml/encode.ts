/**
 * WBXML encoder: WAP-192-WBXML-20010725-a. Tokens come from the same code page tables the decoder
 * reads (codepages/*.ts). Strings that repeat go to the string table (section 5.7) and are
 * referenced with STR_T; names with no token are written as LITERAL; characters the charset cannot
 * carry are written as ENTITY (section 5.8.4.3). Iterative, like the decoder.
 */
import { WbxmlEncodeError } from './errors.js';
import { preferPage, type AttrStartRef, type Language, type LanguageDecl, type TokenRef } from './codepages/types.js';
import { mbUint32Bytes } from './mbuint.js';
import { language as compile, languageForPublicId, languageForRoot, NO_LANGUAGE } from './registry.js';
import { charsetLimit, encodeChars, utf8Length } from './strings.js';
import { charsetName, GLOBAL, TAG_HAS_ATTRS, TAG_HAS_CONTENT, VERSION } from './tokens.js';
import { isElement, type WbxmlElement, type WbxmlNode } from './tree.js';

export interface WbxmlEncodeOptions {
  /** version byte (default 0x03 = WBXML 1.3) */
  version?: number;
  /**
   * public identifier: a number is written as is (well-known id), a string in the string-table
   * form (0 + index). Default: the language's well-known id, else its FPI, else 1 (unknown).
   */
  publicId?: number | string;
  /** code pages; default: from publicId, else from the document element (and its xmlns) */
  language?: LanguageDecl;
  /** IANA MIBenum: 106 UTF-8 (default), 4 ISO-8859-1, 3 US-ASCII */
  charset?: number;
  /**
   * 'auto' (default): strings that occur more than once and are long enough to gain go to the table.
   * 'none': only what must be there (LITERAL names, a string public id).
   * string[]: exactly these strings (in this order), referenced wherever a whole string equals one.
   */
  stringTable?: 'auto' | 'none' | readonly string[];
}

/** A piece of an attribute value or of character data. */
type Part = string | { ref: TokenRef[] } | { entity: number };

interface AttrPlan {
  /** start tokens with the same (longest) prefix, one per page; or a LITERAL name */
  start: AttrStartRef[] | { literal: string };
  parts: Part[];
}

const UTF8_ENC = new TextEncoder();

class Sink {
  buf = new Uint8Array(1024);
  len = 0;
  private grow(extra: number) {
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(b: number) {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }
  bytes(a: Uint8Array) {
    if (this.len + a.length > this.buf.length) this.grow(a.length);
    this.buf.set(a, this.len);
    this.len += a.length;
  }
  mb(v: number) {
    if (v < 0x80) return this.byte(v);
    if (v > 0xffffffff || v < 0 || !Number.isInteger(v)) mbUint32Bytes(v); // throws
    if (this.len + 5 > this.buf.length) this.grow(5);
    let k = 0;
    for (let x = v; x >= 0x80; x = Math.floor(x / 128)) k++;
    for (let i = k; i >= 0; i--) {
      const group = Math.floor(v / 128 ** i) & 0x7f;
      this.buf[this.len++] = i ? group | 0x80 : group;
    }
  }
  /** `s` in UTF-8 (ASCII written directly) or, for the 8-bit charsets, one byte per character */
  str(s: string, utf8: boolean) {
    const L = s.length;
    if (this.len + L * 3 > this.buf.length) this.grow(L * 3);
    const buf = this.buf;
    let o = this.len;
    for (let i = 0; i < L; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 && utf8) {
        o += UTF8_ENC.encodeInto(s.slice(i), buf.subarray(o)).written;
        break;
      }
      buf[o++] = c;
    }
    this.len = o;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** The language encodeWbxml would use for this tree and options. */
export function chooseLanguage(root: WbxmlElement, opts: Pick<WbxmlEncodeOptions, 'language' | 'publicId'> = {}): LanguageDecl {
  if (opts.language) return opts.language;
  if (opts.publicId !== undefined) {
    const l = languageForPublicId(opts.publicId);
    if (l) return l;
  }
  return languageForRoot(root.name, root.attrs.xmlns) ?? NO_LANGUAGE;
}

export function encodeWbxml(root: WbxmlElement, opts: WbxmlEncodeOptions = {}): Uint8Array {
  const version = opts.version ?? VERSION['1.3'];
  if (!Number.isInteger(version) || version < 0 || version > 0x03) throw new WbxmlEncodeError(`unsupported version byte ${version}`);
  const charset = opts.charset ?? 106;
  if (!charsetName(charset)) throw new WbxmlEncodeError(`charset MIBenum ${charset} not supported (106, 4, 3)`);
  if (version === 0 && charset !== 106) throw new WbxmlEncodeError('WBXML 1.0 has no charset field: UTF-8 only');
  const decl = chooseLanguage(root, opts);
  const lang = compile(decl);
  const publicId = opts.publicId ?? decl.wellKnownId ?? decl.fpi ?? 1;
  const limit = charsetLimit(charset);
  const utf8 = charset === 106;

  // ---- pass 1: plan attributes, count strings
  const attrPlans = new Map<string, Map<string, AttrPlan>>();
  const elemPlans = new Map<WbxmlElement, AttrPlan[]>();
  const counts = new Map<string, number>();
  const order: string[] = [];
  const required: string[] = [];
  const count = (s: string) => {
    const c = counts.get(s);
    if (c === undefined) {
      counts.set(s, 1);
      order.push(s);
    } else counts.set(s, c + 1);
  };
  if (typeof publicId === 'string') required.push(publicId);

  const segment = (s: string, out: Part[]) => {
    // split off characters the charset cannot carry, and NUL (it would end a termstr)
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c > limit) {
        const cp = s.codePointAt(i)!;
        if (i > start) out.push(s.slice(start, i));
        out.push({ entity: cp });
        if (cp > 0xffff) i++;
        start = i + 1;
      }
    }
    if (start < s.length) out.push(start === 0 ? s : s.slice(start));
  };

  const valueParts = (v: string): Part[] => {
    const out: Part[] = [];
    if (v === '') return out;
    const exact = lang.valueByText.get(v);
    if (exact) return [{ ref: exact }];
    if (!decl.tokeniseValueSubstrings || lang.valueTexts.length === 0) {
      segment(v, out);
      return out;
    }
    let lit = '';
    for (let i = 0; i < v.length; ) {
      let hit: string | undefined;
      for (const t of lang.valueTexts) if (v.startsWith(t, i)) { hit = t; break; }
      if (hit) {
        if (lit) segment(lit, out);
        lit = '';
        out.push({ ref: lang.valueByText.get(hit)! });
        i += hit.length;
      } else lit += v[i++];
    }
    if (lit) segment(lit, out);
    return out;
  };

  const planAttr = (name: string, value: string): AttrPlan => {
    let byValue = attrPlans.get(name);
    if (!byValue) attrPlans.set(name, (byValue = new Map()));
    let plan = byValue.get(value);
    if (plan) return plan;
    const refs = lang.attrByName.get(name);
    let best: AttrStartRef[] | undefined;
    if (refs) {
      for (const r of refs) {
        if (best && r.prefix.length < best[0]!.prefix.length) break;
        if (value.startsWith(r.prefix)) (best ??= []).push(r);
      }
    }
    plan = best
      ? { start: best, parts: valueParts(value.slice(best[0]!.prefix.length)) }
      : { start: { literal: name }, parts: valueParts(value) };
    byValue.set(value, plan);
    return plan;
  };

  const hasNs = lang.pageByNs.size > 0;
  /** the element's attributes as planned tokens; an xmlns that names a code page is not one */
  const plansOf = (e: WbxmlElement): AttrPlan[] => {
    const plans: AttrPlan[] = [];
    const attrs = e.attrs;
    for (const k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
      const v = attrs[k]!;
      if (hasNs && k === 'xmlns' && lang.pageByNs.has(v)) continue;
      plans.push(planAttr(k, v));
    }
    return plans;
  };

  // walk 1
  const walk: WbxmlElement[] = [root];
  while (walk.length) {
    const e = walk.pop()!;
    if (!lang.tagByName.has(e.name)) required.push(e.name);
    const plans = plansOf(e);
    if (plans.length) elemPlans.set(e, plans);
    for (const plan of plans) {
      if ('literal' in plan.start) required.push(plan.start.literal);
      for (const p of plan.parts) if (typeof p === 'string') count(p);
    }
    for (let i = e.children.length - 1; i >= 0; i--) {
      const c = e.children[i]!;
      if (isElement(c)) walk.push(c);
      else if (c.kind === 'text' && c.text) {
        const parts: Part[] = [];
        segment(c.text, parts);
        for (const p of parts) if (typeof p === 'string') count(p);
      }
    }
  }

  // ---- string table
  const table = new Map<string, number>();
  const tableBytes = new Sink();
  const addToTable = (s: string) => {
    if (table.has(s)) return;
    table.set(s, tableBytes.len);
    tableBytes.bytes(encodeWithCheck(s, charset, limit));
    tableBytes.byte(0);
  };
  const mode = opts.stringTable ?? 'auto';
  if (Array.isArray(mode)) for (const s of mode as readonly string[]) addToTable(s);
  for (const s of required) addToTable(s);
  if (mode === 'auto') {
    for (const s of order) {
      const c = counts.get(s)!;
      if (c < 2) continue;
      const L = charset === 106 ? utf8Length(s) : s.length;
      // inline costs c*(L+2); the table L+1 plus c*(1+index bytes); assume 2-byte indexes
      if ((c - 1) * L > c + 1) addToTable(s);
    }
  }

  // ---- pass 2: emit
  const out = new Sink();
  out.byte(version);
  if (typeof publicId === 'number') out.mb(publicId);
  else {
    out.byte(0);
    out.mb(table.get(publicId)!);
  }
  if (version >= 1) out.mb(charset);
  out.mb(tableBytes.len);
  out.bytes(tableBytes.buf.subarray(0, tableBytes.len));

  let tagPage = 0;
  let attrPage = 0;
  const switchTag = (p: number) => {
    if (p !== tagPage) {
      out.byte(GLOBAL.SWITCH_PAGE);
      out.byte(p);
      tagPage = p;
    }
  };
  const switchAttr = (p: number) => {
    if (p !== attrPage) {
      out.byte(GLOBAL.SWITCH_PAGE);
      out.byte(p);
      attrPage = p;
    }
  };
  const emitString = (s: string) => {
    const idx = table.get(s);
    if (idx !== undefined) {
      out.byte(GLOBAL.STR_T);
      out.mb(idx);
    } else {
      out.byte(GLOBAL.STR_I);
      out.str(s, utf8);
      out.byte(0);
    }
  };
  const emitParts = (parts: Part[], inAttr: boolean) => {
    for (const p of parts) {
      if (typeof p === 'string') emitString(p);
      else if ('entity' in p) {
        out.byte(GLOBAL.ENTITY);
        out.mb(p.entity);
      } else {
        const r = preferPage(p.ref, attrPage);
        if (inAttr) switchAttr(r.page);
        out.byte(r.token);
      }
    }
  };

  interface Frame {
    children: readonly WbxmlNode[];
    i: number;
    nsPage: number | undefined;
  }
  const stack: Frame[] = [];
  const open = (e: WbxmlElement, parentNs: number | undefined) => {
    let nsPage = parentNs;
    const x = e.attrs.xmlns;
    if (x !== undefined && lang.pageByNs.has(x)) nsPage = lang.pageByNs.get(x);
    const attrs = elemPlans.get(e) ?? [];
    const children = e.children.some((c) => c.kind === 'text' && c.text === '')
      ? e.children.filter((c) => c.kind !== 'text' || c.text !== '')
      : e.children;
    const flags = (attrs.length ? TAG_HAS_ATTRS : 0) | (children.length ? TAG_HAS_CONTENT : 0);
    const refs = lang.tagByName.get(e.name);
    if (refs) {
      const r = preferPage(refs, nsPage ?? tagPage);
      switchTag(r.page);
      out.byte(r.token | flags);
      if (lang.nsByPage.has(r.page)) nsPage = r.page;
    } else {
      out.byte(GLOBAL.LITERAL | flags);
      out.mb(table.get(e.name)!);
    }
    if (attrs.length) {
      for (const plan of attrs) {
        if ('literal' in plan.start) {
          out.byte(GLOBAL.LITERAL);
          out.mb(table.get(plan.start.literal)!);
        } else {
          const r = preferPage(plan.start, attrPage);
          switchAttr(r.page);
          out.byte(r.token);
        }
        emitParts(plan.parts, true);
      }
      out.byte(GLOBAL.END);
    }
    if (children.length) stack.push({ children, i: 0, nsPage });
  };

  open(root, undefined);
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.children.length) {
      out.byte(GLOBAL.END);
      stack.pop();
      continue;
    }
    const c: WbxmlNode = f.children[f.i++]!;
    if (isElement(c)) open(c, f.nsPage);
    else if (c.kind === 'text') {
      const parts: Part[] = [];
      segment(c.text, parts);
      emitParts(parts, false);
    } else {
      out.byte(GLOBAL.OPAQUE);
      out.mb(c.data.length);
      out.bytes(c.data);
    }
  }
  return out.result();
}

function encodeWithCheck(s: string, charset: number, limit: number): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > limit) {
      throw new WbxmlEncodeError(`${JSON.stringify(s)} cannot go in the string table in charset ${charsetName(charset)}`);
    }
  }
  return encodeChars(s, charset);
}
