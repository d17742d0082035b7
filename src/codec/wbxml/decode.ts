/**
 * WBXML decoder: WAP-192-WBXML-20010725-a (versions 1.0-1.3). Iterative (an explicit stack), so a
 * deeply nested input gives a CodecError at `maxDepth`, never a stack overflow. Every error names
 * the offset and the token at fault.
 */
import { CodecError } from '../errors.js';
import type { Language, LanguageDecl } from './codepages/types.js';
import { readMbUint32 } from './mbuint.js';
import { describePublicId, language as compile, languageForPublicId, NO_LANGUAGE } from './registry.js';
import { charsetName, GLOBAL, hexByte, globalTokenName, TAG_CODE_MASK, TAG_HAS_ATTRS, TAG_HAS_CONTENT } from './tokens.js';
import { decodeChars, isXmlName } from './strings.js';
import type { WbxmlDocument, WbxmlElement } from './tree.js';

export const WBXML_MAX_DEPTH = 256;
/** largest decoded document, in characters of names, text and attribute values (default) */
export const WBXML_MAX_OUTPUT = 8 * 1024 * 1024;
/** largest ratio of decoded characters to input bytes (default); inputs below 1 KiB may reach 64 KiB */
export const WBXML_MAX_EXPANSION = 64;
const EXPANSION_FLOOR = 64 * 1024;

export interface WbxmlDecodeOptions {
  /** code pages to use whatever the public identifier says (like `wbxml2xml -l`) */
  language?: LanguageDecl;
  /** deepest element nesting accepted (default 256) */
  maxDepth?: number;
  /** add `xmlns` where an element's code page has a namespace different from its parent's (default true) */
  namespaces?: boolean;
  /**
   * String-table references let a small document name the same long string many times (a 62 KB
   * input decoded to 480 MB): decoding stops with a CodecError once the decoded names, text and
   * attribute values exceed `maxOutput` characters (default 8 Mi) or `maxExpansion` times the
   * input size (default 64, at least 64 Ki characters).
   */
  maxOutput?: number;
  maxExpansion?: number;
}

export interface DecodedWbxml extends WbxmlDocument {
  /** the code page tables used */
  language: LanguageDecl;
}

function fail(msg: string, offset: number, tag: string): never {
  throw new CodecError('wbxml', msg, { offset, tag });
}

export function decodeWbxml(bytes: Uint8Array, opts: WbxmlDecodeOptions = {}): DecodedWbxml {
  return new Decoder(bytes, opts).run();
}

