/**
 * The device's local management tree, built from the card's bootstrap:
 *  - `dm`: OMA DM tree leaves by URI (./DevInfo/..., ./DMAcc/<acc>/..., OMA-TS-DM_StdObj 5.3/5.4);
 *  - `lwm2m`: LwM2M Security (0), Server (1) and other object resources by path (/0/0/0 ...);
 *  - `owners`: which subscriber (ICCID/IMSI pair) and card authority (DODF) each DM account and
 *    LwM2M object came from.
 *
 * Applying a bootstrap (OMA DM Bootstrap 6.3.1.5: obsolete data from another authority must not
 * block the current one): accounts and objects from another subscriber are removed; an account
 * of the new bootstrap replaces an existing one with the same node name or ServerID whatever its
 * origin; a bootstrap file that does not decode is skipped and reported, the valid ones load.
 */
export interface Indications {
  /** OMA DM Bootstrap 6.1.4.1: the user confirms before the bootstrap is applied */
  userConfirmation: boolean;
  /** 6.1.4.3: the device connects to the DM server right after the bootstrap */
  autoConnect: boolean;
}

export interface Owner {
  pair: string;
  /** DODF FID (hex) of the authority whose file carried the data */
  authority: string;
}

export interface DeviceTree {
  dm: Record<string, string>;
  lwm2m: Record<string, string>;
  owners: { dmacc: Record<string, Owner>; lwm2m: Record<string, Owner> };
}

export interface AuthCredential {
  level: 'SRVCRED' | 'CLCRED' | string;
  type: string;
  name?: string;
  secret?: string;
  /** nonce, base64 (AAuthData) */
  data?: string;
}

export interface DmAccountView {
  nodeName: string;
  serverId: string;
  name?: string;
  addr?: string;
  port?: number;
  authPref?: string;
  auth: AuthCredential[];
  indications?: Partial<Indications>;
}

export interface BootstrapFileData {
  kind: 'dm' | 'lwm2m' | 'other';
  authority: string;
  /** for dm: the flattened SyncML Add items (URI -> value); for lwm2m: /obj/inst/res -> value */
  fields: Record<string, string>;
}

export function emptyTree(): DeviceTree {
  return { dm: {}, lwm2m: {}, owners: { dmacc: {}, lwm2m: {} } };
}

const ACC = /^\.\/DMAcc\/([^/]+)(?:\/(.*))?$/;

/** The DM accounts in a set of DM fields (./DMAcc/<x>/...). */
export function accountsOf(dm: Record<string, string>): DmAccountView[] {
  const names = new Set<string>();
  for (const k of Object.keys(dm)) {
    const m = ACC.exec(k);
    if (m) names.add(m[1]!);
  }
  const out: DmAccountView[] = [];
  for (const n of [...names].sort()) {
    const get = (rel: string): string | undefined => {
      const v = dm[`./DMAcc/${n}/${rel}`];
      return v === undefined || v === '(node)' ? undefined : v.replace(/ \((int|b64|bool)\)$/, '');
    };
    const serverId = get('ServerID');
    if (!serverId) continue;
    const auth: AuthCredential[] = [];
    const authNodes = new Set<string>();
    for (const k of Object.keys(dm)) {
      const m = new RegExp(`^\\./DMAcc/${escapeRe(n)}/AppAuth/([^/]+)/`).exec(k);
      if (m) authNodes.add(m[1]!);
    }
    for (const a of [...authNodes].sort()) {
      const p = `AppAuth/${a}/`;
      const level = get(p + 'AAuthLevel');
      const type = get(p + 'AAuthType');
      if (!level || !type) continue;
      const c: AuthCredential = { level, type };
      const name = get(p + 'AAuthName');
      const secret = get(p + 'AAuthSecret');
      const data = get(p + 'AAuthData');
      if (name !== undefined) c.name = name;
      if (secret !== undefined) c.secret = secret;
      if (data !== undefined) c.data = data;
      auth.push(c);
    }
    const acc: DmAccountView = { nodeName: n, serverId, auth };
    const name = get('Name');
    const addr = get('AppAddr/srv/Addr') ?? firstMatch(dm, n, /AppAddr\/[^/]+\/Addr$/);
    const port = get('AppAddr/srv/Port/p1/PortNbr');
    const pref = get('AAuthPref');
    if (name) acc.name = name;
    if (addr) acc.addr = addr;
    if (port && /^\d+$/.test(port)) acc.port = Number(port);
    if (pref) acc.authPref = pref;
    const ind: Partial<Indications> = {};
    const uc = get('Ext/UserConfirmation');
    const ac = get('Ext/AutoConnect');
    if (uc !== undefined) ind.userConfirmation = truthy(uc);
    if (ac !== undefined) ind.autoConnect = truthy(ac);
    if (Object.keys(ind).length) acc.indications = ind;
    out.push(acc);
  }
  return out;
}

