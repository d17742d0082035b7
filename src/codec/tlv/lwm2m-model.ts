/**
 * Model-aware LwM2M TLV: the resource types of the objects a bootstrap writes, so that an
 * object's TLV decodes to `{ instanceId, resources: { id: typed value } }[]` and encodes back.
 *
 * Resource tables: OMA-TS-LightweightM2M_Core-V1_1 Appendix E.1 (Security, object 0),
 * E.2 (Server, object 1), E.4 (Device, object 3); APN Connection Profile (object 11) from the
 * OMA LwM2M registry (LWM2M_APN_connection_profile-v1_0). Resources not in a table decode as
 * opaque, so re-encoding is lossless.
 */
import { CodecError } from '../errors.js';
import { decodeLwm2mTlv, encodeLwm2mTlv, lwm2mTlvName, type Lwm2mTlv, type Lwm2mTlvInput } from './lwm2m.js';
import { compareLwm2mValue, decodeLwm2mValue, encodeLwm2mValue, type Lwm2mDataType, type Lwm2mValue } from './lwm2m-values.js';

export interface Lwm2mResourceDef {
  name: string;
  type: Lwm2mDataType;
  /** multiple-instance resource */
  multiple?: boolean;
}

export interface Lwm2mObjectDef {
  name: string;
  resources: Readonly<Record<number, Lwm2mResourceDef>>;
}

const r = (name: string, type: Lwm2mDataType, multiple = false): Lwm2mResourceDef => (multiple ? { name, type, multiple } : { name, type });

export const LWM2M_OBJECTS: Readonly<Record<number, Lwm2mObjectDef>> = {
  0: {
    name: 'LwM2M Security',
    resources: {
      0: r('LwM2M Server URI', 'string'),
      1: r('Bootstrap-Server', 'boolean'),
      2: r('Security Mode', 'integer'),
      3: r('Public Key or Identity', 'opaque'),
      4: r('Server Public Key', 'opaque'),
      5: r('Secret Key', 'opaque'),
      6: r('SMS Security Mode', 'integer'),
      7: r('SMS Binding Key Parameters', 'opaque'),
      8: r('SMS Binding Secret Key(s)', 'opaque'),
      9: r('LwM2M Server SMS Number', 'string'),
      10: r('Short Server ID', 'integer'),
      11: r('Client Hold Off Time', 'integer'),
      12: r('Bootstrap-Server Account Timeout', 'integer'),
      13: r('Matching Type', 'unsigned'),
      14: r('SNI', 'string'),
      15: r('Certificate Usage', 'unsigned'),
      16: r('DTLS/TLS Ciphersuite', 'unsigned', true),
      17: r('OSCORE Security Mode', 'objlnk'),
    },
  },
  1: {
    name: 'LwM2M Server',
    resources: {
      0: r('Short Server ID', 'integer'),
      1: r('Lifetime', 'integer'),
      2: r('Default Minimum Period', 'integer'),
      3: r('Default Maximum Period', 'integer'),
      4: r('Disable', 'none'),
      5: r('Disable Timeout', 'integer'),
      6: r('Notification Storing When Disabled or Offline', 'boolean'),
      7: r('Binding', 'string'),
      8: r('Registration Update Trigger', 'none'),
      9: r('Bootstrap-Request Trigger', 'none'),
      10: r('APN Link', 'objlnk'),
      11: r('TLS-DTLS Alert Code', 'unsigned'),
      12: r('Last Bootstrapped', 'time'),
      13: r('Registration Priority Order', 'unsigned'),
      14: r('Initial Registration Delay Timer', 'unsigned'),
      15: r('Registration Failure Block', 'boolean'),
      16: r('Bootstrap on Registration Failure', 'boolean'),
      17: r('Communication Retry Count', 'unsigned'),
      18: r('Communication Retry Timer', 'unsigned'),
      19: r('Communication Sequence Delay Timer', 'unsigned'),
      20: r('Communication Sequence Retry Count', 'unsigned'),
      21: r('Trigger', 'boolean'),
      22: r('Preferred Transport', 'string'),
      23: r('Mute Send', 'boolean'),
    },
  },
  3: {
    name: 'Device',
    resources: {
      0: r('Manufacturer', 'string'),
      1: r('Model Number', 'string'),
      2: r('Serial Number', 'string'),
      3: r('Firmware Version', 'string'),
      4: r('Reboot', 'none'),
      5: r('Factory Reset', 'none'),
      6: r('Available Power Sources', 'integer', true),
      7: r('Power Source Voltage', 'integer', true),
      8: r('Power Source Current', 'integer', true),
      9: r('Battery Level', 'integer'),
      10: r('Memory Free', 'integer'),
      11: r('Error Code', 'integer', true),
      12: r('Reset Error Code', 'none'),
      13: r('Current Time', 'time'),
      14: r('UTC Offset', 'string'),
      15: r('Timezone', 'string'),
      16: r('Supported Binding and Modes', 'string'),
      17: r('Device Type', 'string'),
      18: r('Hardware Version', 'string'),
      19: r('Software Version', 'string'),
      20: r('Battery Status', 'integer'),
      21: r('Memory Total', 'integer'),
      22: r('ExtDevInfo', 'objlnk', true),
    },
  },
  11: {
    name: 'APN Connection Profile',
    resources: {
      0: r('Profile name', 'string'),
      1: r('APN', 'string'),
      2: r('Auto select APN by device', 'boolean'),
      3: r('Enable status', 'boolean'),
      4: r('Authentication Type', 'integer'),
      5: r('User Name', 'string'),
      6: r('Secret', 'string'),
      7: r('Reconnect Schedule', 'string'),
      8: r('Validity (MCC, MNC)', 'string', true),
      9: r('Connection establishment time', 'time', true),
      10: r('Connection establishment result', 'integer', true),
      11: r('Connection establishment reject cause', 'integer', true),
      12: r('Connection end time', 'time', true),
      13: r('TotalBytesSent', 'integer'),
      14: r('TotalBytesReceived', 'integer'),
      15: r('IP address', 'string', true),
      16: r('Prefix length', 'string', true),
      17: r('Subnet mask', 'string', true),
      18: r('Gateway', 'string', true),
      19: r('Primary DNS address', 'string', true),
      20: r('Secondary DNS address', 'string', true),
      21: r('QCI', 'integer'),
      22: r('Vendor specific extensions', 'objlnk'),
      23: r('TotalPacketsSent', 'integer'),
      24: r('PDN Type', 'integer'),
      25: r('APN Rate Control', 'integer'),
    },
  },
};

