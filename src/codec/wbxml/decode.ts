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
import type { WbxmlDocument, WbxmlElement, WbxmlNode } from './tree.js';

export const WBXML_MAX_DEPTH = 256;

export interface WbxmlDecodeOptions {
  /** code pages to use whatever the public identifier says (like `wbxml2xml -l`) */
  language?: LanguageDecl;
  /** deepest element nesting accepted (default 256) */
  maxDepth?: number;
  /** add `xmlns` where an element's code page has a namespace different from its parent's (default true) */
  namespaces?: boolean;
}

export interface DecodedWbxml extends WbxmlDocument {
  /** the code page tables used */
  language: LanguageDecl;
}

const fail = (msg: string, offset: number, tag: string): never => {
  throw new CodecError('wbxml', msg, { offset, tag });
};

export function decodeWbxml(bytes: Uint8Array, opts: WbxmlDecodeOptions = {}): DecodedWbxml {
  const n = bytes.length;
  const maxDepth = opts.maxDepth ?? WBXML_MAX_DEPTH;
  const withNs = opts.namespaces ?? true;
  let off = 0;

  // --- header (section 5.3: start = version publicid charset strtbl body)
  if (n === 0) fail('empty input', 0, 'version');
  const version = bytes[off++]!;
  if (version > 0x03) fail(`unsupported WBXML version byte ${hexByte(version)} (1.0-1.3 known)`, 0, 'version');
  let r = readMbUint32(bytes, off, 'publicid');
  off = r.next;
  let publicIdIndex: number | undefined;
  let publicIdNum = r.value;
  const publicIdOff = r.next;
  if (publicIdNum === 0) {
    // section 5.5: zero followed by an index into the string table
    r = readMbUint32(bytes, off, 'publicid index');
    publicIdIndex = r.value;
    off = r.next;
  }
  let charset = 106; // WBXML 1.0 has no charset field; UTF-8 is the usual assumption
  if (version >= 0x01) {
    const at = off;
    r = readMbUint32(bytes, off, 'charset');
    charset = r.value;
    off = r.next;
    if (!charsetName(charset)) {
      fail(`charset MIBenum ${charset} not supported (UTF-8 = 106, US-ASCII = 3, ISO-8859-1 = 4)`, at, 'charset');
    }
  }
  const tblAt = off;
  r = readMbUint32(bytes, off, 'strtbl length');
  off = r.next;
  if (r.value > n - off) fail(`string table length ${r.value} runs past the end of the input (${n - off} bytes left)`, tblAt, 'strtbl');
  const tblStart = off;
  const tblLen = r.value;
  off += tblLen;

  const tableCache = new Map<number, string>();
  const tableString = (index: number, at: number, token: string): string => {
    const hit = tableCache.get(index);
    if (hit !== undefined) return hit;
    if (index >= tblLen) fail(`string table index ${index} out of range (table is ${tblLen} bytes)`, at, token);
    const end = bytes.indexOf(0, tblStart + index);
    if (end < 0 || end >= tblStart + tblLen) fail(`string at table index ${index} is not terminated inside the table`, at, token);
    const s = decodeChars(bytes, tblStart + index, end, charset, token);
    tableCache.set(index, s);
    return s;
  };

  let publicId: number | string = publicIdNum;
  if (publicIdIndex !== undefined) publicId = tableString(publicIdIndex, publicIdOff, 'publicid');
  const decl = opts.language ?? languageForPublicId(publicId) ?? NO_LANGUAGE;
  const lang: Language = compile(decl);
  const langName = opts.language ? decl.id : `public id ${describePublicId(publicId)}`;

  // --- body (section 5.8.1: tag state and attribute state, each with its own code page)
  let tagPage = 0;
  let attrPage = 0;
  let root: WbxmlElement | undefined;
  const stack: WbxmlElement[] = [];
  const nsStack: (string | undefined)[] = [];

  const readTermStr = (token: string): string => {
    const start = off;
    const end = bytes.indexOf(0, start);
    if (end < 0) fail('inline string not terminated before the end of the input', start - 1, token);
    off = end + 1;
    return decodeChars(bytes, start, end, charset, token);
  };
  const readIndex = (token: string, what: string): number => {
    const rr = readMbUint32(bytes, off, what);
    off = rr.next;
    return rr.value;
  };
  const entityChar = (tokOff: number): string => {
    const cp = readIndex('ENTITY', 'entcode');
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`ENTITY ${cp} is not a Unicode scalar value`, tokOff, 'ENTITY');
    return String.fromCodePoint(cp);
  };
  const addText = (s: string, tokOff: number, token: string) => {
    const parent = stack[stack.length - 1];
    if (!parent) return fail('character data outside the document element', tokOff, token);
    if (s === '') return;
    const last = parent.children[parent.children.length - 1];
    if (last && last.kind === 'text') last.text += s;
    else parent.children.push({ kind: 'text', text: s });
  };

  while (true) {
    if (off >= n) {
      if (stack.length) fail(`input ends inside <${stack[stack.length - 1]!.name}> (${stack.length} element(s) open)`, off, 'END');
      if (!root) fail('no document element', off, 'body');
      break;
    }
    const tokOff = off;
    const b = bytes[off++]!;
    if (root && stack.length === 0) {
      fail(`bytes after the document element (token ${hexByte(b)})`, tokOff, globalTokenName(b) ?? hexByte(b));
    }
    switch (b) {
      case GLOBAL.SWITCH_PAGE: {
        if (off >= n) fail('SWITCH_PAGE without a page number', tokOff, 'SWITCH_PAGE');
        const p = bytes[off++]!;
        if (!lang.tagNames.has(p)) fail(`unknown tag code page ${p} in ${langName}`, tokOff, 'SWITCH_PAGE');
        tagPage = p;
        continue;
      }
      case GLOBAL.END:
        if (!stack.length) fail('END without an open element', tokOff, 'END');
        stack.pop();
        nsStack.pop();
        continue;
      case GLOBAL.ENTITY:
        addText(entityChar(tokOff), tokOff, 'ENTITY');
        continue;
      case GLOBAL.STR_I: {
        if (!stack.length) fail('character data outside the document element', tokOff, 'STR_I');
        addText(readTermStr('STR_I'), tokOff, 'STR_I');
        continue;
      }
      case GLOBAL.STR_T: {
        const idx = readIndex('STR_T', 'STR_T index');
        addText(tableString(idx, tokOff, 'STR_T'), tokOff, 'STR_T');
        continue;
      }
      case GLOBAL.OPAQUE: {
        const len = readIndex('OPAQUE', 'OPAQUE length');
        if (len > n - off) fail(`OPAQUE length ${len} runs past the end of the input`, tokOff, 'OPAQUE');
        const parent = stack[stack.length - 1];
        if (!parent) fail('OPAQUE outside the document element', tokOff, 'OPAQUE');
        parent!.children.push({ kind: 'opaque', data: bytes.slice(off, off + len) });
        off += len;
        continue;
      }
      case GLOBAL.PI:
        fail('processing instructions (PI) are not supported', tokOff, 'PI');
        continue;
      case GLOBAL.EXT_I_0:
      case GLOBAL.EXT_I_1:
      case GLOBAL.EXT_I_2:
      case GLOBAL.EXT_T_0:
      case GLOBAL.EXT_T_1:
      case GLOBAL.EXT_T_2:
      case GLOBAL.EXT_0:
      case GLOBAL.EXT_1:
      case GLOBAL.EXT_2:
        fail(`extension token ${globalTokenName(b)} has no meaning in ${langName}`, tokOff, globalTokenName(b)!);
        continue;
    }

    // an element: a tag token or LITERAL / LITERAL_A / LITERAL_C / LITERAL_AC (section 5.8.2)
    const code = b & TAG_CODE_MASK;
    let name: string;
    let ns: string | undefined = nsStack[nsStack.length - 1];
    const tokName = code === GLOBAL.LITERAL ? globalTokenName(b)! : hexByte(b);
    if (code === GLOBAL.LITERAL) {
      const idx = readIndex(tokName, 'LITERAL index');
      name = tableString(idx, tokOff, tokName);
      if (!isXmlName(name)) fail(`LITERAL tag name ${JSON.stringify(name)} is not an XML name`, tokOff, tokName);
    } else {
      const found = lang.tagNames.get(tagPage)?.[code];
      if (found === undefined) fail(`unknown tag token ${hexByte(code)} on page ${tagPage} of ${langName}`, tokOff, tokName);
      name = found!;
      ns = lang.nsByPage.get(tagPage) ?? ns;
    }
    if (root && !stack.length) fail('second document element', tokOff, tokName);
    if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth}`, tokOff, tokName);
    const elem: WbxmlElement = { name, attrs: {}, children: [] };
    if (withNs && ns !== undefined && ns !== nsStack[nsStack.length - 1]) elem.attrs.xmlns = ns;

    if (b & TAG_HAS_ATTRS) {
      // attribute state (section 5.8.3): attrStart *attrValue ... END
      let aName: string | undefined;
      let aVal = '';
      let startAt = tokOff;
      let startTok = '';
      // ends the attribute begun at startAt by startTok
      const finish = () => {
        if (aName === undefined) return;
        if (Object.prototype.hasOwnProperty.call(elem.attrs, aName)) fail(`attribute ${aName} repeated on <${name}>`, startAt, startTok);
        Object.defineProperty(elem.attrs, aName, { value: aVal, enumerable: true, writable: true, configurable: true });
        aName = undefined;
      };
      const needAttr = (at: number, token: string) => {
        if (aName === undefined) fail('attribute value before any attribute start', at, token);
      };
      for (;;) {
        if (off >= n) fail(`input ends inside the attribute list of <${name}>`, off, 'END');
        const at = off;
        const t = bytes[off++]!;
        if (t === GLOBAL.END) {
          finish();
          break;
        }
        switch (t) {
          case GLOBAL.SWITCH_PAGE: {
            if (off >= n) fail('SWITCH_PAGE without a page number', at, 'SWITCH_PAGE');
            const p = bytes[off++]!;
            if (!lang.attrStarts.has(p) && !lang.attrValues.has(p)) fail(`unknown attribute code page ${p} in ${langName}`, at, 'SWITCH_PAGE');
            attrPage = p;
            continue;
          }
          case GLOBAL.ENTITY:
            needAttr(at, 'ENTITY');
            aVal += entityChar(at);
            continue;
          case GLOBAL.STR_I:
            needAttr(at, 'STR_I');
            aVal += readTermStr('STR_I');
            continue;
          case GLOBAL.STR_T: {
            needAttr(at, 'STR_T');
            aVal += tableString(readIndex('STR_T', 'STR_T index'), at, 'STR_T');
            continue;
          }
          case GLOBAL.OPAQUE: {
            // WBXML 1.3 allows OPAQUE in attribute values (section 5.8.4.6)
            needAttr(at, 'OPAQUE');
            const len = readIndex('OPAQUE', 'OPAQUE length');
            if (len > n - off) fail(`OPAQUE length ${len} runs past the end of the input`, at, 'OPAQUE');
            aVal += decodeChars(bytes, off, off + len, charset, 'OPAQUE');
            off += len;
            continue;
          }
          case GLOBAL.LITERAL: {
            finish();
            startAt = at;
            startTok = 'LITERAL';
            const an = tableString(readIndex('LITERAL', 'LITERAL index'), at, 'LITERAL');
            if (!isXmlName(an)) fail(`LITERAL attribute name ${JSON.stringify(an)} is not an XML name`, at, 'LITERAL');
            aName = an;
            aVal = '';
            continue;
          }
        }
        const g = globalTokenName(t);
        if (g) fail(`${g} is not allowed in an attribute list`, at, g);
        if (t < 0x80) {
          const s = lang.attrStarts.get(attrPage)?.[t];
          if (!s) fail(`unknown attribute start token ${hexByte(t)} on page ${attrPage} of ${langName}`, at, hexByte(t));
          finish();
          startAt = at;
          startTok = hexByte(t);
          aName = s!.name;
          aVal = s!.prefix;
        } else {
          const v = lang.attrValues.get(attrPage)?.[t - 128];
          if (v === undefined) fail(`unknown attribute value token ${hexByte(t)} on page ${attrPage} of ${langName}`, at, hexByte(t));
          needAttr(at, hexByte(t));
          aVal += v!;
        }
      }
    }

    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(elem as WbxmlNode);
    else root = elem;
    if (b & TAG_HAS_CONTENT) {
      stack.push(elem);
      nsStack.push(ns);
    }
  }

  return { version, publicId, charset, root: root!, language: decl };
}
