/**
 * Writing a server's changes to a card-resident DM account back to the card (OMA DM requirements
 * 6.3.2.5-6, 6.3.4.6-8: the server manages a management object that lives on the smart card).
 *
 * The card's DM bootstrap file is re-encoded from the agent's tree (one SyncML Add per account,
 * dmToTree's layout: the account's leaves in tree order) and written through the bootstrap writer
 * (src/bootstrap/writer.ts): unused slot first, then the one-command DODF switch, with the ADM key
 * of the file's authority verified through the retry-counter guard. The card's other files are
 * kept as they are (the plan is built from what the card holds, as a rollback plan is).
 * Nonces (AAuthData) are the device's session state and stay in the agent's tree: the card keeps
 * the bootstrap nonce and is not written at every session.
 */
import type { ApduSender } from '../apdu/link.js';
import { backupOfCard, backupToPlan, type BackupFile } from '../bootstrap/backup.js';
import { flattenDm } from '../bootstrap/content/dm.js';
import { encodeWbxmlContent } from '../bootstrap/content/index.js';
import { FID } from '../bootstrap/oids.js';
import { readBootstrap } from '../bootstrap/reader.js';
import { type WriteReport, writePlan } from '../bootstrap/writer.js';
import { el, type WbxmlElement } from '../codec/wbxml/tree.js';
import { fidHex } from '../util/hex.js';
import type { SecretStore } from '../util/secrets.js';
import { AgentError } from './errors.js';
import type { DeviceTree } from './tree.js';

const FORMAT = / \((int|b64|bool|float|date|time)\)$/;

/** The DM bootstrap message holding `accounts` as the tree has them now. */
export function dmMessageFromTree(tree: DeviceTree, accounts: string[], hdr: { target: string; source: string }): WbxmlElement {
  const items: WbxmlElement[] = [];
  for (const acc of accounts) {
    const base = `./DMAcc/${acc}`;
    for (const [uri, v] of Object.entries(tree.dm)) {
      if (uri !== base && !uri.startsWith(`${base}/`)) continue;
      const kids: WbxmlElement[] = [el('Target', {}, [el('LocURI', {}, [uri])])];
      if (v === '(node)') kids.push(el('Meta', {}, [el('Format', { xmlns: 'syncml:metinf' }, ['node'])]));
      else {
        const m = FORMAT.exec(v);
        kids.push(
          el('Meta', {}, [el('Format', { xmlns: 'syncml:metinf' }, [m ? m[1]! : 'chr']), el('Type', { xmlns: 'syncml:metinf' }, ['text/plain'])]),
          el('Data', {}, [m ? v.slice(0, m.index) : v]),
        );
      }
      items.push(el('Item', {}, kids));
    }
  }
  return el('SyncML', { xmlns: 'SYNCML:SYNCML1.2' }, [
    el('SyncHdr', {}, [
      el('VerDTD', {}, ['1.2']),
      el('VerProto', {}, ['DM/1.2']),
      el('SessionID', {}, ['1']),
      el('MsgID', {}, ['1']),
      el('Target', {}, [el('LocURI', {}, [hdr.target])]),
      el('Source', {}, [el('LocURI', {}, [hdr.source])]),
    ]),
    el('SyncBody', {}, [el('Add', {}, [el('CmdID', {}, ['1']), ...items]), el('Final')]),
  ]);
}

export interface WriteBackOptions {
  secrets: SecretStore;
  /**
   * The ADM keys of the card's management authorities, in DODF order (6430, 6431, ...): the
   * writer verifies only those of the authorities whose files or directories change. Default:
   * ADM1, ADM2, ... (the convention of simdm profiles: the i-th authority's DODF is 6430 + i).
   */
  admKeys?: string[];
  /** where the writer keeps its backup (default: none) */
  backupDir?: string | false;
  force?: boolean;
}

