/**
 * The card's connectivity for the DM session (OMA DM requirement 6.3.1.11: the device uses the
 * network access the bootstrap gives for its DM account). From the card's OMA CP document
 * (NAPDEF, PXLOGICAL/PXPHYSICAL; OMA-WAP-TS-ProvCont) the agent builds:
 *  - tree nodes after the Connectivity MO (OMA-DDS-DM_ConnMO): ./NAP/<napid>/{Name, Addr,
 *    AddrType, Bearer/BearerType, Auth/<type>/{Id, Secret}} and ./Proxy/<pxid>/{Id, Addr,
 *    AddrType, Ports/<n>/PortNbr, ConRef/<napid>/ConRef}; the DM account's PrefConRef names the NAP;
 *  - the host's part (`applyConnectivity`), before the first session:
 *    * a hook command (the user's --net-hook string, run by /bin/sh -c) with the settings in its
 *      environment, never on a command line: SIMDM_NAP_ID, SIMDM_NAP_NAME, SIMDM_NAP_BEARER, SIMDM_NAP_APN,
 *      SIMDM_NAP_AUTH_TYPE, SIMDM_NAP_AUTH_NAME, SIMDM_NAP_AUTH_SECRET, SIMDM_PROXY_ADDR,
 *      SIMDM_PROXY_PORT, SIMDM_DM_SERVER (the account's server address). Exit 0 = connected.
 *    * on Linux, a NetworkManager keyfile (`--nm-keyfile DIR`, file mode 0600, type gsm with the
 *      APN and credentials; NetworkManager keyfiles have no manual HTTP proxy: the hook gets it).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from './errors.js';
import type { DeviceTree } from './tree.js';

export interface NapSettings {
  napId: string;
  name?: string;
  bearer?: string;
  /** the APN (NAP-ADDRESS of NAP-ADDRTYPE APN) */
  apn?: string;
  auth?: { type: string; name?: string; secret?: string };
  proxy?: { id: string; addr: string; port?: number };
}

/** The NAPs of a flattened CP document (flattenCp keys). */
export function napsOfCp(fields: Record<string, string>): NapSettings[] {
  const ids = new Set<string>();
  for (const k of Object.keys(fields)) {
    const m = /^NAPDEF\[([^\]]+)\]\//.exec(k);
    if (m) ids.add(m[1]!);
  }
  const out: NapSettings[] = [];
  for (const id of ids) {
    const g = (rel: string): string | undefined => fields[`NAPDEF[${id}]/${rel}`];
    const n: NapSettings = { napId: g('NAPID') ?? id };
    const name = g('NAME');
    const bearer = g('BEARER');
    if (name) n.name = name;
    if (bearer) n.bearer = bearer;
    const addrType = (g('NAP-ADDRTYPE') ?? 'APN').toUpperCase();
    const addr = g('NAP-ADDRESS');
    if (addr && addrType === 'APN') n.apn = addr;
    const authType = Object.entries(fields).find(([k]) => k.startsWith(`NAPDEF[${id}]/NAPAUTHINFO[`) && k.endsWith('/AUTHTYPE'));
    if (authType) {
      const pre = authType[0].slice(0, -'AUTHTYPE'.length);
      n.auth = {
        type: authType[1],
        ...(fields[`${pre}AUTHNAME`] !== undefined ? { name: fields[`${pre}AUTHNAME`]! } : {}),
        ...(fields[`${pre}AUTHSECRET`] !== undefined ? { secret: fields[`${pre}AUTHSECRET`]! } : {}),
      };
    }
    // the logical proxy whose physical proxy routes through this NAP
    for (const [k, v] of Object.entries(fields)) {
      const m = /^PXLOGICAL\[([^\]]+)\]\/PXPHYSICAL\[([^\]]+)\]\/TO-NAPID(#\d+)?$/.exec(k);
      if (!m || v !== n.napId) continue;
      const pre = `PXLOGICAL[${m[1]}]/PXPHYSICAL[${m[2]}]/`;
      const pxAddr = fields[`${pre}PXADDR`];
      if (!pxAddr) continue;
      const portKey = Object.keys(fields).find((x) => (x.startsWith(pre + 'PORT[') || x.startsWith(`PXLOGICAL[${m[1]}]/PORT[`)) && x.endsWith('/PORTNBR'));
      const port = portKey ? Number(fields[portKey]) : undefined;
      n.proxy = { id: m[1]!, addr: pxAddr, ...(port && Number.isInteger(port) ? { port } : {}) };
      break;
    }
    out.push(n);
  }
  return out;
}