class Decoder {
  private off = 0;
  private readonly n: number;
  private charset = 106;
  private tblStart = 0;
  private tblLen = 0;
  private readonly tableCache = new Map<number, string>();
  private lang!: Language;
  private langName = '';
  private tagPage = 0;
  private attrPage = 0;
  /** characters decoded so far, and the most allowed */
  private spent = 0;
  private readonly budget: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly opts: WbxmlDecodeOptions,
  ) {
    this.n = bytes.length;
    const ratio = opts.maxExpansion ?? WBXML_MAX_EXPANSION;
    this.budget = Math.min(opts.maxOutput ?? WBXML_MAX_OUTPUT, Math.max(EXPANSION_FLOOR, ratio * bytes.length));
  }

  /** counts `chars` of output; past the budget, a CodecError instead of unbounded memory */
  private spend(chars: number, at: number, token: string): void {
    this.spent += chars;
    if (this.spent > this.budget) {
      fail(
        `decoded size exceeds the limit of ${this.budget} characters (${this.n} input bytes; expansion limit reached: string-table references repeated?)`,
        at,
        token,
      );
    }
  }

  private mb(what: string): number {
    const r = readMbUint32(this.bytes, this.off, what);
    this.off = r.next;
    return r.value;
  }

  private tableString(index: number, at: number, token: string): string {
    const hit = this.tableCache.get(index);
    if (hit !== undefined) return hit;
    if (index >= this.tblLen) fail(`string table index ${index} out of range (table is ${this.tblLen} bytes)`, at, token);
    const start = this.tblStart + index;
    const end = this.bytes.indexOf(0, start);
    if (end < 0 || end >= this.tblStart + this.tblLen) fail(`string at table index ${index} is not terminated inside the table`, at, token);
    const s = decodeChars(this.bytes, start, end, this.charset, token);
    this.tableCache.set(index, s);
    return s;
  }

  private termStr(tokOff: number, token: string): string {
    const start = this.off;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) fail('inline string not terminated before the end of the input', tokOff, token);
    this.off = end + 1;
    return decodeChars(this.bytes, start, end, this.charset, token);
  }

  private entity(tokOff: number): string {
    const cp = this.mb('entcode');
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`ENTITY ${cp} is not a Unicode scalar value`, tokOff, 'ENTITY');
    return String.fromCodePoint(cp);
  }

  /** section 5.3 header: version publicid charset strtbl */
  private header(): { version: number; publicId: number | string } {
    const { bytes, n } = this;
    if (n === 0) fail('empty input', 0, 'version');
    const version = bytes[this.off++]!;
    if (version > 0x03) fail(`unsupported WBXML version byte ${hexByte(version)} (1.0-1.3 known)`, 0, 'version');
    let publicId: number | string = this.mb('publicid');
    const idxAt = this.off;
    let publicIdIndex: number | undefined;
    // section 5.5: zero, then an index into the string table
    if (publicId === 0) publicIdIndex = this.mb('publicid index');
    // WBXML 1.0 has no charset field (and libwbxml's parser agrees); UTF-8 is the usual assumption
    if (version >= 0x01) {
      const at = this.off;
      this.charset = this.mb('charset');
      if (!charsetName(this.charset)) {
        fail(`charset MIBenum ${this.charset} not supported (UTF-8 = 106, US-ASCII = 3, ISO-8859-1 = 4)`, at, 'charset');
      }
    }
    const tblAt = this.off;
    this.tblLen = this.mb('strtbl length');
    if (this.tblLen > n - this.off) {
      fail(`string table length ${this.tblLen} runs past the end of the input (${n - this.off} bytes left)`, tblAt, 'strtbl');
    }
    this.tblStart = this.off;
    this.off += this.tblLen;
    if (publicIdIndex !== undefined) publicId = this.tableString(publicIdIndex, idxAt, 'publicid');
    return { version, publicId };
  }

  run(): DecodedWbxml {
    const { version, publicId } = this.header();
    const decl = this.opts.language ?? languageForPublicId(publicId) ?? NO_LANGUAGE;
    this.lang = compile(decl);
    this.langName = this.opts.language ? decl.id : `public id ${describePublicId(publicId)}`;
    const root = this.body();
    return { version, publicId, charset: this.charset, root, language: decl };
  }

  /** section 5.8.1: the tag state; elements on an explicit stack */
  private body(): WbxmlElement {
    const { bytes, n, lang } = this;
    const maxDepth = this.opts.maxDepth ?? WBXML_MAX_DEPTH;
    const withNs = this.opts.namespaces ?? true;
    let root: WbxmlElement | undefined;
    const stack: WbxmlElement[] = [];
    const nsStack: (string | undefined)[] = [];
    let parent: WbxmlElement | undefined;

    for (;;) {
      if (this.off >= n) {
        if (parent) fail(`input ends inside <${parent.name}> (${stack.length} element(s) open)`, this.off, 'END');
        if (!root) fail('no document element', this.off, 'body');
        return root!;
      }
      const tokOff = this.off;
      const b = bytes[this.off++]!;
      if (root && !parent) fail(`bytes after the document element (token ${hexByte(b)})`, tokOff, globalTokenName(b) ?? hexByte(b));
      let text: string | undefined;
      switch (b) {
        case GLOBAL.SWITCH_PAGE: {
          if (this.off >= n) fail('SWITCH_PAGE without a page number', tokOff, 'SWITCH_PAGE');
          const p = bytes[this.off++]!;
          if (!lang.tagNames.has(p)) fail(`unknown tag code page ${p} in ${this.langName}`, tokOff, 'SWITCH_PAGE');
          this.tagPage = p;
          continue;
        }
        case GLOBAL.END:
          if (!parent) fail('END without an open element', tokOff, 'END');
          stack.pop();
          nsStack.pop();
          parent = stack[stack.length - 1];
          continue;
        case GLOBAL.ENTITY:
          if (!parent) fail('character data outside the document element', tokOff, 'ENTITY');
          text = this.entity(tokOff);
          break;
        case GLOBAL.STR_I:
          if (!parent) fail('character data outside the document element', tokOff, 'STR_I');
          text = this.termStr(tokOff, 'STR_I');
          break;
        case GLOBAL.STR_T:
          if (!parent) fail('character data outside the document element', tokOff, 'STR_T');
          text = this.tableString(this.mb('STR_T index'), tokOff, 'STR_T');
          break;
        case GLOBAL.OPAQUE: {
          if (!parent) fail('OPAQUE outside the document element', tokOff, 'OPAQUE');
          const len = this.mb('OPAQUE length');
          if (len > n - this.off) fail(`OPAQUE length ${len} runs past the end of the input`, tokOff, 'OPAQUE');
          this.spend(2 * len, tokOff, 'OPAQUE');
          parent!.children.push({ kind: 'opaque', data: bytes.slice(this.off, this.off + len) });
          this.off += len;
          continue;
        }
        case GLOBAL.PI:
          fail('processing instructions (PI) are not supported', tokOff, 'PI');
          break;
        case GLOBAL.EXT_I_0:
        case GLOBAL.EXT_I_1:
        case GLOBAL.EXT_I_2:
        case GLOBAL.EXT_T_0:
        case GLOBAL.EXT_T_1:
        case GLOBAL.EXT_T_2:
        case GLOBAL.EXT_0:
        case GLOBAL.EXT_1:
        case GLOBAL.EXT_2:
          fail(`extension token ${globalTokenName(b)} has no meaning in ${this.langName}`, tokOff, globalTokenName(b)!);
      }
      if (text !== undefined) {
        if (text === '') continue;
        this.spend(text.length, tokOff, globalTokenName(b) ?? hexByte(b));
        const kids = parent!.children;
        const last = kids[kids.length - 1];
        if (last && last.kind === 'text') last.text += text;
        else kids.push({ kind: 'text', text });
        continue;
      }

      // an element: a tag token or LITERAL / LITERAL_A / LITERAL_C / LITERAL_AC (section 5.8.2)
      const code = b & TAG_CODE_MASK;
      let name: string;
      const parentNs = nsStack[nsStack.length - 1];
      let ns = parentNs;
      if (code === GLOBAL.LITERAL) {
        name = this.tableString(this.mb('LITERAL index'), tokOff, globalTokenName(b)!);
        if (!isXmlName(name)) fail(`LITERAL tag name ${JSON.stringify(name)} is not an XML name`, tokOff, globalTokenName(b)!);
      } else {
        const found = lang.tagNames.get(this.tagPage)?.[code];
        if (found === undefined) fail(`unknown tag token ${hexByte(code)} on page ${this.tagPage} of ${this.langName}`, tokOff, hexByte(b));
        name = found!;
        ns = lang.nsByPage.get(this.tagPage) ?? ns;
      }
      if (root && !parent) fail('second document element', tokOff, hexByte(b));
      if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth}`, tokOff, hexByte(b));
      this.spend(2 * name.length + 5, tokOff, hexByte(b));
      const elem: WbxmlElement = { name, attrs: {}, children: [] };
      if (withNs && ns !== undefined && ns !== parentNs) elem.attrs.xmlns = ns;
      if (b & TAG_HAS_ATTRS) this.attributes(elem, tokOff);
      if (parent) parent.children.push(elem);
      else root = elem;
      if (b & TAG_HAS_CONTENT) {
        stack.push(elem);
        nsStack.push(ns);
        parent = elem;
      }
    }
  }

  /** section 5.8.3: the attribute state, attrStart *attrValue ... END */
  private attributes(elem: WbxmlElement, tokOff: number): void {
    const { bytes, n, lang } = this;
    let aName: string | undefined;
    let aVal = '';
    let startAt = tokOff;
    let startTok = -1; // the start token byte, or -1 for LITERAL
    for (;;) {
      if (this.off >= n) fail(`input ends inside the attribute list of <${elem.name}>`, this.off, 'END');
      const at = this.off;
      const t = bytes[this.off++]!;
      let add: string | undefined;
      switch (t) {
        case GLOBAL.END:
          if (aName !== undefined) this.setAttr(elem, aName, aVal, startAt, startTok);
          return;
        case GLOBAL.SWITCH_PAGE: {
          if (this.off >= n) fail('SWITCH_PAGE without a page number', at, 'SWITCH_PAGE');
          const p = bytes[this.off++]!;
          if (!lang.attrStarts.has(p) && !lang.attrValues.has(p)) fail(`unknown attribute code page ${p} in ${this.langName}`, at, 'SWITCH_PAGE');
          this.attrPage = p;
          continue;
        }
        case GLOBAL.ENTITY:
          if (aName === undefined) fail('attribute value before any attribute start', at, 'ENTITY');
          add = this.entity(at);
          break;
        case GLOBAL.STR_I:
          if (aName === undefined) fail('attribute value before any attribute start', at, 'STR_I');
          add = this.termStr(at, 'STR_I');
          break;
        case GLOBAL.STR_T:
          if (aName === undefined) fail('attribute value before any attribute start', at, 'STR_T');
          add = this.tableString(this.mb('STR_T index'), at, 'STR_T');
          break;
        case GLOBAL.OPAQUE: {
          // WBXML 1.3 allows OPAQUE in attribute values (section 5.8.4.6)
          if (aName === undefined) fail('attribute value before any attribute start', at, 'OPAQUE');
          const len = this.mb('OPAQUE length');
          if (len > n - this.off) fail(`OPAQUE length ${len} runs past the end of the input`, at, 'OPAQUE');
          add = decodeChars(bytes, this.off, this.off + len, this.charset, 'OPAQUE');
          this.off += len;
          break;
        }
        case GLOBAL.LITERAL: {
          if (aName !== undefined) this.setAttr(elem, aName, aVal, startAt, startTok);
          startAt = at;
          startTok = -1;
          const an = this.tableString(this.mb('LITERAL index'), at, 'LITERAL');
          if (!isXmlName(an)) fail(`LITERAL attribute name ${JSON.stringify(an)} is not an XML name`, at, 'LITERAL');
          aName = an;
          aVal = '';
          continue;
        }
      }
      if (add !== undefined) {
        this.spend(add.length, at, globalTokenName(t) ?? hexByte(t));
        aVal += add;
        continue;
      }
      const g = globalTokenName(t);
      if (g) fail(`${g} is not allowed in an attribute list`, at, g);
      if (t < 0x80) {
        const s = lang.attrStarts.get(this.attrPage)?.[t];
        if (!s) fail(`unknown attribute start token ${hexByte(t)} on page ${this.attrPage} of ${this.langName}`, at, hexByte(t));
        if (aName !== undefined) this.setAttr(elem, aName, aVal, startAt, startTok);
        startAt = at;
        startTok = t;
        aName = s!.name;
        aVal = s!.prefix;
        this.spend(aName.length + aVal.length + 4, at, hexByte(t));
      } else {
        const v = lang.attrValues.get(this.attrPage)?.[t - 128];
        if (v === undefined) fail(`unknown attribute value token ${hexByte(t)} on page ${this.attrPage} of ${this.langName}`, at, hexByte(t));
        if (aName === undefined) fail('attribute value before any attribute start', at, hexByte(t));
        this.spend(v!.length, at, hexByte(t));
        aVal += v!;
      }
    }
  }

  private setAttr(elem: WbxmlElement, name: string, value: string, at: number, tok: number): void {
    const attrs = elem.attrs;
    if (Object.prototype.hasOwnProperty.call(attrs, name)) {
      fail(`attribute ${name} repeated on <${elem.name}>`, at, tok < 0 ? 'LITERAL' : hexByte(tok));
    }
    if (name === '__proto__') Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
    else attrs[name] = value;
  }
}
