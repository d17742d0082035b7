/**
 * Profile -> CardPlan: content bytes for every file (LwM2M Appendix G file, SyncML DM message,
 * CP wap-provisioningdoc, all WBXML where the format is), slots, labels, OIDs and authorities.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseXml } from '../../codec/wbxml/xml.js';
import type { WbxmlElement } from '../../codec/wbxml/tree.js';
import { fromHex, hexNum } from '../../util/hex.js';
import { cpToTree, type CpDocument, flattenCp } from '../content/cp.js';
import { type DmIndications, dmToTree, flattenDm } from '../content/dm.js';
import { encodeWbxmlContent } from '../content/index.js';
import { flattenLwm2m, lwm2mObjects } from '../content/lwm2m.js';
import { encodeLwm2mBootstrapFile } from '../content/lwm2m-file.js';
import { BootstrapError } from '../errors.js';
import { FID, KINDS, PKCS15_AID } from '../oids.js';
import { type CardPlan, dodfFid, MAX_DODF_CHUNKS, type PlanAuthority, type PlannedFile } from '../plan.js';
import type { LoadedProfile } from './load.js';
import type { ProfileFile } from './schema.js';

function contentOf(f: ProfileFile, dir: string, indications: DmIndications): { bytes: Uint8Array; fields: Record<string, string> } {
  if (f.kind === 'lwm2m') {
    const l = f.lwm2m!;
    const objects = lwm2mObjects({
      servers: l.servers.map((s) => ({
        uri: s.uri,
        bootstrap: s.bootstrap,
        securityMode: s.securityMode,
        ...(s.identity !== undefined ? { identity: new TextEncoder().encode(s.identity) } : {}),
        ...(s.identityHex !== undefined ? { identity: fromHex(s.identityHex) } : {}),
        ...(s.secretKey !== undefined ? { secretKey: fromHex(s.secretKey, 'secretKey') } : {}),
        ...(s.serverPublicKey !== undefined ? { serverPublicKey: fromHex(s.serverPublicKey) } : {}),
        ...(s.shortServerId !== undefined ? { shortServerId: s.shortServerId } : {}),
        ...(s.clientHoldOffTime !== undefined ? { clientHoldOffTime: s.clientHoldOffTime } : {}),
        ...(s.lifetime !== undefined ? { lifetime: s.lifetime } : {}),
        ...(s.binding !== undefined ? { binding: s.binding } : {}),
        ...(s.notificationStoring !== undefined ? { notificationStoring: s.notificationStoring } : {}),
        ...(s.apn !== undefined ? { apn: s.apn } : {}),
      })),
      ...(l.apn ? { apn: l.apn.map((a) => ({ ...a })) } : {}),
    });
    return { bytes: encodeLwm2mBootstrapFile(objects), fields: flattenLwm2m(objects) };
  }
  if (f.kind === 'dm') {
    const d = f.dm!;
    const tree = dmToTree({
      target: d.target,
      source: d.source,
      ...(d.sessionId ? { sessionId: d.sessionId } : {}),
      accounts: d.accounts.map((a) => ({ ...a, appAuth: a.appAuth.map((x) => ({ ...x })), indications })),
    });
    return { bytes: encodeWbxmlContent('syncml-dm', tree), fields: flattenDm(tree) };
  }
  const c = f.cp!;
  let tree: WbxmlElement;
  if (c.xml) {
    const path = resolve(dir, c.xml);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new BootstrapError('profile', `file ${f.id}: cannot read OMA CP document ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    tree = parseXml(text).root;
    if (tree.name !== 'wap-provisioningdoc')
      throw new BootstrapError('profile', `file ${f.id}: ${path} is a <${tree.name}> document, not a wap-provisioningdoc`);
  } else {
    const { xml: _x, ...typed } = c;
    void _x;
    tree = cpToTree(typed as CpDocument);
  }
  return { bytes: encodeWbxmlContent('wap-provisioningdoc', tree), fields: flattenCp(tree) };
}

/** ICCID text -> TokenInfo serial number bytes: the digits as BCD, F-padded (PKCS #15 6.9). */
function serialOf(text: string): Uint8Array {
  const t = text.replace(/[^0-9A-Fa-f]/g, '');
  return fromHex(t.length % 2 ? t + 'F' : t || '00');
}

export interface CompileContext {
  iccid?: string;
  /** secret name -> value, for scripts to refer to them instead of carrying them */
  secretValues?: { name: string; value: string }[];
}

export function compileProfile(lp: LoadedProfile, ctx: CompileContext = {}): CardPlan {
  const p = lp.profile;
  const names = Object.keys(p.authorities);
  const authorities: PlanAuthority[] = names.map((name, i) => ({
    name,
    key: p.authorities[name]!.key,
    dodf: (p.authorities[name] as { dodf?: number }).dodf ?? FID.dodfBase + i,
  }));
  const dodfs = new Set<number>();
  for (const a of authorities) {
    if (dodfs.has(a.dodf)) throw new BootstrapError('profile', `two authorities share DODF ${hexNum(a.dodf, 4)}`);
    for (let j = 0; j < MAX_DODF_CHUNKS; j++) for (const bank of [0, 1]) dodfs.add(dodfFid(a.dodf, bank, j));
  }
  const used = new Map<number, string>();
  const kindCount = new Map<string, number>();
  const files: PlannedFile[] = p.files.map((f) => {
    const info = KINDS[f.kind];
    const n = kindCount.get(f.kind) ?? 0;
    kindCount.set(f.kind, n + 1);
    // further files of a kind take the next pairs after the kind's default (0x6450/51, then 0x6452/53...)
    const slots: [number, number] = f.fids ?? [info.slots[0] + 2 * n, info.slots[1] + 2 * n];
    for (const s of slots) {
      const other = used.get(s);
      if (other) throw new BootstrapError('profile', `files ${other} and ${f.id} both use FID ${hexNum(s, 4)}`);
      if (dodfs.has(s) || s === FID.odf || s === FID.tokenInfo) throw new BootstrapError('profile', `file ${f.id}: FID ${hexNum(s, 4)} is a directory file`);
      used.set(s, f.id);
    }
    const { bytes, fields } = contentOf(f, lp.dir, p.indications);
    return {
      id: f.id,
      kind: f.kind,
      oid: f.oid ?? info.oid,
      label: f.label ?? (n ? `${info.label} ${f.id}` : info.label),
      authority: f.authority ?? p.owner ?? names[0]!,
      slots,
      ...(f.size !== undefined ? { size: f.size } : {}),
      bytes,
      fields,
    };
  });
  const owner = p.owner ?? names[0]!;
  return {
    name: p.name,
    aid: fromHex(PKCS15_AID),
    appFid: p.application.fid ?? FID.app,
    appLabel: p.application.label,
    owner,
    authorities,
    tokenInfo: {
      version: 0,
      serialNumber: serialOf(p.application.serialNumber ?? ctx.iccid ?? '00'),
      manufacturerID: p.application.manufacturer,
      label: p.application.tokenLabel ?? p.name,
      tokenflags: [0],
    },
    indications: { userConfirmation: p.indications.userConfirmation, autoConnect: p.indications.autoConnect },
    files,
    ...(p.layout?.omapi ? { layout: { omapi: true } } : {}),
    secretValues: ctx.secretValues ?? [],
  };
}
