/**
 * XML text <-> element tree. Parsing uses fast-xml-parser (preserveOrder); entity and character
 * references are resolved here (the five XML entities and &#N; / &#xN;). CDATA sections become
 * OPAQUE nodes and OPAQUE nodes are written as CDATA, the way libwbxml's wbxml2xml shows them.
 * Serialisation is iterative and indents only element-only content, so text is never altered.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WBXML_MAX_DEPTH } from './decode.js';
import { WbxmlEncodeError } from './errors.js';
import type { LanguageDecl } from './codepages/types.js';
import { isElement, opaqueAsText, type WbxmlElement, type WbxmlNode } from './tree.js';

export interface ParsedXml {
  root: WbxmlElement;
  /** the DOCTYPE's public identifier, if any */
  publicId?: string;
  systemId?: string;
}

export interface ParseXmlOptions {
  /**
   * 'trim' (default, like xml2wbxml): trim each text node, drop whitespace-only ones.
   * 'keep': keep text exactly (like xml2wbxml -k).
   */
  whitespace?: 'trim' | 'keep';
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  htmlEntities: false,
  // the same nesting limit as the WBXML decoder
  maxNestedTags: WBXML_MAX_DEPTH,
});

const UTF8 = new TextEncoder();
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(cp >= 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) throw new WbxmlEncodeError(`XML: bad character reference ${m}`);
      return String.fromCodePoint(cp);
    }
    const v = NAMED[ref];
    if (v === undefined) throw new WbxmlEncodeError(`XML: unknown entity ${m} (only the five XML entities and character references)`);
    return v;
  });
}

type FxpNode = Record<string, unknown>;

export function parseXml(text: string, opts: ParseXmlOptions = {}): ParsedXml {
  const trim = (opts.whitespace ?? 'trim') === 'trim';
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const e = valid.err;
    throw new WbxmlEncodeError(`XML: ${e.msg} (line ${e.line}${e.col !== undefined ? `, column ${e.col}` : ''})`);
  }
  const doctype = /<!DOCTYPE\s+[^\s>[]+\s+PUBLIC\s+("([^"]*)"|'([^']*)')(?:\s+("([^"]*)"|'([^']*)'))?/.exec(text);
  let top: FxpNode[];
  try {
    top = parser.parse(text) as FxpNode[];
  } catch (err) {
    throw new WbxmlEncodeError(`XML: ${(err as Error).message}`, { cause: err });
  }
  const roots = top.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) throw new WbxmlEncodeError(`XML: expected one document element, found ${roots.length}`);

  const convert = (n: FxpNode): WbxmlElement => {
    const name = elementName(n)!;
    const attrsIn = (n[':@'] ?? {}) as Record<string, string>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrsIn)) {
      Object.defineProperty(attrs, k, { value: unescapeXml(String(v)), enumerable: true, writable: true, configurable: true });
    }
    return { name, attrs, children: [] };
  };
  const root = convert(roots[0]!);
  const stack: [FxpNode, WbxmlElement][] = [[roots[0]!, root]];
  while (stack.length) {
    const [src, dst] = stack.pop()!;
    const kids = src[elementName(src)!] as FxpNode[];
    for (const k of kids) {
      if ('#text' in k) {
        let t = unescapeXml(String(k['#text']));
        if (trim) t = t.trim();
        if (!t) continue;
        const last = dst.children[dst.children.length - 1];
        if (last && last.kind === 'text') last.text += t;
        else dst.children.push({ kind: 'text', text: t });
      } else if ('#cdata' in k) {
        const parts = k['#cdata'] as FxpNode[];
        const t = parts.map((p) => String(p['#text'] ?? '')).join('');
        dst.children.push({ kind: 'opaque', data: UTF8.encode(t) });
      } else if ('#comment' in k) {
        continue;
      } else {
        const c = convert(k);
        dst.children.push(c);
        stack.push([k, c]);
      }
    }
  }
  const res: ParsedXml = { root };
  if (doctype) {
    res.publicId = doctype[2] ?? doctype[3];
    const sys = doctype[5] ?? doctype[6];
    if (sys !== undefined) res.systemId = sys;
  }
  return res;
}

function elementName(n: FxpNode): string | undefined {
  for (const k of Object.keys(n)) if (k !== ':@' && k[0] !== '#' && k[0] !== '?') return k;
  return undefined;
}

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => ESC[c]!);
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => ESC[c]!);
}

export interface SerializeXmlOptions {
  /** write a DOCTYPE for this language (FPI and system id) */
  language?: LanguageDecl;
  /** DOCTYPE public id (overrides the language's) */
  publicId?: string;
  /** indent element-only content by this many spaces (default 2; 0 = one line) */
  indent?: number;
}

/** XML text of a tree; OPAQUE is a CDATA section (text if UTF-8, else base64 of the bytes). */
export function serializeXml(root: WbxmlElement, opts: SerializeXmlOptions = {}): string {
  const ind = opts.indent ?? 2;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const fpi = opts.publicId ?? opts.language?.fpi;
  if (fpi) {
    const sys = opts.publicId === undefined || opts.publicId === opts.language?.fpi ? opts.language?.systemId : undefined;
    out.push(`<!DOCTYPE ${root.name} PUBLIC "${fpi}"${sys ? ` "${sys}"` : ''}>\n`);
  }
  const startTag = (e: WbxmlElement, empty: boolean) => {
    let s = '<' + e.name;
    for (const [k, v] of Object.entries(e.attrs)) s += ` ${k}="${escapeAttr(v)}"`;
    return s + (empty ? '/>' : '>');
  };
  const elementOnly = (e: WbxmlElement) => e.children.every((c) => isElement(c));
  type Item = { e: WbxmlElement; depth: number } | { close: WbxmlElement; depth: number; pretty: boolean } | { node: WbxmlNode };
  const stack: Item[] = [{ e: root, depth: 0 }];
  // pretty: are we inside element-only content (so newlines + indentation are safe)?
  const prettyStack: boolean[] = [true];
  while (stack.length) {
    const it = stack.pop()!;
    if ('close' in it) {
      if (it.pretty && ind) out.push('\n' + ' '.repeat(it.depth * ind));
      out.push(`</${it.close.name}>`);
      prettyStack.pop();
      continue;
    }
    if ('node' in it) {
      const n = it.node;
      if (n.kind === 'text') out.push(escapeText(n.text));
      else if (n.kind === 'opaque') out.push(cdata(n.data));
      continue;
    }
    const { e, depth } = it;
    const parentPretty = prettyStack[prettyStack.length - 1]!;
    if (parentPretty && ind && depth > 0) out.push('\n' + ' '.repeat(depth * ind));
    if (e.children.length === 0) {
      out.push(startTag(e, true));
      continue;
    }
    out.push(startTag(e, false));
    const pretty = elementOnly(e);
    prettyStack.push(pretty);
    stack.push({ close: e, depth, pretty });
    for (let i = e.children.length - 1; i >= 0; i--) {
      const c = e.children[i]!;
      stack.push(isElement(c) ? { e: c, depth: depth + 1 } : { node: c });
    }
  }
  out.push('\n');
  return out.join('');
}

function cdata(data: Uint8Array): string {
  const t = opaqueAsText(data) ?? Buffer.from(data).toString('base64');
  return '<![CDATA[' + t.split(']]>').join(']]]]><![CDATA[>') + ']]>';
}