/** A multiple-instance resource: resource instance id -> value. */
export interface Lwm2mMultiValue {
  type: 'multiple';
  instances: Record<number, Lwm2mValue>;
}

export type Lwm2mResourceValue = Lwm2mValue | Lwm2mMultiValue;

export interface Lwm2mInstance {
  instanceId: number;
  resources: Record<number, Lwm2mResourceValue>;
}

export function lwm2mResourceDef(objectId: number, resourceId: number): Lwm2mResourceDef | undefined {
  return LWM2M_OBJECTS[objectId]?.resources[resourceId];
}

function typeOf(objectId: number, resourceId: number): Lwm2mDataType {
  return lwm2mResourceDef(objectId, resourceId)?.type ?? 'opaque';
}

function decodeResources(objectId: number, items: Lwm2mTlv[]): Record<number, Lwm2mResourceValue> {
  const out: Record<number, Lwm2mResourceValue> = {};
  for (const t of items) {
    const where = { offset: t.offset ?? 0, tag: `/${objectId}/?/${t.id}` };
    if (t.id in out) throw new CodecError('LwM2M-TLV', `resource ${t.id} appears twice`, { offset: where.offset, tag: lwm2mTlvName(t.kind, t.id) });
    const type = typeOf(objectId, t.id);
    if (t.kind === 'resource') {
      out[t.id] = decodeLwm2mValue(type, t.value, { offset: where.offset, tag: lwm2mTlvName(t.kind, t.id) });
    } else if (t.kind === 'multipleResource') {
      const inst: Record<number, Lwm2mValue> = {};
      for (const c of t.children ?? []) {
        const tag = `resource ${t.id} instance ${c.id}`;
        if (c.id in inst) throw new CodecError('LwM2M-TLV', `resource instance ${c.id} appears twice`, { offset: c.offset ?? 0, tag });
        inst[c.id] = decodeLwm2mValue(type, c.value, { offset: c.offset ?? 0, tag });
      }
      out[t.id] = { type: 'multiple', instances: inst };
    } else {
      throw new CodecError('LwM2M-TLV', `${t.kind} where a resource was expected`, { offset: where.offset, tag: lwm2mTlvName(t.kind, t.id) });
    }
  }
  return out;
}

