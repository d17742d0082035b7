/**
 * WBXML 1.3 (WAP-192-WBXML) codec with OMA Client Provisioning and SyncML code pages.
 *   decodeWbxml(bytes) -> { root, publicId, charset, version, language }
 *   encodeWbxml(root, { publicId?, language?, stringTable? }) -> bytes
 *   parseXml / serializeXml for XML text; wbxmlToXml / xmlToWbxml put them together.
 */
import { decodeWbxml, type WbxmlDecodeOptions } from './decode.js';
import { chooseLanguage, encodeWbxml, type WbxmlEncodeOptions } from './encode.js';
import { languageForPublicId } from './registry.js';
import { parseXml, serializeXml, type ParseXmlOptions } from './xml.js';

export * from './tree.js';
export * from './decode.js';
export * from './encode.js';
export * from './xml.js';
export * from './registry.js';
export { WbxmlEncodeError } from './errors.js';
export type { LanguageDecl, CodePageDecl } from './codepages/types.js';
export { PROV10 } from './codepages/prov.js';
export { SYNCML11, SYNCML12, DEVINF11, DEVINF12 } from './codepages/syncml.js';
export { readMbUint32, mbUint32Bytes } from './mbuint.js';

/** WBXML bytes -> XML text (with a DOCTYPE when the language is known). */
export function wbxmlToXml(bytes: Uint8Array, opts: WbxmlDecodeOptions & { indent?: number } = {}): string {
  const doc = decodeWbxml(bytes, opts);
  const fpi = typeof doc.publicId === 'string' ? doc.publicId : doc.language.fpi;
  return serializeXml(doc.root, { language: doc.language, ...(fpi ? { publicId: fpi } : {}), indent: opts.indent ?? 2 });
}

/** XML text -> WBXML bytes. The DOCTYPE (or the document element) picks the code pages unless given. */
export function xmlToWbxml(xml: string, opts: WbxmlEncodeOptions & ParseXmlOptions = {}): Uint8Array {
  const parsed = parseXml(xml, opts);
  const o: WbxmlEncodeOptions = { ...opts };
  if (!o.language && o.publicId === undefined && parsed.publicId) {
    const l = languageForPublicId(parsed.publicId);
    if (l) o.language = l;
    else o.publicId = parsed.publicId;
  }
  o.language = chooseLanguage(parsed.root, o);
  return encodeWbxml(parsed.root, o);
}
