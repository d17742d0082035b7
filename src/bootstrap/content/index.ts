/**
 * Content of the bootstrap files, by format: decoding what a card holds (tolerating FF/00
 * padding after the data), a field-level view for comparisons and diffs (OMA DM req. 6.3.4.16:
 * the same configuration compares equal whatever its encoding), and secret redaction for output.
 */
import { createHash } from 'node:crypto';
import { CodecError } from '../../codec/errors.js';
import { PROV10, SYNCML12 } from '../../codec/wbxml/index.js';
import { decodeWbxml } from '../../codec/wbxml/decode.js';
import { encodeWbxml } from '../../codec/wbxml/encode.js';
import type { WbxmlElement } from '../../codec/wbxml/tree.js';
import { serializeXml } from '../../codec/wbxml/xml.js';
import type { KindInfo } from '../oids.js';
import { flattenCp } from './cp.js';
import { flattenDm } from './dm.js';
import { flattenLwm2m } from './lwm2m.js';
import { decodeLwm2mBootstrapFile, type Lwm2mBootstrapObject } from './lwm2m-file.js';

export type ContentFormat = KindInfo['format'];

export interface DecodedContent {
  format: ContentFormat;
  /** bytes of data (without padding) */
  length: number;
  fields: Record<string, string>;
  /** XML text for WBXML formats */
  xml?: string;
  lwm2m?: Lwm2mBootstrapObject[];
  issues: string[];
}

export function encodeWbxmlContent(format: 'syncml-dm' | 'wap-provisioningdoc', root: WbxmlElement): Uint8Array {
  return encodeWbxml(root, { language: format === 'syncml-dm' ? SYNCML12 : PROV10 });
}

/** Data length once trailing FF/00 padding is dropped (a WBXML document ends with END, 01). */
function unpadded(bytes: Uint8Array): number {
  let n = bytes.length;
  while (n > 0 && (bytes[n - 1] === 0xff || bytes[n - 1] === 0x00)) n--;
  return n;
}

export function decodeContent(format: ContentFormat, bytes: Uint8Array, file: string): DecodedContent {
  if (format === 'lwm2m') {
    const d = decodeLwm2mBootstrapFile(bytes, file);
    return { format, length: d.length, fields: flattenLwm2m(d.objects), lwm2m: d.objects, issues: d.issues };
  }
  const n = unpadded(bytes);
  if (n === 0) throw new CodecError('WBXML', `${file}: empty (padding only)`, { offset: 0 });
  const doc = decodeWbxml(bytes.subarray(0, n));
  const expected = format === 'syncml-dm' ? 'SyncML' : 'wap-provisioningdoc';
  const issues: string[] = [];
  if (doc.root.name !== expected) issues.push(`${file}: document element <${doc.root.name}>, expected <${expected}>`);
  const fields = format === 'syncml-dm' ? flattenDm(doc.root) : flattenCp(doc.root);
  const fpi = typeof doc.publicId === 'string' ? doc.publicId : doc.language.fpi;
  return { format, length: n, fields, xml: serializeXml(doc.root, { language: doc.language, ...(fpi ? { publicId: fpi } : {}), indent: 2 }), issues };
}

/** Fields whose values are credentials: shown only as a length and a short fingerprint. */
const SECRET_FIELD = /(AAUTHSECRET|AUTHSECRET|PXAUTH-PW|AAuthSecret)(#\d+)?$|^\/0\/\d+\/5$|^\/0\/\d+\/8$|^\/11\/\d+\/6$/;

export function isSecretField(key: string): boolean {
  return SECRET_FIELD.test(key);
}

export function redactValue(v: string): string {
  if (v === '' || v === '(empty)') return v;
  const h = createHash('sha256').update(v).digest('hex').slice(0, 8);
  return `[secret: ${v.length} chars, sha256 ${h}]`;
}

export function redactFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = isSecretField(k) ? redactValue(v) : v;
  return out;
}

/** Redacts secret values inside XML text (parm values and DM Data of secret nodes). */
export function redactXml(xml: string): string {
  return xml
    .replace(/(<parm name="(?:AAUTHSECRET|AUTHSECRET|PXAUTH-PW)" value=")([^"]*)(")/g, (_m, a: string, v: string, c: string) => `${a}${redactValue(v)}${c}`)
    .replace(/(AAuthSecret<\/LocURI>[\s\S]*?<Data>)([^<]*)(<\/Data>)/g, (_m, a: string, v: string, c: string) => `${a}${redactValue(v)}${c}`);
}

export interface FieldDiff {
  field: string;
  card?: string;
  profile?: string;
}

export function diffFields(card: Record<string, string>, profile: Record<string, string>): FieldDiff[] {
  const keys = [...new Set([...Object.keys(card), ...Object.keys(profile)])].sort();
  const out: FieldDiff[] = [];
  for (const k of keys) {
    if (card[k] === profile[k]) continue;
    const secret = isSecretField(k);
    const show = (v: string | undefined) => (v === undefined ? undefined : secret ? redactValue(v) : v);
    out.push({ field: k, ...(card[k] !== undefined ? { card: show(card[k]) } : {}), ...(profile[k] !== undefined ? { profile: show(profile[k]) } : {}) });
  }
  return out;
}
