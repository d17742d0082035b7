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

/**
 * Splits off characters the charset cannot carry (above `limit`), and NUL (it would end a
 * termstr), as ENTITY parts (section 5.8.4.3).
 */
function segment(s: string, limit: number, out: Part[]): void {
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
}

/** Version and charset of the options, checked (sections 5.4, 5.6). */
function headerFields(opts: WbxmlEncodeOptions): { version: number; charset: number } {
  const version = opts.version ?? VERSION['1.3'];
  if (!Number.isInteger(version) || version < 0 || version > 0x03) throw new WbxmlEncodeError(`unsupported version byte ${version}`);
  const charset = opts.charset ?? 106;
  if (!charsetName(charset)) throw new WbxmlEncodeError(`charset MIBenum ${charset} not supported (106, 4, 3)`);
  if (version === 0 && charset !== 106) throw new WbxmlEncodeError('WBXML 1.0 has no charset field: UTF-8 only');
  return { version, charset };
}

/**
 * Pass 1: the attribute tokens of every element (longest attribute-start prefix, then value
 * tokens), and the strings of the document: those that must go to the string table (LITERAL
 * names, a string public id) and how often each inline string occurs.
 */
class Planner {
  readonly elemPlans = new Map<WbxmlElement, AttrPlan[]>();
  readonly counts = new Map<string, number>();
  /** strings in order of first occurrence */
  readonly order: string[] = [];
  readonly required: string[] = [];
  private readonly attrPlans = new Map<string, Map<string, AttrPlan>>();
  private readonly hasNs: boolean;

  constructor(
    private readonly lang: Language,
    private readonly decl: LanguageDecl,
    readonly limit: number,
  ) {
    this.hasNs = lang.pageByNs.size > 0;
  }

  private count(s: string): void {
    const c = this.counts.get(s);
    if (c === undefined) {
      this.counts.set(s, 1);
      this.order.push(s);
    } else this.counts.set(s, c + 1);
  }

  /** an attribute value as value tokens (whole, or substrings where the language allows) and strings */
  private valueParts(v: string): Part[] {
    const out: Part[] = [];
    if (v === '') return out;
    const lang = this.lang;
    const exact = lang.valueByText.get(v);
    if (exact) return [{ ref: exact }];
    if (!this.decl.tokeniseValueSubstrings || lang.valueTexts.length === 0) {
      segment(v, this.limit, out);
      return out;
    }
    let lit = '';
    for (let i = 0; i < v.length;) {
      let hit: string | undefined;
      for (const t of lang.valueTexts)
        if (v.startsWith(t, i)) {
          hit = t;
          break;
        }
      if (hit) {
        if (lit) segment(lit, this.limit, out);
        lit = '';
        out.push({ ref: lang.valueByText.get(hit)! });
        i += hit.length;
      } else lit += v[i++];
    }
    if (lit) segment(lit, this.limit, out);
    return out;
  }

  private planAttr(name: string, value: string): AttrPlan {
    let byValue = this.attrPlans.get(name);
    if (!byValue) this.attrPlans.set(name, (byValue = new Map()));
    let plan = byValue.get(value);
    if (plan) return plan;
    const refs = this.lang.attrByName.get(name);
    let best: AttrStartRef[] | undefined;
    if (refs) {
      for (const r of refs) {
        if (best && r.prefix.length < best[0]!.prefix.length) break;
        if (value.startsWith(r.prefix)) (best ??= []).push(r);
      }
    }
    plan = best ? { start: best, parts: this.valueParts(value.slice(best[0]!.prefix.length)) } : { start: { literal: name }, parts: this.valueParts(value) };
    byValue.set(value, plan);
    return plan;
  }

  /** the element's attributes as planned tokens; an xmlns that names a code page is not one */
  private plansOf(e: WbxmlElement): AttrPlan[] {
    const plans: AttrPlan[] = [];
    const attrs = e.attrs;
    for (const k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
      const v = attrs[k]!;
      if (this.hasNs && k === 'xmlns' && this.lang.pageByNs.has(v)) continue;
      plans.push(this.planAttr(k, v));
    }
    return plans;
  }

  /** Plans every element of the tree (iteratively: no recursion depth limit). */
  walk(root: WbxmlElement): this {
    const todo: WbxmlElement[] = [root];
    while (todo.length) {
      const e = todo.pop()!;
      if (!this.lang.tagByName.has(e.name)) this.required.push(e.name);
      const plans = this.plansOf(e);
      if (plans.length) this.elemPlans.set(e, plans);
      for (const plan of plans) {
        if ('literal' in plan.start) this.required.push(plan.start.literal);
        for (const p of plan.parts) if (typeof p === 'string') this.count(p);
      }
      for (let i = e.children.length - 1; i >= 0; i--) {
        const c = e.children[i]!;
        if (isElement(c)) todo.push(c);
        else if (c.kind === 'text' && c.text) {
          const parts: Part[] = [];
          segment(c.text, this.limit, parts);
          for (const p of parts) if (typeof p === 'string') this.count(p);
        }
      }
    }
    return this;
  }
}

/**
 * The string table (section 5.7): the given strings, what must be there, and with 'auto' every
 * repeated string that is shorter referenced than inline. Returns string -> offset, and the bytes.
 */