/**
 * Decodes the TLV of one object's instances (a sequence of object instance TLVs) with the
 * resource types of `objectId`.
 */
export function decodeLwm2mObject(bytes: Uint8Array, objectId: number, baseOffset = 0): Lwm2mInstance[] {
  const out: Lwm2mInstance[] = [];
  const seen = new Set<number>();
  for (const t of decodeLwm2mTlv(bytes, baseOffset)) {
    if (t.kind !== 'objectInstance') {
      throw new CodecError('LwM2M-TLV', `${t.kind} where an object instance was expected`, { offset: t.offset ?? 0, tag: lwm2mTlvName(t.kind, t.id) });
    }
    if (seen.has(t.id)) throw new CodecError('LwM2M-TLV', `object instance ${t.id} appears twice`, { offset: t.offset ?? 0, tag: lwm2mTlvName(t.kind, t.id) });
    seen.add(t.id);
    out.push({ instanceId: t.id, resources: decodeResources(objectId, t.children ?? []) });
  }
  return out;
}

/** Decodes the resources of a single object instance sent without its wrapper (e.g. a READ of /3/0). */
export function decodeLwm2mInstance(bytes: Uint8Array, objectId: number, baseOffset = 0): Record<number, Lwm2mResourceValue> {
  return decodeResources(objectId, decodeLwm2mTlv(bytes, baseOffset));
}

function resourcesToInput(resources: Record<number, Lwm2mResourceValue>): Lwm2mTlvInput[] {
  const ids = Object.keys(resources)
    .map(Number)
    .sort((a, b) => a - b);
  return ids.map((id): Lwm2mTlvInput => {
    const v = resources[id]!;
    if (v.type === 'multiple') {
      const iids = Object.keys(v.instances)
        .map(Number)
        .sort((a, b) => a - b);
      return {
        kind: 'multipleResource',
        id,
        children: iids.map((iid) => ({ kind: 'resourceInstance' as const, id: iid, value: encodeLwm2mValue(v.instances[iid]!) })),
      };
    }
    return { kind: 'resource', id, value: encodeLwm2mValue(v) };
  });
}

/** Encodes instances in canonical order (instances, resources and resource instances by id). */
export function encodeLwm2mObject(instances: readonly Lwm2mInstance[]): Uint8Array {
  const sorted = [...instances].sort((a, b) => a.instanceId - b.instanceId);
  return encodeLwm2mTlv(sorted.map((i) => ({ kind: 'objectInstance' as const, id: i.instanceId, children: resourcesToInput(i.resources) })));
}

export function encodeLwm2mInstance(resources: Record<number, Lwm2mResourceValue>): Uint8Array {
  return encodeLwm2mTlv(resourcesToInput(resources));
}

function compareResource(a: Lwm2mResourceValue, b: Lwm2mResourceValue): number {
  if (a.type === 'multiple' || b.type === 'multiple') {
    if (a.type !== 'multiple') return -1;
    if (b.type !== 'multiple') return 1;
    return compareRecords(a.instances, b.instances, compareLwm2mValue);
  }
  return compareLwm2mValue(a, b);
}

function compareRecords<T>(a: Record<number, T>, b: Record<number, T>, cmp: (x: T, y: T) => number): number {
  const ka = Object.keys(a)
    .map(Number)
    .sort((x, y) => x - y);
  const kb = Object.keys(b)
    .map(Number)
    .sort((x, y) => x - y);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    const c = cmp(a[ka[i]!]!, b[kb[i]!]!);
    if (c) return c;
  }
  return ka.length - kb.length;
}

/**
 * Canonical order of decoded objects: by instance id, then resource id, then value as
 * `compareLwm2mValue` orders it. Equal (0) exactly when the configurations are the same,
 * whatever integer widths or element order the encodings used.
 */
export function compareLwm2mObjects(a: readonly Lwm2mInstance[], b: readonly Lwm2mInstance[]): number {
  const ra: Record<number, Record<number, Lwm2mResourceValue>> = {};
  const rb: Record<number, Record<number, Lwm2mResourceValue>> = {};
  for (const i of a) ra[i.instanceId] = i.resources;
  for (const i of b) rb[i.instanceId] = i.resources;
  return compareRecords(ra, rb, (x, y) => compareRecords(x, y, compareResource));
}

export function lwm2mObjectsEqual(a: readonly Lwm2mInstance[], b: readonly Lwm2mInstance[]): boolean {
  return compareLwm2mObjects(a, b) === 0;
}
