/**
 * The element tree WBXML decodes to and encodes from. It is the XML infoset WBXML carries
 * (WAP-192-WBXML section 5.3): elements with attributes, character data, and OPAQUE data.
 */
import { toHex } from '../../util/hex.js';

export interface WbxmlElement {
  kind?: 'element';
  name: string;
  /** attribute name -> value, in document order */
  attrs: Record<string, string>;
  children: WbxmlNode[];
}

export interface WbxmlText {
  kind: 'text';
  text: string;
}

/** OPAQUE data (section 5.8.4.6): bytes the document carries as they are. In XML text: CDATA. */
export interface WbxmlOpaque {
  kind: 'opaque';
  data: Uint8Array;
}

export type WbxmlNode = WbxmlElement | WbxmlText | WbxmlOpaque;

export interface WbxmlDocument {
  /** version byte, e.g. 0x03 for WBXML 1.3 */
  version: number;
  /** the public identifier: a well-known number, or the FPI string (string-table form) */
  publicId: number | string;
  /** IANA MIBenum of the charset (106 = UTF-8) */
  charset: number;
  root: WbxmlElement;
}

export function isElement(n: WbxmlNode): n is WbxmlElement {
  return n.kind === undefined || n.kind === 'element';
}

export function el(name: string, attrs: Record<string, string> = {}, children: (WbxmlNode | string)[] = []): WbxmlElement {
  return { name, attrs, children: children.map((c) => (typeof c === 'string' ? text(c) : c)) };
}

export function text(s: string): WbxmlText {
  return { kind: 'text', text: s };
}

export function opaque(data: Uint8Array): WbxmlOpaque {
  return { kind: 'opaque', data };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The opaque bytes as text if they are printable UTF-8, else undefined. */
export function opaqueAsText(data: Uint8Array): string | undefined {
  try {
    const s = UTF8.decode(data);
    return /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

/** A plain-data view of a tree for equality tests: see canonicalTree. */
export interface CanonicalElement {
  name: string;
  attrs: [string, string][];
  children: (CanonicalElement | string)[];
}

/**
 * The tree as XML tools see it, for comparing documents that went through different encoders:
 * attributes sorted by name, OPAQUE turned into text (UTF-8) or `opaque:HEX`, adjacent text merged,
 * text trimmed (libwbxml drops ignorable whitespace) and empty text dropped. Iterative.
 */
export function canonicalTree(root: WbxmlElement): CanonicalElement {
  const out: CanonicalElement = { name: root.name, attrs: sortedAttrs(root), children: [] };
  const stack: [WbxmlElement, CanonicalElement][] = [[root, out]];
  while (stack.length) {
    const [src, dst] = stack.pop()!;
    let pending = '';
    const flush = () => {
      const t = pending.trim();
      if (t) dst.children.push(t);
      pending = '';
    };
    for (const c of src.children) {
      if (isElement(c)) {
        flush();
        const d: CanonicalElement = { name: c.name, attrs: sortedAttrs(c), children: [] };
        dst.children.push(d);
        stack.push([c, d]);
      } else if (c.kind === 'text') pending += c.text;
      else pending += opaqueAsText(c.data) ?? `opaque:${toHex(c.data)}`;
    }
    flush();
  }
  return out;
}

function sortedAttrs(e: WbxmlElement): [string, string][] {
  return Object.entries(e.attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