function stringTable(plan: Planner, mode: WbxmlEncodeOptions['stringTable'], charset: number): { table: Map<string, number>; bytes: Uint8Array } {
  const table = new Map<string, number>();
  const bytes = new Sink();
  const add = (s: string) => {
    if (table.has(s)) return;
    table.set(s, bytes.len);
    bytes.bytes(encodeWithCheck(s, charset, plan.limit));
    bytes.byte(0);
  };
  const m = mode ?? 'auto';
  if (Array.isArray(m)) for (const s of m as readonly string[]) add(s);
  for (const s of plan.required) add(s);
  if (m === 'auto') {
    for (const s of plan.order) {
      const c = plan.counts.get(s)!;
      if (c < 2) continue;
      const L = charset === 106 ? utf8Length(s) : s.length;
      // inline costs c*(L+2); the table L+1 plus c*(1+index bytes); assume 2-byte indexes
      if ((c - 1) * L > c + 1) add(s);
    }
  }
  return { table, bytes: bytes.result() };
}

interface Frame {
  children: readonly WbxmlNode[];
  i: number;
  nsPage: number | undefined;
}

/** Pass 2: the body, token by token, with the code page switches it needs (section 5.8). */
class Emitter {
  private tagPage = 0;
  private attrPage = 0;
  private readonly stack: Frame[] = [];
  private readonly utf8: boolean;

  constructor(
    private readonly out: Sink,
    private readonly lang: Language,
    private readonly plan: Planner,
    private readonly table: Map<string, number>,
    charset: number,
  ) {
    this.utf8 = charset === 106;
  }

  private switchTag(p: number): void {
    if (p === this.tagPage) return;
    this.out.byte(GLOBAL.SWITCH_PAGE);
    this.out.byte(p);
    this.tagPage = p;
  }

  private switchAttr(p: number): void {
    if (p === this.attrPage) return;
    this.out.byte(GLOBAL.SWITCH_PAGE);
    this.out.byte(p);
    this.attrPage = p;
  }

  private string(s: string): void {
    const idx = this.table.get(s);
    if (idx !== undefined) {
      this.out.byte(GLOBAL.STR_T);
      this.out.mb(idx);
    } else {
      this.out.byte(GLOBAL.STR_I);
      this.out.str(s, this.utf8);
      this.out.byte(0);
    }
  }

  private parts(parts: Part[], inAttr: boolean): void {
    for (const p of parts) {
      if (typeof p === 'string') this.string(p);
      else if ('entity' in p) {
        this.out.byte(GLOBAL.ENTITY);
        this.out.mb(p.entity);
      } else {
        const r = preferPage(p.ref, this.attrPage);
        if (inAttr) this.switchAttr(r.page);
        this.out.byte(r.token);
      }
    }
  }

  private attributes(attrs: AttrPlan[]): void {
    for (const plan of attrs) {
      if ('literal' in plan.start) {
        this.out.byte(GLOBAL.LITERAL);
        this.out.mb(this.table.get(plan.start.literal)!);
      } else {
        const r = preferPage(plan.start, this.attrPage);
        this.switchAttr(r.page);
        this.out.byte(r.token);
      }
      this.parts(plan.parts, true);
    }
    this.out.byte(GLOBAL.END);
  }

  /** The element's tag (token on its page, or LITERAL) and attributes; its content is pushed. */
  private open(e: WbxmlElement, parentNs: number | undefined): void {
    const lang = this.lang;
    let nsPage = parentNs;
    const x = e.attrs.xmlns;
    if (x !== undefined && lang.pageByNs.has(x)) nsPage = lang.pageByNs.get(x);
    const attrs = this.plan.elemPlans.get(e) ?? [];
    const children = e.children.some((c) => c.kind === 'text' && c.text === '') ? e.children.filter((c) => c.kind !== 'text' || c.text !== '') : e.children;
    const flags = (attrs.length ? TAG_HAS_ATTRS : 0) | (children.length ? TAG_HAS_CONTENT : 0);
    const refs = lang.tagByName.get(e.name);
    if (refs) {
      const r = preferPage(refs, nsPage ?? this.tagPage);
      this.switchTag(r.page);
      this.out.byte(r.token | flags);
      if (lang.nsByPage.has(r.page)) nsPage = r.page;
    } else {
      this.out.byte(GLOBAL.LITERAL | flags);
      this.out.mb(this.table.get(e.name)!);
    }
    if (attrs.length) this.attributes(attrs);
    if (children.length) this.stack.push({ children, i: 0, nsPage });
  }

  /** The body of the document (iteratively, like the decoder). */
  body(root: WbxmlElement): void {
    this.open(root, undefined);
    const stack = this.stack;
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      if (f.i >= f.children.length) {
        this.out.byte(GLOBAL.END);
        stack.pop();
        continue;
      }
      const c: WbxmlNode = f.children[f.i++]!;
      if (isElement(c)) this.open(c, f.nsPage);
      else if (c.kind === 'text') {
        const parts: Part[] = [];
        segment(c.text, this.plan.limit, parts);
        this.parts(parts, false);
      } else {
        this.out.byte(GLOBAL.OPAQUE);
        this.out.mb(c.data.length);
        this.out.bytes(c.data);
      }
    }
  }
}

export function encodeWbxml(root: WbxmlElement, opts: WbxmlEncodeOptions = {}): Uint8Array {
  const { version, charset } = headerFields(opts);
  const decl = chooseLanguage(root, opts);
  const lang = compile(decl);
  const publicId = opts.publicId ?? decl.wellKnownId ?? decl.fpi ?? 1;
  const plan = new Planner(lang, decl, charsetLimit(charset));
  if (typeof publicId === 'string') plan.required.push(publicId);
  plan.walk(root);
  const { table, bytes } = stringTable(plan, opts.stringTable, charset);

  // header (section 5.3): version, public id (or 0 + its string table index), charset, string table
  const out = new Sink();
  out.byte(version);
  if (typeof publicId === 'number') out.mb(publicId);
  else {
    out.byte(0);
    out.mb(table.get(publicId)!);
  }
  if (version >= 1) out.mb(charset);
  out.mb(bytes.length);
  out.bytes(bytes);
  new Emitter(out, lang, plan, table, charset).body(root);
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