/**
 * Writes the card's DM bootstrap file again with `accounts` as the tree holds them. The card must
 * hold a DM bootstrap file that carries these accounts (the one they were loaded from).
 */
export async function writeAccountsToCard(s: ApduSender, tree: DeviceTree, accounts: string[], opts: WriteBackOptions): Promise<WriteReport> {
  const st = await readBootstrap(s, { details: true });
  const dmFiles = st.files.filter((f) => f.kind === 'dm' && f.content?.format === 'syncml-dm');
  const file = dmFiles.find((f) => accounts.some((a) => f.content!.fields[`./DMAcc/${a}/ServerID`] !== undefined));
  if (!file || !file.bytes || !file.content) throw new AgentError('agent.card', `the card holds no DM bootstrap file with account ${accounts.join(', ')}`);
  const fields = file.content.fields;
  // accounts of that file the server did not touch keep the card's values
  const onCard = new Set(
    Object.keys(fields)
      .map((k) => /^\.\/DMAcc\/([^/]+)/.exec(k)?.[1])
      .filter((x): x is string => !!x),
  );
  const merged: DeviceTree = { dm: { ...tree.dm }, lwm2m: {}, owners: tree.owners };
  for (const a of onCard) {
    if (accounts.includes(a)) continue;
    for (const k of Object.keys(merged.dm)) if (k.startsWith(`./DMAcc/${a}/`) || k === `./DMAcc/${a}`) delete merged.dm[k];
    for (const [k, v] of Object.entries(fields)) if (k.startsWith(`./DMAcc/${a}/`) || k === `./DMAcc/${a}`) merged.dm[k] = v;
  }
  // AAuthData is session state (see above): the card keeps its own
  for (const k of Object.keys(merged.dm)) if (/\/AAuthData$/.test(k)) delete merged.dm[k];
  for (const [k, v] of Object.entries(fields)) if (/\/AAuthData$/.test(k)) merged.dm[k] = v;
  const keep = [...onCard, ...accounts].filter((a, i, all) => all.indexOf(a) === i && merged.dm[`./DMAcc/${a}/ServerID`] !== undefined);
  const root = dmMessageFromTree(merged, keep, { target: fields['hdr/Target'] ?? '', source: fields['hdr/Source'] ?? '' });
  const bytes = encodeWbxmlContent('syncml-dm', root);

  // the plan: the card as it is, with this one file replaced (as a rollback plan is built)
  // each authority's DODFs are its base (6430 + i) plus 0x100 per bank and 0x200 per chunk (plan.ts)
  const base = (fid: number): number => ((fid & 0xff00) >= (FID.dodfBase & 0xff00) ? (FID.dodfBase & 0xff00) | (fid & 0xff) : fid);
  const dodfs = [...new Set(st.dodfs.map((d) => base(d.fid)))].sort((a, b) => a - b);
  const keyOf = (d: number): string => opts.admKeys?.[d - FID.dodfBase] ?? `ADM${d - FID.dodfBase + 1}`;
  const backup: BackupFile = {
    version: 1,
    created: new Date().toISOString(),
    iccid: null,
    profile: 'agent: server changes to the card-resident DM account',
    authorities: dodfs.map((d) => ({ name: `dodf-${fidHex(d)}`, key: keyOf(d), dodf: d })),
    owner: `dodf-${fidHex(dodfs[0] ?? FID.dodfBase)}`,
    appFid: FID.app,
    appLabel: st.tokenInfo?.label ?? 'PKCS#15',
    ...backupOfCard(st, { file, bytes }),
  };
  const plan = backupToPlan(backup);
  plan.name = backup.profile;
  const pf = plan.files.find((f) => f.oid === file.oid && f.label === (file.label ?? ''));
  if (pf) pf.fields = flattenDm(root);
  return writePlan(s, plan, { secrets: opts.secrets, backupDir: opts.backupDir ?? false, ...(opts.force ? { force: true } : {}) });
}
