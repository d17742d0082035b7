/**
 * EF LwM2M_Bootstrap content (OMA-TS-LightweightM2M_Core-V1_1_1 Appendix G.3.4):
 *
 *   <bootstrap_data> ::= <number of objects> <size> <collection_of_lwm2m_objects>
 *   <number of objects> ::= HWORD ; <size> ::= HWORD (bytes of the collection)
 *   <single_lwm2m_object> ::= <lwm2m_object_ID> <object_version> <length_of_object> <instances>
 *   <lwm2m_object_ID> ::= HWORD
 *   <object_version> ::= %x00 (implicit: 1.0 / the enabler's version) | MAJOR MINOR (%x01-FF %x00-FF)
 *   <length_of_object> ::= HWORD
 *   <lwm2m_object_instances> ::= LwM2M TLV (Core 7.4.3)
 *
 * With the implicit version the header reads as object ID + a 3-byte length, the layout seen in
 * public examples of V1.0 cards. Data is big-endian; the rest of the file is FF padding.
 */
import { CodecError } from '../../codec/errors.js';
import { decodeLwm2mObject, encodeLwm2mObject, type Lwm2mInstance } from '../../codec/tlv/lwm2m-model.js';

const CODEC = 'LwM2M bootstrap file';

export interface Lwm2mBootstrapObject {
  objectId: number;
  /** absent = implicit version (00) */
  version?: { major: number; minor: number };
  instances: Lwm2mInstance[];
}

export function encodeLwm2mBootstrapFile(objects: readonly Lwm2mBootstrapObject[]): Uint8Array {
  const parts: number[] = [];
  for (const o of objects) {
    const tlv = encodeLwm2mObject(o.instances);
    if (tlv.length > 0xffff) throw new CodecError(CODEC, `object ${o.objectId}: ${tlv.length} bytes exceed 65535`);
    parts.push(o.objectId >> 8, o.objectId & 0xff);
    if (o.version) {
      if (o.version.major < 1 || o.version.major > 255) throw new CodecError(CODEC, `object ${o.objectId}: major version ${o.version.major} (1..255)`);
      parts.push(o.version.major, o.version.minor & 0xff);
    } else parts.push(0x00);
    parts.push(tlv.length >> 8, tlv.length & 0xff, ...tlv);
  }
  if (parts.length > 0xffff) throw new CodecError(CODEC, `${parts.length} bytes of objects exceed 65535`);
  return Uint8Array.from([objects.length >> 8, objects.length & 0xff, parts.length >> 8, parts.length & 0xff, ...parts]);
}

export interface Lwm2mFileDecode {
  objects: Lwm2mBootstrapObject[];
  /** bytes used (header + collection); the rest is padding */
  length: number;
  issues: string[];
}

/** Decodes the file; objects that do not decode are reported and skipped when their length is known. */
export function decodeLwm2mBootstrapFile(bytes: Uint8Array, file = 'EF LwM2M_Bootstrap'): Lwm2mFileDecode {
  if (bytes.length < 4) throw new CodecError(CODEC, `${file}: ${bytes.length} bytes, the header needs 4`, { offset: 0, tag: 'header' });
  const count = (bytes[0]! << 8) | bytes[1]!;
  const size = (bytes[2]! << 8) | bytes[3]!;
  if (count === 0xffff && size === 0xffff) throw new CodecError(CODEC, `${file}: empty (FF) file`, { offset: 0, tag: 'header' });
  if (4 + size > bytes.length)
    throw new CodecError(CODEC, `${file}: size ${size} runs past the end of the ${bytes.length}-byte file`, { offset: 2, tag: 'size' });
  const out: Lwm2mFileDecode = { objects: [], length: 4 + size, issues: [] };
  let off = 4;
  const end = 4 + size;
  while (off < end) {
    if (end - off < 5) throw new CodecError(CODEC, `${file}: truncated object header`, { offset: off, tag: 'object' });
    const objectId = (bytes[off]! << 8) | bytes[off + 1]!;
    let p = off + 2;
    let version: { major: number; minor: number } | undefined;
    if (bytes[p] === 0x00) p += 1;
    else {
      version = { major: bytes[p]!, minor: bytes[p + 1]! };
      p += 2;
    }
    if (p + 2 > end) throw new CodecError(CODEC, `${file}: truncated object header`, { offset: off, tag: `object ${objectId}` });
    const len = (bytes[p]! << 8) | bytes[p + 1]!;
    p += 2;
    if (p + len > end) throw new CodecError(CODEC, `${file}: object ${objectId} of ${len} bytes runs past size`, { offset: off, tag: `object ${objectId}` });
    try {
      out.objects.push({ objectId, ...(version ? { version } : {}), instances: decodeLwm2mObject(bytes.subarray(p, p + len), objectId, p) });
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      out.issues.push(`${file}: object ${objectId} at offset ${off}: ${e.message}; skipped`);
    }
    off = p + len;
  }
  if (out.objects.length + out.issues.length !== count)
    out.issues.push(`${file}: header says ${count} objects, found ${out.objects.length + out.issues.length}`);
  return out;
}
