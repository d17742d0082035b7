/**
 * The JSON and text views of TLV bytes (BER, COMPREHENSION, SIMPLE, LwM2M), and back: what
 * `simdm tlv decode --json` prints is what `simdm tlv encode` reads. Tag names come from the
 * codecs' own tables (FCP schema, CAT templates, COMPREHENSION tags); JSON input is validated
 * and an error names the JSON path at fault.
 */
import { UsageError } from '../../errors.js';
import { fromHex, toHex } from '../../util/hex.js';
import { jsonReplacer } from '../../util/json.js';
import { decodeBer, encodeBerSeq, tagHex, type BerTlv, type BerTlvInput } from './ber.js';
import {
  CAT_TEMPLATE_TAGS,
  COMPREHENSION_TAG_NAMES,
  comprehensionTagHex,
  decodeCatTemplate,
  decodeComprehension,
  encodeCatTemplate,
  encodeComprehension,
  type ComprehensionTlv,
} from './comprehension.js';
import { FCP_PROPRIETARY_SCHEMA, FCP_SCHEMA } from './fcp.js';
import { decodeLwm2mTlv, encodeLwm2mTlv, type Lwm2mTlv, type Lwm2mTlvInput, type Lwm2mTlvKind } from './lwm2m.js';
import { LWM2M_OBJECTS, decodeLwm2mObject, encodeLwm2mObject, type Lwm2mInstance, type Lwm2mResourceValue } from './lwm2m-model.js';
import type { Lwm2mValue } from './lwm2m-values.js';
import { decodeSimple, encodeSimple, type SimpleTlv } from './simple.js';

export type TlvFormat = 'ber' | 'comprehension' | 'simple' | 'lwm2m';
export const TLV_FORMATS: readonly TlvFormat[] = ['ber', 'comprehension', 'simple', 'lwm2m'];

// ---- names ---------------------------------------------------------------------------------

/** ISO 7816-4 / TS 102 221 / TS 101 220 names of common BER-TLV tags. */
const BER_NAMES: Record<number, string> = {
  0x61: 'Application template',
  0x4f: 'Application identifier (AID)',
  0x50: 'Application label',
  0x51: 'Path',
  0x62: 'FCP template',
  0x64: 'FMD template',
  0x6f: 'FCI template',
  0x73: 'Discretionary data objects',
  0x5f2d: 'Language preference',
  0x7f21: 'Card verifiable certificate',
  0x7f49: 'Public key template',
  ...CAT_TEMPLATE_TAGS,
};

function namesOf(fields: readonly { tag: number; name: string }[]): Record<number, string> {
  return Object.fromEntries(fields.map((f) => [f.tag, f.name]));
}
const CONTEXT_NAMES: Record<number, Record<number, string>> = {
  0x62: namesOf(FCP_SCHEMA.fields),
  0x6f: namesOf(FCP_SCHEMA.fields),
  0xa5: namesOf(FCP_PROPRIETARY_SCHEMA.fields),
};

function berName(tag: number, parent: number | undefined): string | undefined {
  return (parent !== undefined ? CONTEXT_NAMES[parent]?.[tag] : undefined) ?? BER_NAMES[tag];
}

// ---- JSON shapes (what decode --json prints and encode reads) -----------------------------

interface BerNode {
  offset?: number;
  tag: string;
  name?: string;
  value?: string;
  children?: BerNode[];
}

interface CompNode {
  offset?: number;
  tag: string;
  name?: string;
  value: string;
}

interface SimpleNode {
  offset?: number;
  tag: string;
  value: string;
  longLength?: boolean;
}

interface Lwm2mNode {
  offset?: number;
  kind: Lwm2mTlvKind;
  id: number;
  value?: string;
  children?: Lwm2mNode[];
}

function berNode(t: BerTlv, parent: number | undefined): BerNode {
  const n: BerNode = { offset: t.offset, tag: tagHex(t.tag) };
  const name = berName(t.tag, parent);
  if (name) n.name = name;
  if (t.children) n.children = t.children.map((c) => berNode(c, t.tag));
  else n.value = toHex(t.value);
  return n;
}