const seg = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** Writes the NAP and Proxy nodes into the tree (replacing earlier ones of these ids). */
export function setConnectivityNodes(tree: DeviceTree, naps: NapSettings[]): void {
  for (const n of naps) {
    const b = `./NAP/${seg(n.napId)}`;
    for (const k of Object.keys(tree.dm)) if (k === b || k.startsWith(`${b}/`)) delete tree.dm[k];
    tree.dm['./NAP'] = '(node)';
    tree.dm[b] = '(node)';
    if (n.name) tree.dm[`${b}/Name`] = n.name;
    if (n.apn) {
      tree.dm[`${b}/Addr`] = n.apn;
      tree.dm[`${b}/AddrType`] = 'APN';
    }
    if (n.bearer) {
      tree.dm[`${b}/Bearer`] = '(node)';
      tree.dm[`${b}/Bearer/BearerType`] = n.bearer;
    }
    if (n.auth) {
      const a = `${b}/Auth/${seg(n.auth.type)}`;
      tree.dm[`${b}/Auth`] = '(node)';
      tree.dm[a] = '(node)';
      if (n.auth.name !== undefined) tree.dm[`${a}/Id`] = n.auth.name;
      if (n.auth.secret !== undefined) tree.dm[`${a}/Secret`] = n.auth.secret;
    }
    if (n.proxy) {
      const p = `./Proxy/${seg(n.proxy.id)}`;
      for (const k of Object.keys(tree.dm)) if (k === p || k.startsWith(`${p}/`)) delete tree.dm[k];
      tree.dm['./Proxy'] = '(node)';
      tree.dm[p] = '(node)';
      tree.dm[`${p}/Id`] = n.proxy.id;
      tree.dm[`${p}/Addr`] = n.proxy.addr;
      tree.dm[`${p}/AddrType`] = /^[\d.]+$/.test(n.proxy.addr) ? 'IPV4' : 'FQDN';
      if (n.proxy.port !== undefined) {
        tree.dm[`${p}/Ports`] = '(node)';
        tree.dm[`${p}/Ports/1`] = '(node)';
        tree.dm[`${p}/Ports/1/PortNbr`] = `${n.proxy.port} (int)`;
      }
      tree.dm[`${p}/ConRef`] = '(node)';
      tree.dm[`${p}/ConRef/1`] = '(node)';
      tree.dm[`${p}/ConRef/1/ConRef`] = b;
    }
  }
}

/** The environment the hook gets (values only; names documented above). */
export function hookEnv(n: NapSettings, dmServer?: string): Record<string, string> {
  const e: Record<string, string> = { SIMDM_NAP_ID: n.napId };
  if (n.name) e.SIMDM_NAP_NAME = n.name;
  if (n.bearer) e.SIMDM_NAP_BEARER = n.bearer;
  if (n.apn) e.SIMDM_NAP_APN = n.apn;
  if (n.auth) {
    e.SIMDM_NAP_AUTH_TYPE = n.auth.type;
    if (n.auth.name !== undefined) e.SIMDM_NAP_AUTH_NAME = n.auth.name;
    if (n.auth.secret !== undefined) e.SIMDM_NAP_AUTH_SECRET = n.auth.secret;
  }
  if (n.proxy) {
    e.SIMDM_PROXY_ADDR = n.proxy.addr;
    if (n.proxy.port !== undefined) e.SIMDM_PROXY_PORT = String(n.proxy.port);
  }
  if (dmServer) e.SIMDM_DM_SERVER = dmServer;
  return e;
}

/** Runs the hook; resolves when it exits 0, else AgentError('agent.connectivity'). Output goes to stderr. */
export function runHook(command: string, env: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'], timeout: timeoutMs });
    child.on('error', (e) => reject(new AgentError('agent.connectivity', `network hook could not start: ${e.message}`)));
    child.on('exit', (code, sig) =>
      code === 0 ? resolve() : reject(new AgentError('agent.connectivity', `network hook failed (${sig ? `signal ${sig}` : `exit ${code}`})`)),
    );
  });
}

const ini = (v: string): string => v.replace(/[\r\n]/g, ' ');

/** A NetworkManager keyfile (nm-settings-keyfile(5)) for the NAP: a gsm connection. */
export function nmKeyfile(n: NapSettings): string {
  const uuid = createHash('sha256').update(`simdm-nap:${n.napId}`).digest('hex');
  const u = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-a${uuid.slice(17, 20)}-${uuid.slice(20, 32)}`;
  const lines = ['[connection]', `id=simdm-${ini(n.napId)}`, `uuid=${u}`, 'type=gsm', 'autoconnect=true', '', '[gsm]'];
  if (n.apn) lines.push(`apn=${ini(n.apn)}`);
  if (n.auth?.name !== undefined) lines.push(`username=${ini(n.auth.name)}`);
  if (n.auth?.secret !== undefined) lines.push(`password=${ini(n.auth.secret)}`, 'password-flags=0');
  lines.push('', '[ipv4]', 'method=auto', '', '[ipv6]', 'method=auto', '');
  if (n.proxy)
    lines.splice(
      lines.length - 1,
      0,
      `# HTTP proxy ${ini(n.proxy.addr)}${n.proxy.port ? `:${n.proxy.port}` : ''} (not expressible in a keyfile: see the network hook)`,
      '',
    );
  return lines.join('\n');
}

/** Writes DIR/simdm-<napid>.nmconnection with mode 0600 (NetworkManager ignores others). */
export function writeNmKeyfile(dir: string, n: NapSettings): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = join(dir, `simdm-${seg(n.napId)}.nmconnection`);
  const tmp = `${f}.tmp-${process.pid}`;
  writeFileSync(tmp, nmKeyfile(n), { mode: 0o600 });
  renameSync(tmp, f);
  return f;
}
