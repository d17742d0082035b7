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
import { DMACC_ACL, dropAcls, ownerAcl } from './acl.js';

export type { AuthCredential, DmAccountView } from '../bootstrap/content/dm-accounts.js';
export { accountsOf } from '../bootstrap/content/dm-accounts.js';
import { accountsOf, type DmAccountView } from '../bootstrap/content/dm-accounts.js';
import type { Indications } from '../bootstrap/content/dm-accounts.js';
export type { Indications };

export interface Owner {
  pair: string;
  /** DODF FID (hex) of the authority whose file carried the data */
  authority: string;
}

export interface DeviceTree {
  dm: Record<string, string>;
  /** ACL property of DM nodes, by URI (OMA-TS-DM_TND 7.7.1; acl.ts); absent: inherited */
  acl?: Record<string, string>;
  lwm2m: Record<string, string>;
  owners: { dmacc: Record<string, Owner>; lwm2m: Record<string, Owner> };
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
        // the account is its server's: full rights for it, none for the others (TND 7.7.1)
        (tree.acl ??= {})[`./DMAcc/${acc.nodeName}`] = ownerAcl(acc.serverId);
        rep.accounts.push(acc.nodeName);
      }
      if (incoming.length) {
        tree.dm['./DMAcc'] = '(node)';
        (tree.acl ??= {})['./DMAcc'] ??= DMACC_ACL;
      }
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
  dropAcls(tree, `./DMAcc/${acc}`);
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

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
