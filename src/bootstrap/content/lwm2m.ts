/**
 * LwM2M bootstrap configuration (OMA-TS-LightweightM2M_Core-V1_1 Appendix E.1 Security object 0,
 * E.2 Server object 1; APN Connection Profile object 11): the typed model a profile fills in
 * and the objects written to EF LwM2M_Bootstrap (lwm2m-file.ts).
 */
import type { Lwm2mInstance, Lwm2mResourceValue } from '../../codec/tlv/lwm2m-model.js';
import type { Lwm2mValue } from '../../codec/tlv/lwm2m-values.js';
import { toHex } from '../../util/hex.js';
import type { Lwm2mBootstrapObject } from './lwm2m-file.js';

/** Security Mode resource values (Core E.1, resource 2) */
export const SECURITY_MODE = { psk: 0, rpk: 1, cert: 2, nosec: 3, est: 4 } as const;
export type SecurityModeName = keyof typeof SECURITY_MODE;
/** APN Authentication Type (object 11, resource 4) */
export const APN_AUTH = { pap: 0, chap: 1, 'pap-or-chap': 2, none: 3 } as const;

export interface Lwm2mServerConfig {
  uri: string;
  bootstrap: boolean;
  securityMode: SecurityModeName;
  /** PSK identity / public key or identity (resource 3) */
  identity?: Uint8Array;
  serverPublicKey?: Uint8Array;
  /** PSK / private key (resource 5) */
  secretKey?: Uint8Array;
  shortServerId?: number;
  clientHoldOffTime?: number;
  lifetime?: number;
  binding?: string;
  notificationStoring?: boolean;
  /** index into `apn` (Server resource 10, APN Link) */
  apn?: number;
}

export interface Lwm2mApnConfig {
  name: string;
  apn: string;
  authType?: keyof typeof APN_AUTH;
  user?: string;
  secret?: string;
}

export interface Lwm2mConfig {
  servers: Lwm2mServerConfig[];
  apn?: Lwm2mApnConfig[];
}

const s = (value: string): Lwm2mValue => ({ type: 'string', value });
const i = (value: number): Lwm2mValue => ({ type: 'integer', value });
const b = (value: boolean): Lwm2mValue => ({ type: 'boolean', value });
const o = (value: Uint8Array): Lwm2mValue => ({ type: 'opaque', value });

export function lwm2mObjects(cfg: Lwm2mConfig): Lwm2mBootstrapObject[] {
  const security: Lwm2mInstance[] = [];
  const server: Lwm2mInstance[] = [];
  cfg.servers.forEach((sv, n) => {
    const r: Record<number, Lwm2mResourceValue> = { 0: s(sv.uri), 1: b(sv.bootstrap), 2: i(SECURITY_MODE[sv.securityMode]) };
    // most compact encoding (the file must fit one 256-byte READ BINARY of a device, layout.ts):
    // an empty key or identity is left out rather than written as an empty opaque
    if (sv.identity?.length) r[3] = o(sv.identity);
    if (sv.serverPublicKey?.length) r[4] = o(sv.serverPublicKey);
    if (sv.secretKey?.length) r[5] = o(sv.secretKey);
    if (!sv.bootstrap && sv.shortServerId !== undefined) r[10] = i(sv.shortServerId);
    if (sv.bootstrap && sv.clientHoldOffTime !== undefined) r[11] = i(sv.clientHoldOffTime);
    security.push({ instanceId: n, resources: r });
    if (!sv.bootstrap) {
      const q: Record<number, Lwm2mResourceValue> = { 0: i(sv.shortServerId ?? n + 1), 1: i(sv.lifetime ?? 86400) };
      q[6] = b(sv.notificationStoring ?? true);
      q[7] = s(sv.binding ?? 'U');
      if (sv.apn !== undefined) q[10] = { type: 'objlnk', value: { objectId: 11, instanceId: sv.apn } };
      server.push({ instanceId: server.length, resources: q });
    }
  });
  const out: Lwm2mBootstrapObject[] = [{ objectId: 0, instances: security }];
  if (server.length) out.push({ objectId: 1, instances: server });
  if (cfg.apn?.length) {
    out.push({
      objectId: 11,
      instances: cfg.apn.map((a, n) => {
        const r: Record<number, Lwm2mResourceValue> = { 0: s(a.name), 1: s(a.apn), 3: b(true), 4: i(APN_AUTH[a.authType ?? 'none']) };
        if (a.user !== undefined) r[5] = s(a.user);
        if (a.secret !== undefined) r[6] = s(a.secret);
        return { instanceId: n, resources: r };
      }),
    });
  }
  return out;
}

function valueText(v: Lwm2mValue): string {
  switch (v.type) {
    case 'opaque':
      return v.value.length ? toHex(v.value) : '(empty)';
    case 'objlnk':
      return `${v.value.objectId}:${v.value.instanceId}`;
    case 'none':
      return '(none)';
    default:
      return String(v.value);
  }
}

/** Field-level view: `/0/0/0` -> "coaps://..."; multiple resources as `/o/i/r/ri`. */
export function flattenLwm2m(objects: readonly Lwm2mBootstrapObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const obj of objects) {
    if (obj.version) out[`/${obj.objectId}/version`] = `${obj.version.major}.${obj.version.minor}`;
    for (const inst of obj.instances) {
      for (const [rid, v] of Object.entries(inst.resources)) {
        const base = `/${obj.objectId}/${inst.instanceId}/${rid}`;
        if (v.type === 'multiple') for (const [ri, x] of Object.entries(v.instances)) out[`${base}/${ri}`] = valueText(x);
        else out[base] = valueText(v);
      }
    }
  }
  return out;
}