function compNode(t: ComprehensionTlv): CompNode {
  const n: CompNode = { offset: t.offset, tag: comprehensionTagHex(t), value: toHex(t.value) };
  const name = COMPREHENSION_TAG_NAMES[t.tag];
  if (name) n.name = name;
  return n;
}

function lwm2mNode(t: Lwm2mTlv): Lwm2mNode {
  const n: Lwm2mNode = { offset: t.offset, kind: t.kind, id: t.id };
  if (t.children) n.children = t.children.map(lwm2mNode);
  else n.value = toHex(t.value);
  return n;
}

// ---- text rendering ------------------------------------------------------------------------

const off = (o: number | undefined) => String(o ?? 0).padStart(5, '0');

function renderBer(nodes: BerNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${off(n.offset)}  ${'  '.repeat(depth)}${n.tag}${n.name ? ` (${n.name})` : ''}${n.value !== undefined ? `: ${n.value}` : ''}`,
    ...renderBer(n.children ?? [], depth + 1),
  ]);
}

function renderLwm2m(nodes: Lwm2mNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${off(n.offset)}  ${'  '.repeat(depth)}${n.kind} ${n.id}${n.value !== undefined ? `: ${n.value}` : ''}`,
    ...renderLwm2m(n.children ?? [], depth + 1),
  ]);
}

function renderValue(v: Lwm2mValue): string {
  switch (v.type) {
    case 'opaque':
      return `opaque ${toHex(v.value)}`;
    case 'objlnk':
      return `objlnk ${v.value.objectId}:${v.value.instanceId}`;
    case 'none':
      return 'none';
    case 'string':
    case 'corelnk':
      return `${v.type} ${JSON.stringify(v.value)}`;
    default:
      return `${v.type} ${String(v.value)}`;
  }
}

function renderInstances(objectId: number, list: Lwm2mInstance[]): string[] {
  const def = LWM2M_OBJECTS[objectId];
  const lines: string[] = [];
  for (const inst of list) {
    lines.push(`/${objectId}/${inst.instanceId}${def ? ` (${def.name})` : ''}`);
    for (const [id, v] of Object.entries(inst.resources)) {
      const name = def?.resources[Number(id)]?.name;
      const head = `  /${objectId}/${inst.instanceId}/${id}${name ? ` ${name}` : ''}`;
      if (v.type === 'multiple') {
        lines.push(`${head}:`);
        for (const [iid, iv] of Object.entries(v.instances)) lines.push(`    [${iid}] ${renderValue(iv)}`);
      } else lines.push(`${head}: ${renderValue(v)}`);
    }
  }
  return lines;
}

// ---- JSON input back to values -------------------------------------------------------------

function fail(msg: string): never {
  throw new UsageError(`tlv encode: ${msg}`);
}

function hexField(v: unknown, where: string): Uint8Array {
  if (typeof v !== 'string') fail(`${where}: hex string expected`);
  return fromHex(v, where);
}

function tagField(v: unknown, where: string): number {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2}){1,4}$/.test(v)) fail(`${where}: tag as 2 to 8 hex digits expected`);
  return parseInt(v, 16);
}

function asArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(`${where}: array expected`);
  return v;
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${where}: object expected`);
  return v as Record<string, unknown>;
}

function berInput(v: unknown, where: string): BerTlvInput {
  const o = asObject(v, where);
  const tag = tagField(o.tag, `${where}.tag`);
  if (o.children !== undefined) return { tag, value: asArray(o.children, `${where}.children`).map((c, i) => berInput(c, `${where}.children[${i}]`)) };
  return { tag, value: hexField(o.value, `${where}.value`) };
}

function compInput(v: unknown, where: string): ComprehensionTlv {
  const o = asObject(v, where);
  const tagBytes = hexField(o.tag, `${where}.tag`);
  const value = hexField(o.value, `${where}.value`);
  if (tagBytes.length === 1) {
    if ((tagBytes[0]! & 0x7f) === 0 || tagBytes[0] === 0xff || tagBytes[0] === 0x7f) fail(`${where}.tag: ${String(o.tag)} is not a COMPREHENSION-TLV tag`);
    return { tag: tagBytes[0]! & 0x7f, cr: (tagBytes[0]! & 0x80) !== 0, value };
  }
  if (tagBytes.length === 3 && tagBytes[0] === 0x7f) {
    return { tag: ((tagBytes[1]! & 0x7f) << 8) | tagBytes[2]!, cr: (tagBytes[1]! & 0x80) !== 0, threeByte: true, value };
  }
  return fail(`${where}.tag: one byte, or 7F and two bytes, expected`);
}

function simpleInput(v: unknown, where: string): SimpleTlv {
  const o = asObject(v, where);
  const t: SimpleTlv = { tag: tagField(o.tag, `${where}.tag`), value: hexField(o.value, `${where}.value`) };
  if (o.longLength === true) t.longLength = true;
  return t;
}

const KINDS: readonly Lwm2mTlvKind[] = ['objectInstance', 'resourceInstance', 'multipleResource', 'resource'];

function lwm2mInput(v: unknown, where: string): Lwm2mTlvInput {
  const o = asObject(v, where);
  const kind = o.kind as Lwm2mTlvKind;
  if (!KINDS.includes(kind)) fail(`${where}.kind: one of ${KINDS.join(', ')} expected`);
  const id = o.id;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff) fail(`${where}.id: 0..65535 expected`);
  if (kind === 'objectInstance' || kind === 'multipleResource') {
    return { kind, id, children: asArray(o.children ?? [], `${where}.children`).map((c, i) => lwm2mInput(c, `${where}.children[${i}]`)) };
  }
  return { kind, id, value: hexField(o.value, `${where}.value`) };
}

function intField(v: unknown, where: string): number | bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const b = BigInt(v);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  return fail(`${where}: integer expected`);
}

function typedValue(v: unknown, where: string): Lwm2mValue {
  const o = asObject(v, where);
  switch (o.type) {
    case 'string':
    case 'corelnk':
      if (typeof o.value !== 'string') fail(`${where}.value: string expected`);
      return { type: o.type, value: o.value };
    case 'integer':
    case 'unsigned':
    case 'time':
      return { type: o.type, value: intField(o.value, `${where}.value`) };
    case 'float':
      if (typeof o.value !== 'number') fail(`${where}.value: number expected`);
      return { type: 'float', value: o.value };
    case 'boolean':
      if (typeof o.value !== 'boolean') fail(`${where}.value: true or false expected`);
      return { type: 'boolean', value: o.value };
    case 'opaque':
      return { type: 'opaque', value: hexField(o.value, `${where}.value`) };
    case 'objlnk': {
      const l = asObject(o.value, `${where}.value`);
      return {
        type: 'objlnk',
        value: { objectId: Number(intField(l.objectId, `${where}.value.objectId`)), instanceId: Number(intField(l.instanceId, `${where}.value.instanceId`)) },
      };
    }
    case 'none':
      return { type: 'none' };
    default:
      return fail(`${where}.type: unknown type ${JSON.stringify(o.type)}`);
  }
}

function instanceInput(v: unknown, where: string): Lwm2mInstance {
  const o = asObject(v, where);
  const instanceId = Number(intField(o.instanceId, `${where}.instanceId`));
  const resources: Record<number, Lwm2mResourceValue> = {};
  for (const [id, rv] of Object.entries(asObject(o.resources, `${where}.resources`))) {
    const w = `${where}.resources.${id}`;
    const r = asObject(rv, w);
    if (r.type === 'multiple') {
      const inst: Record<number, Lwm2mValue> = {};
      for (const [iid, iv] of Object.entries(asObject(r.instances, `${w}.instances`))) inst[Number(iid)] = typedValue(iv, `${w}.instances.${iid}`);
      resources[Number(id)] = { type: 'multiple', instances: inst };
    } else resources[Number(id)] = typedValue(r, w);
  }
  return { instanceId, resources };
}

function tryCatTemplate(bytes: Uint8Array): ReturnType<typeof decodeCatTemplate> | undefined {
  try {
    return decodeCatTemplate(bytes);
  } catch (e) {
    try {
      decodeComprehension(bytes);
    } catch {
      throw e;
    }
    return undefined;
  }
}

/** The TLV bytes as the JSON `tlv decode --json` prints (tags named, offsets) and as text lines. */
export function decodeTlvText(format: TlvFormat, bytes: Uint8Array, objectId?: number): { json: unknown; text: string[] } {
  switch (format) {
    case 'ber': {
      const items = decodeBer(bytes).map((t) => berNode(t, undefined));
      return { json: { format, items }, text: renderBer(items) };
    }
    case 'comprehension': {
      // a 'Dx' first byte is a CAT template (BER), unless the bytes only parse as a plain list
      const t = bytes.length && bytes[0]! >= 0xd0 && bytes[0]! <= 0xdf ? tryCatTemplate(bytes) : undefined;
      if (t) {
        const items = t.items.map(compNode);
        return {
          json: { format, template: tagHex(t.tag), items },
          text: [
            `${off(0)}  ${tagHex(t.tag)} (${CAT_TEMPLATE_TAGS[t.tag]})`,
            ...items.map((n) => `${off(n.offset)}    ${n.tag}${n.name ? ` (${n.name})` : ''}: ${n.value}`),
          ],
        };
      }
      const items = decodeComprehension(bytes).map(compNode);
      return { json: { format, items }, text: items.map((n) => `${off(n.offset)}  ${n.tag}${n.name ? ` (${n.name})` : ''}: ${n.value}`) };
    }
    case 'simple': {
      const items: SimpleNode[] = decodeSimple(bytes).map((t) => ({
        offset: t.offset,
        tag: tagHex(t.tag),
        value: toHex(t.value),
        ...(t.longLength ? { longLength: true } : {}),
      }));
      return { json: { format, items }, text: items.map((n) => `${off(n.offset)}  ${n.tag}: ${n.value}`) };
    }
    case 'lwm2m': {
      if (objectId !== undefined) {
        const instances = decodeLwm2mObject(bytes, objectId);
        return {
          json: JSON.parse(JSON.stringify({ format, object: objectId, instances }, jsonReplacer)) as unknown,
          text: renderInstances(objectId, instances),
        };
      }
      const items = decodeLwm2mTlv(bytes).map(lwm2mNode);
      return { json: { format, items }, text: renderLwm2m(items) };
    }
  }
}

/** The bytes of the JSON `decodeTlvText` produces (validated: the error names the JSON path at fault). */
export function encodeTlvJson(format: TlvFormat, doc: unknown): Uint8Array {
  const o = asObject(doc, 'input');
  if (o.format !== undefined && o.format !== format) fail(`input is ${String(o.format)}, not ${format}`);
  switch (format) {
    case 'ber':
      return encodeBerSeq(asArray(o.items, 'items').map((v, i) => berInput(v, `items[${i}]`)));
    case 'comprehension': {
      const items = asArray(o.items, 'items').map((v, i) => compInput(v, `items[${i}]`));
      if (o.template !== undefined) {
        const tag = tagField(o.template, 'template');
        if (tag < 0xd0 || tag > 0xdf) fail('template: D0..DF expected');
        return encodeCatTemplate({ tag, items });
      }
      return encodeComprehension(items);
    }
    case 'simple':
      return encodeSimple(asArray(o.items, 'items').map((v, i) => simpleInput(v, `items[${i}]`)));
    case 'lwm2m':
      if (o.instances !== undefined) return encodeLwm2mObject(asArray(o.instances, 'instances').map((v, i) => instanceInput(v, `instances[${i}]`)));
      return encodeLwm2mTlv(asArray(o.items, 'items').map((v, i) => lwm2mInput(v, `items[${i}]`)));
  }
}