function truthy(v: string): boolean {
  return /^(true|1|yes)$/i.test(v.trim());
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function firstMatch(dm: Record<string, string>, acc: string, re: RegExp): string | undefined {
  for (const [k, v] of Object.entries(dm)) if (k.startsWith(`./DMAcc/${acc}/`) && re.test(k) && v !== '(node)') return v;
  return undefined;
}

/** Indications of a bootstrap: any account asking for confirmation / auto-connect sets them. */
export function indicationsOf(accounts: DmAccountView[], defaults: Indications): Indications {
  const out = { ...defaults };
  for (const a of accounts) {
    if (a.indications?.userConfirmation !== undefined) out.userConfirmation = out.userConfirmation || a.indications.userConfirmation;
    if (a.indications?.autoConnect !== undefined) out.autoConnect = a.indications.autoConnect;
  }
  return out;
}

export interface ApplyReport {
  accounts: string[];
  replaced: string[];
  removedObsolete: string[];
  lwm2mObjects: string[];
}

/** Applies decoded bootstrap files of subscriber `pair` to `tree` (in place). */
export function applyBootstrap(tree: DeviceTree, pair: string, files: BootstrapFileData[]): ApplyReport {
  const rep: ApplyReport = { accounts: [], replaced: [], removedObsolete: [], lwm2mObjects: [] };
  // 1. data of another subscriber is obsolete: drop it
  for (const [acc, o] of Object.entries(tree.owners.dmacc)) {
    if (o.pair !== pair) {
      removeAccount(tree, acc);
      rep.removedObsolete.push(`./DMAcc/${acc}`);
    }
  }
  for (const [obj, o] of Object.entries(tree.owners.lwm2m)) {
    if (o.pair !== pair) {
      removeLwm2m(tree, obj);
      rep.removedObsolete.push(`/${obj}`);
    }
  }
  // 2. the new bootstrap's accounts replace same-name or same-ServerID ones, whoever owned them
  for (const f of files) {
    if (f.kind === 'dm') {
      const incoming = accountsOf(f.fields);
      const existing = accountsOf(tree.dm);
      for (const acc of incoming) {
        for (const e of existing) {
          if (e.nodeName === acc.nodeName || e.serverId === acc.serverId) {
            removeAccount(tree, e.nodeName);
            rep.replaced.push(`./DMAcc/${e.nodeName}`);
          }
        }
        for (const [k, v] of Object.entries(f.fields)) if (k.startsWith(`./DMAcc/${acc.nodeName}/`) || k === `./DMAcc/${acc.nodeName}`) tree.dm[k] = v;
        tree.owners.dmacc[acc.nodeName] = { pair, authority: f.authority };
        rep.accounts.push(acc.nodeName);
      }
      if (incoming.length) tree.dm['./DMAcc'] = '(node)';
    } else if (f.kind === 'lwm2m') {
      const objs = new Set<string>();
      for (const k of Object.keys(f.fields)) objs.add(k.split('/')[1]!);
      for (const o of objs) {
        removeLwm2m(tree, o);
        for (const [k, v] of Object.entries(f.fields)) if (k.startsWith(`/${o}/`)) tree.lwm2m[k] = v;
        tree.owners.lwm2m[o] = { pair, authority: f.authority };
        rep.lwm2mObjects.push(o);
      }
    }
  }
  return rep;
}

function removeAccount(tree: DeviceTree, acc: string): void {
  for (const k of Object.keys(tree.dm)) if (k === `./DMAcc/${acc}` || k.startsWith(`./DMAcc/${acc}/`)) delete tree.dm[k];
  delete tree.owners.dmacc[acc];
}

function removeLwm2m(tree: DeviceTree, obj: string): void {
  for (const k of Object.keys(tree.lwm2m)) if (k.startsWith(`/${obj}/`)) delete tree.lwm2m[k];
  delete tree.owners.lwm2m[obj];
}

/** ./DevInfo (OMA-TS-DM_StdObj 5.4): the device's own identity, never from the card. */
export function setDevInfo(tree: DeviceTree, devId: string): void {
  tree.dm['./DevInfo'] = '(node)';
  tree.dm['./DevInfo/DevId'] = devId;
  tree.dm['./DevInfo/Man'] = 'simdm';
  tree.dm['./DevInfo/Mod'] = 'simdm-agent';
  tree.dm['./DevInfo/DmV'] = '1.2';
  tree.dm['./DevInfo/Lang'] = 'en';
}

/** Updates the stored nonce (AAuthData) of an account's credential of `level`. */
export function setNonce(tree: DeviceTree, acc: string, level: string, nonceB64: string): void {
  for (const k of Object.keys(tree.dm)) {
    const m = new RegExp(`^\\./DMAcc/${escapeRe(acc)}/AppAuth/([^/]+)/AAuthLevel$`).exec(k);
    if (m && tree.dm[k] === level) tree.dm[`./DMAcc/${acc}/AppAuth/${m[1]}/AAuthData`] = `${nonceB64} (b64)`;
  }
}
